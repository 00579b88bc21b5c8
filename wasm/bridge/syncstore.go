package bridge

import (
	"encoding/base64"
	"strings"
	"unicode/utf8"

	"watchword/wasm/api"
)

// The sync engine's values are bytes; storage.local keeps strings. Values
// are stored as they are when they are UTF-8 text (the engine's records are
// JSON) without the scan separator, else as storedBinary followed by their
// standard base64.
const storedBinary = "\x00b64:"

func encodeStored(v []byte) string {
	if utf8.Valid(v) && !strings.HasPrefix(string(v), "\x00") && !strings.Contains(string(v), scanSeparator) {
		return string(v)
	}
	return storedBinary + base64.StdEncoding.EncodeToString(v)
}

func decodeStored(s string) ([]byte, error) {
	if !strings.HasPrefix(s, "\x00") {
		return []byte(s), nil
	}
	b, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(s, storedBinary))
	if err != nil || !strings.HasPrefix(s, storedBinary) {
		return nil, api.NewError(api.CodeInvalid, "a stored value is damaged")
	}
	return b, nil
}
