package bridge

import (
	"errors"
	"maps"
	"strings"
	"testing"
)

func framedPairs(s string) (map[string]string, error) {
	got := map[string]string{}
	err := eachFramedPair(s, func(k, v string) error {
		got[k] = v
		return nil
	})
	return got, err
}

func TestEachFramedPair(t *testing.T) {
	cases := []struct {
		in   string
		want map[string]string
	}{
		{"", map[string]string{}},
		{"a\x01b", map[string]string{"a": "b"}},
		{"ww/x/e/1\x01{\"id\":\"1\"}\x01ww/x/meta\x01", map[string]string{"ww/x/e/1": `{"id":"1"}`, "ww/x/meta": ""}},
		{"\x01", map[string]string{"": ""}},
	}
	for _, c := range cases {
		got, err := framedPairs(c.in)
		if err != nil || !maps.Equal(got, c.want) {
			t.Errorf("%q: %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	// An odd number of parts is not pairs: refused before any is given.
	for _, bad := range []string{"lonely", "a\x01b\x01c"} {
		calls := 0
		err := eachFramedPair(bad, func(string, string) error { calls++; return nil })
		if err == nil || calls != 0 {
			t.Errorf("%q: err %v after %d calls, want a refusal and none", bad, err, calls)
		}
	}
	stop := errors.New("stop")
	calls := 0
	if err := eachFramedPair("a\x011\x01b\x012", func(string, string) error { calls++; return stop }); err != stop || calls != 1 {
		t.Errorf("err %v after %d calls, want the callback's error after 1", err, calls)
	}
}

func TestEachObjectPairSkipsRemovedKeys(t *testing.T) {
	got := map[string]string{}
	err := eachObjectPair([]byte(`{"gone":null,"kept":"x","q":"a\"b\u0001c"}`), func(k, v string) error {
		got[k] = v
		return nil
	})
	if want := map[string]string{"kept": "x", "q": "a\"b\x01c"}; err != nil || !maps.Equal(got, want) {
		t.Fatalf("%q, %v; want %q", got, err, want)
	}
	for _, bad := range []string{`{"a":1}`, `[]`, `{"a":"b"} x`, ``} {
		if err := eachObjectPair([]byte(bad), func(string, string) error { return nil }); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// A value holding the separator is stored in the binary form, so a framed
// scan never splits inside a value, and it reads back unchanged.
func TestStoredValueNeverHoldsTheSeparator(t *testing.T) {
	v := []byte("text with \x01 inside")
	s := encodeStored(v)
	if strings.Contains(s, scanSeparator) {
		t.Fatalf("stored as %q, which holds the separator", s)
	}
	if got, err := decodeStored(s); err != nil || string(got) != string(v) {
		t.Fatalf("read back %q, %v", got, err)
	}
}

// Any pairs encodeStored could have written come back from their framing
// exactly.
func FuzzEachFramedPair(f *testing.F) {
	f.Add("ww/local/e/1", []byte(`{"id":"1","local":"AQE="}`), "ww/local/meta", []byte(`{"v":1}`))
	f.Add("", []byte{}, "k", []byte{0, 1, 2, 0xff})
	f.Add("é", []byte("ünï\x01"), "x\x00y", []byte("\x00b64:"))
	f.Fuzz(func(t *testing.T, k1 string, v1 []byte, k2 string, v2 []byte) {
		if strings.Contains(k1+k2, scanSeparator) || k1 == k2 {
			t.Skip("keys are the core's own: never the separator, never twice")
		}
		want := map[string]string{k1: encodeStored(v1), k2: encodeStored(v2)}
		got, err := framedPairs(k1 + scanSeparator + want[k1] + scanSeparator + k2 + scanSeparator + want[k2])
		if err != nil || !maps.Equal(got, want) {
			t.Fatalf("%q, %v; want %q", got, err, want)
		}
		for k, s := range got {
			if b, err := decodeStored(s); err != nil || (k == k1 && string(b) != string(v1)) || (k == k2 && string(b) != string(v2)) {
				t.Fatalf("%q does not decode back: %q, %v", k, b, err)
			}
		}
	})
}
