// Package goidna maps host names to the ASCII form a browser looks them up
// by, with golang.org/x/net/idna set up as the WHATWG URL standard applies
// UTS #46: non-transitional, CheckHyphens off, CheckBidi and CheckJoiners
// on, no STD3 rules and no DNS length check, as a browser's address bar
// parses a URL.
//
// It is package match's HostToASCII where there is no browser: native
// tests of the core. In the extension the browser's own URL parser does
// this (package bridge installs it), so core.wasm links neither x/net/idna
// nor the Unicode normalisation tables it needs. Tests in Chromium hold the
// two to the same answers.
package goidna
