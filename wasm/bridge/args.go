package bridge

import (
	"encoding/base64"
	"strconv"

	"watchword/wasm/api"
	"watchword/wasm/jsonwire"
)

// Args are the arguments of one call, as JavaScript passed them. The browser
// implementation reads JS values; tests use plain Go values.
type Args interface {
	// Len is the number of arguments passed.
	Len() int
	// Present reports whether argument i was passed and is neither
	// undefined nor null.
	Present(i int) bool
	// String returns argument i, which must be a JS string.
	String(i int) (string, error)
	// Bytes returns a copy of argument i, which must be a Uint8Array or a
	// string (then its UTF-8 bytes).
	Bytes(i int) ([]byte, error)
}

// JSON is a result that JavaScript receives as the value JSON.parse makes of
// it (an object, array, string...). It is written in one piece (see
// writeJSON): the bridge crosses into JavaScript once per result, never per
// field.
type JSON []byte

// Result is what a method resolves with: nil (undefined), a string, a []byte
// (a Uint8Array), a bool, or JSON.
type Result = any

func badArg(i int, why string) error {
	return &api.Error{Code: api.CodeBadRequest, Message: "argument " + strconv.Itoa(i+1) + ": " + why}
}

// need checks that at least n arguments were passed.
func need(a Args, n int) error {
	if a.Len() < n {
		return api.NewError(api.CodeBadRequest, strconv.Itoa(n)+" argument(s) required, got "+strconv.Itoa(a.Len()))
	}
	return nil
}

func argString(a Args, i int) (string, error) {
	if !a.Present(i) {
		return "", badArg(i, "missing")
	}
	s, err := a.String(i)
	if err != nil {
		return "", badArg(i, "want a string")
	}
	return s, nil
}

// argBytes reads a Uint8Array (or string) argument of at most max bytes.
func argBytes(a Args, i int) ([]byte, error) {
	if !a.Present(i) {
		return nil, badArg(i, "missing")
	}
	b, err := a.Bytes(i)
	if err != nil {
		return nil, badArg(i, "want a Uint8Array or a string")
	}
	return b, nil
}

// argJSON reads a JSON argument (a string or the UTF-8 bytes of one) with
// read, refusing unknown members so a misspelt option is an error, not a
// default.
func argJSON(a Args, i int, read func(d *jsonwire.Decoder)) error {
	b, err := argBytes(a, i)
	if err != nil {
		return err
	}
	return decodeJSON(i, b, read)
}

func decodeJSON(i int, b []byte, read func(d *jsonwire.Decoder)) error {
	if err := jsonwire.Decode(b, true, read); err != nil {
		return badArg(i, "bad JSON: "+err.Error())
	}
	return nil
}

// argBase64 decodes a standard base64 string argument.
func argBase64(a Args, i int) ([]byte, error) {
	s, err := argString(a, i)
	if err != nil {
		return nil, err
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, badArg(i, "not standard base64")
	}
	return b, nil
}

// writeJSON makes a JSON result with write. Every result is plain data, so
// writing cannot fail.
func writeJSON(write func(w *jsonwire.Writer)) (Result, error) {
	w := jsonwire.NewWriter(nil)
	write(w)
	return JSON(w.Bytes()), nil
}

// writeValue makes a JSON result of a value that writes itself.
func writeValue(v interface{ WriteJSON(w *jsonwire.Writer) }) (Result, error) {
	return writeJSON(v.WriteJSON)
}

// argBinary reads binary data passed as a Uint8Array or as a standard base64
// string.
func argBinary(a Args, i int) ([]byte, error) {
	if !a.Present(i) {
		return nil, badArg(i, "missing")
	}
	if s, err := a.String(i); err == nil {
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return nil, badArg(i, "not standard base64")
		}
		return b, nil
	}
	return argBytes(a, i)
}
