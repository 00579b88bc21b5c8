package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"unicode/utf8"

	"watchword/wasm/api"
)

// Body limits. Account requests are small; a vault push may carry up to
// api.MaxPushChanges entries, but the whole body is bounded separately so a
// single request cannot hold gigabytes in memory. Ciphertext travels as
// base64 in JSON (4/3 larger).
const (
	maxSmallBody = 16 << 10
	maxPushBody  = 32 << 20
	maxFormBody  = 16 << 10
)

// decodeJSON reads one JSON value of at most limit bytes into v. It demands
// Content-Type application/json, valid UTF-8, known fields only and nothing
// after the value, so a typo in a field name is an error rather than a
// silently ignored setting.
func decodeJSON(w http.ResponseWriter, r *http.Request, limit int64, v any) error {
	ct := r.Header.Get("Content-Type")
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || mt != "application/json" {
		return api.Errorf(api.CodeUnsupportedMedia, "the body must be application/json")
	}
	if cs, ok := params["charset"]; ok && !equalFoldASCII(cs, "utf-8") {
		return api.Errorf(api.CodeUnsupportedMedia, "the body must be UTF-8")
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return api.Errorf(api.CodeTooLarge, "the body is larger than %d bytes", limit)
		}
		return api.Errorf(api.CodeBadRequest, "the body could not be read")
	}
	if !utf8.Valid(body) {
		return api.Errorf(api.CodeBadRequest, "the body is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return badJSON(err)
	}
	if dec.More() {
		return api.Errorf(api.CodeBadRequest, "the body must hold exactly one JSON value")
	}
	if _, err := dec.Token(); err != io.EOF {
		return api.Errorf(api.CodeBadRequest, "the body must hold exactly one JSON value")
	}
	return nil
}

func badJSON(err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return api.Errorf(api.CodeBadRequest, "malformed JSON at byte %d", se.Offset)
	case errors.As(err, &te):
		if te.Field != "" {
			return api.Errorf(api.CodeBadRequest, "field %q has the wrong type", te.Field)
		}
		return api.Errorf(api.CodeBadRequest, "the body has the wrong JSON type")
	case errors.Is(err, io.EOF):
		return api.Errorf(api.CodeBadRequest, "the body is empty")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return api.Errorf(api.CodeBadRequest, "the JSON is cut short")
	}
	// DisallowUnknownFields and base64 errors arrive as plain errors whose
	// text names only the field, never the value.
	return api.Errorf(api.CodeBadRequest, "malformed JSON: %s", trimJSONErr(err.Error()))
}

func trimJSONErr(s string) string {
	const p = "json: "
	if len(s) > len(p) && s[:len(p)] == p {
		s = s[len(p):]
	}
	if len(s) > 120 {
		s = s[:120]
	}
	return s
}

func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
