package lists

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"io"
)

//go:embed common_passwords.txt.gz
var commonGz []byte

//go:embed eff_large_wordlist.txt.gz
var wordsGz []byte

// CommonPasswords returns the common-password list: one lowercased password
// per line, sorted bytewise, each line ending in "\n".
func CommonPasswords() []byte { return gunzip(commonGz) }

// EFFWords returns the EFF large word list exactly as the EFF publishes it:
// one "dice-roll<TAB>word" line per word.
func EFFWords() []byte { return gunzip(wordsGz) }

func gunzip(gz []byte) []byte {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		panic("lists: embedded file is corrupt: " + err.Error()) // a build defect, not input
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		panic("lists: embedded file is corrupt: " + err.Error())
	}
	return b
}
