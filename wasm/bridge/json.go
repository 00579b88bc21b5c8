package bridge

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
)

// strictUnmarshal is json.Unmarshal that refuses unknown fields and trailing
// data.
func strictUnmarshal(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("trailing data after the value")
	}
	return nil
}
