package goidna

import (
	"strings"

	"golang.org/x/net/idna"
)

// profile is UTS #46 ToASCII with the WHATWG URL standard's options
// (beStrict false). CheckHyphens comes after MapForLookup, which turns it
// on.
var profile = idna.New(
	idna.MapForLookup(),
	idna.Transitional(false),
	idna.BidiRule(),
	idna.CheckJoiners(true),
	idna.StrictDomainName(false),
	idna.CheckHyphens(false),
	idna.VerifyDNSLength(false),
)

// ToASCII is a match.HostToASCII: host as a browser looks it up, or false
// where the browser would refuse it. Like the URL standard it refuses an
// empty result and one that holds a code point a host may not hold.
func ToASCII(host string) (string, bool) {
	ascii, err := profile.ToASCII(host)
	if err != nil || ascii == "" || strings.ContainsFunc(ascii, forbidden) {
		return "", false
	}
	return ascii, true
}

// forbidden reports the URL standard's forbidden domain code points: C0
// controls, space, DEL and the characters that end or split a host.
func forbidden(r rune) bool {
	return r < 0x20 || r == 0x7f || strings.ContainsRune(" #%/:<>?@[\\]^|", r)
}
