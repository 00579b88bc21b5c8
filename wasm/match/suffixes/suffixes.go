package suffixes

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"io"
)

//go:embed public_suffix_list.txt.gz
var rulesGz []byte

// Rules returns the list's text: one rule per line, in the syntax of
// public_suffix_list.dat.
func Rules() []byte {
	zr, err := gzip.NewReader(bytes.NewReader(rulesGz))
	if err != nil {
		panic("suffixes: embedded file is corrupt: " + err.Error()) // a build defect, not input
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		panic("suffixes: embedded file is corrupt: " + err.Error())
	}
	return b
}
