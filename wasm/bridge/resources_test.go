package bridge

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"sync/atomic"
	"testing"

	"watchword/wasm/api"
	"watchword/wasm/match/suffixes"
	"watchword/wasm/policy/lists"
)

// The tests play the extension's part and serve the shipped files from
// package lists.
func init() { SetResourceFetcher(listsFetcher) }

func listsFetcher(name string) ([]byte, error) {
	switch name {
	case resourceCommonPasswords:
		return lists.CommonPasswords(), nil
	case resourceWords:
		return lists.EFFWords(), nil
	case resourcePublicSuffixes:
		return suffixes.Rules(), nil
	}
	return nil, errors.New("no resource " + name)
}

// withFetcher runs the test with f serving resources, then restores the
// lists.
func withFetcher(t *testing.T, f ResourceFetcher) {
	t.Helper()
	SetResourceFetcher(f)
	t.Cleanup(func() { SetResourceFetcher(listsFetcher) })
}

func TestResourceHashesMatchLists(t *testing.T) {
	for name, want := range resourceSHA256 {
		b, err := listsFetcher(name)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(b)
		if got := hex.EncodeToString(sum[:]); got != want {
			t.Errorf("%s: SHA-256 %s, want %s (update resourceSHA256 with the list)", name, got, want)
		}
	}
}

// Bad input tried here: a host that fails, one that serves a damaged list
// (cut short at a line boundary, so it still parses; unsorted; gzip bytes not decompressed, empty), and a
// recovery after a failure. The master policy's not_common rule must never
// pass unchecked: without the list the call fails, it does not say "ok".
func TestResourcesFailClosed(t *testing.T) {
	master := string(call(t, NewCore(), "policyDefault", "master").(JSON))
	account := string(call(t, NewCore(), "policyDefault", "account").(JSON))
	good := lists.CommonPasswords()
	lines := strings.SplitAfter(string(good), "\n")
	lines[3], lines[4] = lines[4], lines[3]
	bad := map[string]ResourceFetcher{
		"the host fails": func(string) ([]byte, error) { return nil, errors.New("fetch failed") },
		"a list cut short": func(string) ([]byte, error) {
			return good[:strings.LastIndexByte(string(good[:len(good)/2]), '\n')+1], nil
		},
		"an unsorted list": func(string) ([]byte, error) { return []byte(strings.Join(lines, "")), nil },
		"still compressed": func(string) ([]byte, error) { return []byte("\x1f\x8b\x08\x00\x00\x00"), nil },
		"an empty answer":  func(string) ([]byte, error) { return nil, nil },
	}
	for name, f := range bad {
		t.Run(name, func(t *testing.T) {
			withFetcher(t, f)
			c := NewCore()
			if code := callErr(t, c, "policyCheck", master, "correct horse battery staple"); code != api.CodeInternal {
				t.Fatalf("master check = %s, want %s", code, api.CodeInternal)
			}
			if code := callErr(t, c, "generate", `{"passphrase":{"words":4,"separator":"."}}`); code != api.CodeInternal {
				t.Fatalf("passphrase = %s, want %s", code, api.CodeInternal)
			}
			// A policy without not_common is still checked, without the
			// "commonly used" warning.
			var res struct {
				OK     bool `json:"ok"`
				Common bool `json:"common"`
			}
			decodeResult(t, call(t, c, "policyCheck", account, "Password1"), &res)
			if !res.OK || res.Common {
				t.Fatalf("account check without a list = %+v, want ok and not common", res)
			}
		})
	}

	t.Run("a failure is not remembered", func(t *testing.T) {
		var calls atomic.Int32
		withFetcher(t, func(name string) ([]byte, error) {
			if calls.Add(1) == 1 {
				return nil, errors.New("fetch failed")
			}
			return listsFetcher(name)
		})
		c := NewCore()
		if code := callErr(t, c, "policyCheck", master, "cheeseburger12"); code != api.CodeInternal {
			t.Fatalf("first check = %s, want %s", code, api.CodeInternal)
		}
		var res struct {
			OK     bool `json:"ok"`
			Common bool `json:"common"`
		}
		decodeResult(t, call(t, c, "policyCheck", master, "password1234"), &res)
		if res.OK || !res.Common {
			t.Fatalf("second check of a common password = %+v", res)
		}
		decodeResult(t, call(t, c, "policyCheck", master, "correct horse battery staple"), &res)
		if !res.OK {
			t.Fatalf("a good password after the list loaded = %+v", res)
		}
		if n := calls.Load(); n != 2 {
			t.Fatalf("the list was fetched %d times, want 2 (once failing, then kept)", n)
		}
	})
}
