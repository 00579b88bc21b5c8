package goidna

// Hosts are host names on which IDNA mappings tend to differ: case and
// width folding, deviation characters (ß, ς, ZWJ/ZWNJ), ignored and
// disallowed code points, punycode that does not decode or decodes to
// something invalid, bidirectional labels, hyphen rules, dots other than
// U+002E, and results that are IPv4 addresses or hold characters a host may
// not. Tests run each through ToASCII and through the browser's URL parser
// (GOOS=js) and require the same answer.
var Hosts = []string{
	// ASCII, in Go's fast path in package match, checked here for agreement.
	"site.test", "Site.TEST", "ab--cd.test", "-site.test", "site-.test", "r3---sn-abc.example",
	"site_name.test", "a.b.c.d.e.site.test", "xn--bcher-kva.example", "XN--BCHER-KVA.EXAMPLE",
	"xn--80ak6aa92e.com", "www.xn--80ak6aa92e.com",
	// Punycode that does not decode, or decodes to what may not be there.
	"xn--a.test", "xn--.test", "xn--ls8h.la", "xn--zz.test", "xn--site-.test", "xn---.test",
	"xn--53h.test", "xn--bcher-kva-.example", "xn--BCHER-KVA.example", "xn--n3h.test",
	"xn--ss-bma.test", "xn--zca.test", "xn--1ug.test",
	// Unicode that maps.
	"bücher.example", "BÜCHER.example", "faß.de", "ß.test", "ς.test", "ΣΊΣΥΦΟΣ.test",
	"ＳＩＴＥ.test", "site．test", "site。test", "site｡test", "ꭠ.test", "Ⅸ.test", "ﬃ.test",
	"①.test", "x\u0301.test", "site\u00ad.test", "\u200bsite.test", "日本語.jp", "例え.テスト",
	"pаypal.test", "аррӏе.com", "💩.la", "İstanbul.test", "ǅ.test", "Ǆ.test", "ℌ.test",
	"℡.test", "㍿.test", "ﾊﾟ.test", "\u3164.test", "\u115f.test",
	// Joiners, combining marks, bidirectional labels.
	"a\u200db.test", "a\u200cb.test", "\u094d\u200d.test", "क\u094d\u200dष.test",
	"\u0301x.test", "مثال.إختبار", "a.مثال", "مثال1.test", "1مثال.test", "مa.test",
	"\u05d0\u05d1.test", "\u05d0a.test", "a\u05d0.test", "\u05d0.\u05d1.test",
	// Disallowed, and mappings to what a host may not hold.
	"a\u2028b.test", "a\ufffdb.test", "a\u0080b.test", "a\ue000b.test", "a／b.test",
	"a％41.test", "a＠b.test", "a：80.test", "１２７.０.０.１", "a\u2024b.test", "a\u2488.test",
	"a\u00a0b.test", "a\u3000b.test", "site.test\u3002", "\u3002site.test",
}
