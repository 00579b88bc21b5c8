package policy

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
)

// commonGz is the common-password list: one lowercased password per line,
// sorted bytewise, gzip-compressed (see NOTICE.md for its source). It is
// decompressed on first use, not at start-up, so loading the core stays fast.
//
//go:embed lists/common_passwords.txt.gz
var commonGz []byte

var common = sync.OnceValues(func() (sortedLines, error) {
	return loadLines(commonGz)
})

// sortedLines is a newline-separated list kept as one string plus the offset
// of each line: a fraction of the memory of a map or a []string.
type sortedLines struct {
	text string
	off  []uint32 // start of each line; line i ends at off[i+1]-1
}

func (l sortedLines) len() int { return len(l.off) - 1 }

func (l sortedLines) at(i int) string { return l.text[l.off[i] : l.off[i+1]-1] }

func (l sortedLines) contains(s string) bool {
	i := sort.Search(l.len(), func(i int) bool { return l.at(i) >= s })
	return i < l.len() && l.at(i) == s
}

// loadLines decompresses a gzip-compressed list of newline-terminated lines.
func loadLines(gz []byte) (sortedLines, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return sortedLines{}, fmt.Errorf("open word list: %w", err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		return sortedLines{}, fmt.Errorf("read word list: %w", err)
	}
	if len(b) == 0 || b[len(b)-1] != '\n' {
		return sortedLines{}, fmt.Errorf("read word list: not newline-terminated")
	}
	text := string(b)
	off := make([]uint32, 0, bytes.Count(b, []byte{'\n'})+1)
	off = append(off, 0)
	for i := 0; i < len(text); i++ {
		if text[i] == '\n' {
			off = append(off, uint32(i+1))
		}
	}
	return sortedLines{text: text, off: off}, nil
}

// IsCommon reports whether password is on the shipped list of common
// passwords, ignoring case. The list is loaded on the first call.
func IsCommon(password string) bool {
	l, err := common()
	if err != nil {
		// The list is embedded at build time and checked by the tests; it
		// cannot fail to load in a binary that passed them.
		panic("policy: " + err.Error())
	}
	return l.contains(strings.ToLower(password))
}

// CommonCount returns the number of passwords on the common-password list.
func CommonCount() int {
	l, err := common()
	if err != nil {
		panic("policy: " + err.Error())
	}
	return l.len()
}
