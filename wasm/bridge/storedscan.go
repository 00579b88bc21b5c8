package bridge

import (
	"errors"
	"strings"

	"watchword/wasm/jsonwire"
)

// scanSeparator frames a storage scan's answer when the host sends it as one
// string: key, value, key, value… joined by U+0001. The stored values never
// hold it (encodeStored writes JSON text, where control characters are
// always escaped, or a base64 form), and a host that finds it in a key or
// value sends the plain object instead.
//
// Unlocking reads the whole vault this way: 10,000 entries are about 4.5 MB
// of text. As one framed string it crosses into Go and splits in a few
// milliseconds; as a JSON object, encoding/json's reflection and unescaping
// of every record's quotes took about a hundred in WebAssembly.
const scanSeparator = "\x01"

// eachFramedPair calls fn for each key and value of a framed scan answer.
func eachFramedPair(s string, fn func(key, value string) error) error {
	if s == "" {
		return nil
	}
	if strings.Count(s, scanSeparator)%2 != 1 {
		return errors.New("the answer is not key and value pairs")
	}
	for s != "" {
		k, rest, _ := strings.Cut(s, scanSeparator)
		v, next, _ := strings.Cut(rest, scanSeparator)
		if err := fn(k, v); err != nil {
			return err
		}
		s = next
	}
	return nil
}

// eachObjectPair calls fn for each key of a JSON object of strings (null
// values, removed keys, are skipped): the host's other form of answer.
func eachObjectPair(b []byte, fn func(key, value string) error) error {
	// Collected first, so a repeated key counts once with its last value.
	m := make(map[string]string)
	err := jsonwire.Decode(b, true, func(d *jsonwire.Decoder) {
		for ok := d.Object(); ok && d.Member(); {
			if k := d.Key(); d.Null() {
				delete(m, k)
			} else {
				m[k] = d.String()
			}
		}
	})
	if err != nil {
		return err
	}
	for k, v := range m {
		if err := fn(k, v); err != nil {
			return err
		}
	}
	return nil
}
