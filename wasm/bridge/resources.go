package bridge

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"sync"

	"watchword/wasm/api"
	"watchword/wasm/match"
	"watchword/wasm/policy"
)

// Shipped resources are data files the extension ships beside core.wasm,
// loaded the first time a call needs one: core.wasm neither carries them
// (they are a quarter of a megabyte compressed) nor spends start-up on them.
// The host serves them by name: JavaScript's globalThis.watchwordResource
// (resources_js.go), or a ResourceFetcher a native program sets.
const (
	resourceCommonPasswords = "common-passwords" // lists/common_passwords.txt.gz
	resourceWords           = "words"            // lists/eff_large_wordlist.txt.gz
	resourcePublicSuffixes  = "public-suffixes"  // lists/public_suffix_list.txt.gz
)

// resourceSHA256 pins each resource's decompressed contents: a file that
// was damaged, cut short or swapped in the installed extension is refused
// rather than quietly weakening a check (a list cut at a line boundary
// would still parse). A test keeps these equal to package lists.
var resourceSHA256 = map[string]string{
	resourceCommonPasswords: "fa7af65ae53f72367c0fa6b6417884107b5c26550445a18f75b0039e693ba8e1",
	resourceWords:           "addd35536511597a02fa0a9ff1e5284677b8883b83e986e43f15a3db996b903e",
	resourcePublicSuffixes:  "e61a075b323f82b0791fe8ec6c6428a945ad2b336be69db8378d6c0934af7451",
}

// A ResourceFetcher returns the contents of the shipped resource name,
// decompressed.
type ResourceFetcher func(name string) ([]byte, error)

// shipped holds the resources this instance has parsed. A failed load is
// not remembered: the next call that needs the resource tries again.
var shipped struct {
	mu     sync.Mutex
	fetch  ResourceFetcher
	common *policy.CommonList
	words  []string
}

// SetResourceFetcher sets where shipped resources come from and forgets
// the lists already loaded (the public suffix list, once installed, stays:
// package match holds it for the process). Register installs JavaScript's
// when none is set.
func SetResourceFetcher(f ResourceFetcher) {
	shipped.mu.Lock()
	defer shipped.mu.Unlock()
	shipped.fetch = f
	shipped.common, shipped.words = nil, nil
}

// errResource is what JavaScript sees when a shipped resource cannot be
// had: the extension package is damaged or incomplete, which no user action
// fixes, so the detail goes to the log.
var errResource = &api.Error{Code: api.CodeInternal, Message: "A file of this Watchword installation could not be read; reinstall Watchword."}

// loadResource fetches and parses one resource under shipped.mu.
func loadResource(name string, parse func([]byte) error) error {
	if shipped.fetch == nil {
		logLine("bridge: resource " + name + ": no resource fetcher")
		return errResource
	}
	b, err := shipped.fetch(name)
	if err == nil {
		sum := sha256.Sum256(b)
		if hex.EncodeToString(sum[:]) != resourceSHA256[name] {
			err = errors.New("contents differ from the ones this core was built with")
		}
	}
	if err == nil {
		err = parse(b)
	}
	if err != nil {
		logLine("bridge: resource " + name + ": " + err.Error())
		return errResource
	}
	return nil
}

// commonList returns the common-password list, loading it on first use.
func commonList() (*policy.CommonList, error) {
	shipped.mu.Lock()
	defer shipped.mu.Unlock()
	if shipped.common == nil {
		err := loadResource(resourceCommonPasswords, func(b []byte) (err error) {
			shipped.common, err = policy.ParseCommonList(b)
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	return shipped.common, nil
}

// wordlist returns the passphrase word list, loading it on first use.
func wordlist() ([]string, error) {
	shipped.mu.Lock()
	defer shipped.mu.Unlock()
	if shipped.words == nil {
		err := loadResource(resourceWords, func(b []byte) (err error) {
			shipped.words, err = policy.ParseWordlist(b)
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	return shipped.words, nil
}

// useSuffixes installs the public suffix list for matching, loading it on
// first use. Autofill's index is keyed by site, so every path that builds
// it calls this first; without the list it would key by host, and nothing
// would be offered on a sibling host of the same site.
func useSuffixes() error {
	if match.HasSuffixList() {
		return nil
	}
	shipped.mu.Lock()
	defer shipped.mu.Unlock()
	if match.HasSuffixList() {
		return nil
	}
	return loadResource(resourcePublicSuffixes, func(b []byte) error {
		l, err := match.ParseSuffixList(b)
		if err == nil {
			match.UseSuffixList(l)
		}
		return err
	})
}

// needsCommon reports whether checking p needs the common-password list.
func needsCommon(p policy.Policy) bool {
	for _, r := range p.Rules {
		if r.Kind == policy.KindNotCommon {
			return true
		}
	}
	return false
}
