package vault

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"
)

// parseID reads every valid id as encoding/hex does, and refuses the rest.
func TestParseIDMatchesHex(t *testing.T) {
	for _, b := range [][]byte{make([]byte, 16), bytes.Repeat([]byte{0xff}, 16), []byte("0123456789abcdef"), {0x0f, 0xf0, 0xa5, 0x5a, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}} {
		s := hex.EncodeToString(b)
		id, ok := parseID(s)
		if !ok || !bytes.Equal(id[:], b) {
			t.Errorf("parseID(%q) = %x, %v", s, id, ok)
		}
	}
	for _, s := range []string{"", "00", strings.Repeat("0", 31), strings.Repeat("0", 33), strings.Repeat("A", 32), strings.Repeat("g", 32), strings.Repeat("0", 31) + " "} {
		if _, ok := parseID(s); ok {
			t.Errorf("parseID(%q) accepted", s)
		}
	}
}
