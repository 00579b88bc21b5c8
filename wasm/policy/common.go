package policy

import (
	"bytes"
	"errors"
	"sort"
	"strconv"
	"strings"
)

// CommonList is the list of common passwords the not_common rule compares
// against. Make one with [ParseCommonList] from the shipped list (package
// lists, or the file the extension ships beside core.wasm).
type CommonList struct {
	lines sortedLines
}

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

// splitLines indexes a list of newline-terminated lines.
func splitLines(b []byte) (sortedLines, error) {
	if len(b) == 0 || b[len(b)-1] != '\n' {
		return sortedLines{}, errors.New("not newline-terminated")
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

// MinCommonPasswords is the fewest entries a common-password list may have.
const MinCommonPasswords = 10000

// ParseCommonList reads a common-password list: one lowercase password per
// line, sorted bytewise with no duplicates, every line ending in "\n". The
// order is checked, not trusted: lookups are binary searches, and a list
// out of order would quietly miss passwords.
func ParseCommonList(text []byte) (*CommonList, error) {
	l, err := splitLines(text)
	if err != nil {
		return nil, errors.New("common-password list: " + err.Error())
	}
	if l.len() < MinCommonPasswords {
		return nil, errors.New("common-password list: " + strconv.Itoa(l.len()) + " entries, want at least " + strconv.Itoa(MinCommonPasswords))
	}
	for i := range l.len() {
		w := l.at(i)
		switch {
		case w == "":
			return nil, errors.New("common-password list: line " + strconv.Itoa(i+1) + " is empty")
		case w != strings.ToLower(w):
			return nil, errors.New("common-password list: line " + strconv.Itoa(i+1) + " is not lowercase")
		case i > 0 && l.at(i-1) >= w:
			return nil, errors.New("common-password list: line " + strconv.Itoa(i+1) + " is out of order")
		}
	}
	return &CommonList{lines: l}, nil
}

// Contains reports whether password is on the list, ignoring case.
func (c *CommonList) Contains(password string) bool {
	return c.lines.contains(strings.ToLower(password))
}

// Len returns the number of passwords on the list.
func (c *CommonList) Len() int { return c.lines.len() }
