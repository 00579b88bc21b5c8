package jsonwire

import (
	"encoding/base64"
	"math"
	"strconv"
	"time"
	"unicode/utf8"
)

// safe marks the ASCII bytes that go into a JSON string as they are. <, >
// and & are escaped too, as encoding/json does, so output is safe in HTML.
var safe = func() (t [utf8.RuneSelf]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return t
}()

const hexDigits = "0123456789abcdef"

// AppendString appends s as a JSON string. Invalid UTF-8 becomes U+FFFD;
// U+2028 and U+2029 are escaped because older JavaScript engines cannot hold
// them raw in source.
func AppendString[S ~string | ~[]byte](dst []byte, s S) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if safe[c] {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := decodeRune(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

func decodeRune[S ~string | ~[]byte](s S) (rune, int) {
	// Copy at most one rune's bytes so one function serves strings and
	// byte slices without converting (and allocating) the whole input.
	n := len(s)
	if n > utf8.UTFMax {
		n = utf8.UTFMax
	}
	var b [utf8.UTFMax]byte
	for i := 0; i < n; i++ {
		b[i] = s[i]
	}
	return utf8.DecodeRune(b[:n])
}

// AppendBool appends true or false.
func AppendBool(dst []byte, b bool) []byte {
	if b {
		return append(dst, "true"...)
	}
	return append(dst, "false"...)
}

// AppendBase64 appends b as encoding/json writes a []byte: null for nil,
// otherwise a standard base64 string.
func AppendBase64(dst, b []byte) []byte {
	if b == nil {
		return append(dst, "null"...)
	}
	dst = append(dst, '"')
	dst = base64.StdEncoding.AppendEncode(dst, b)
	return append(dst, '"')
}

// AppendTime appends t as encoding/json writes a time.Time: an RFC 3339
// string with as many fractional-second digits as needed.
func AppendTime(dst []byte, t time.Time) []byte {
	dst = append(dst, '"')
	dst = appendRFC3339(dst, t)
	return append(dst, '"')
}

// AppendFloat appends f as encoding/json writes a float64: the shortest
// decimal that reads back as f, in exponent form only for very large or very
// small magnitudes. NaN and infinities have no JSON form and become null.
func AppendFloat(dst []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(dst, "null"...)
	}
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	dst = strconv.AppendFloat(dst, f, format, -1, 64)
	if format == 'e' {
		// clean up e-09 to e-9, as encoding/json does
		n := len(dst)
		if n >= 4 && dst[n-4] == 'e' && dst[n-3] == '-' && dst[n-2] == '0' {
			dst[n-2] = dst[n-1]
			dst = dst[:n-1]
		}
	}
	return dst
}

// A Writer builds one JSON value, placing the commas: call Key before each
// member of an object, then the member's value.
type Writer struct {
	b    []byte
	more bool // a value was just written: the next value or key needs a comma
}

// NewWriter returns a Writer appending to dst.
func NewWriter(dst []byte) *Writer { return &Writer{b: dst} }

// Bytes returns what was written.
func (w *Writer) Bytes() []byte { return w.b }

//go:noinline
func (w *Writer) value() {
	if w.more {
		w.b = append(w.b, ',')
	}
	w.more = true
}

// BeginObject starts an object.
//
//go:noinline
func (w *Writer) BeginObject() {
	w.value()
	w.b = append(w.b, '{')
	w.more = false
}

// EndObject ends an object.
//
//go:noinline
func (w *Writer) EndObject() {
	w.b = append(w.b, '}')
	w.more = true
}

// BeginArray starts an array.
//
//go:noinline
func (w *Writer) BeginArray() {
	w.value()
	w.b = append(w.b, '[')
	w.more = false
}

// EndArray ends an array.
//
//go:noinline
func (w *Writer) EndArray() {
	w.b = append(w.b, ']')
	w.more = true
}

// Key starts the member named k.
//
//go:noinline
func (w *Writer) Key(k string) {
	if w.more {
		w.b = append(w.b, ',')
	}
	w.b = AppendString(w.b, k)
	w.b = append(w.b, ':')
	w.more = false
}

// String writes a string.
//
//go:noinline
func (w *Writer) String(s string) { w.value(); w.b = AppendString(w.b, s) }

// Int writes an integer.
//
//go:noinline
func (w *Writer) Int(n int64) { w.value(); w.b = strconv.AppendInt(w.b, n, 10) }

// Uint writes an unsigned integer.
//
//go:noinline
func (w *Writer) Uint(n uint64) { w.value(); w.b = strconv.AppendUint(w.b, n, 10) }

// Float writes a float64 as [AppendFloat] does.
//
//go:noinline
func (w *Writer) Float(f float64) { w.value(); w.b = AppendFloat(w.b, f) }

// Bool writes true or false.
//
//go:noinline
func (w *Writer) Bool(b bool) { w.value(); w.b = AppendBool(w.b, b) }

// Null writes null.
//
//go:noinline
func (w *Writer) Null() { w.value(); w.b = append(w.b, "null"...) }

// Base64 writes b as [AppendBase64] does.
//
//go:noinline
func (w *Writer) Base64(b []byte) { w.value(); w.b = AppendBase64(w.b, b) }

// Time writes t as [AppendTime] does.
//
//go:noinline
func (w *Writer) Time(t time.Time) { w.value(); w.b = AppendTime(w.b, t) }

// The Field methods write one member, key and value, in one call: the
// codecs are shorter for it, which matters in a WebAssembly binary.

// StringField writes the member k with the string v.
//
//go:noinline
func (w *Writer) StringField(k, v string) { w.Key(k); w.b = AppendString(w.b, v); w.more = true }

// IntField writes the member k with the integer v.
//
//go:noinline
func (w *Writer) IntField(k string, v int64) {
	w.Key(k)
	w.b = strconv.AppendInt(w.b, v, 10)
	w.more = true
}

// UintField writes the member k with the unsigned integer v.
//
//go:noinline
func (w *Writer) UintField(k string, v uint64) {
	w.Key(k)
	w.b = strconv.AppendUint(w.b, v, 10)
	w.more = true
}

// BoolField writes the member k with true or false.
//
//go:noinline
func (w *Writer) BoolField(k string, v bool) { w.Key(k); w.b = AppendBool(w.b, v); w.more = true }

// Base64Field writes the member k with v as [AppendBase64] does.
//
//go:noinline
func (w *Writer) Base64Field(k string, v []byte) { w.Key(k); w.b = AppendBase64(w.b, v); w.more = true }

// TimeField writes the member k with t as [AppendTime] does.
//
//go:noinline
func (w *Writer) TimeField(k string, t time.Time) { w.Key(k); w.b = AppendTime(w.b, t); w.more = true }

// FloatField writes the member k with f as [AppendFloat] does.
//
//go:noinline
func (w *Writer) FloatField(k string, f float64) { w.Key(k); w.b = AppendFloat(w.b, f); w.more = true }

// Strings writes an array of strings; nil is null, as encoding/json writes a
// nil slice.
//
//go:noinline
func (w *Writer) Strings(ss []string) {
	WriteArray(w, ss, func(s string, w *Writer) { w.String(s) })
}

// Raw writes b, which must be one valid JSON value, as it is.
//
//go:noinline
func (w *Writer) Raw(b []byte) { w.value(); w.b = append(w.b, b...) }

// AppendCompact appends the valid JSON value raw without white space
// outside strings, escaping <, >, &, U+2028 and U+2029 inside them: what
// encoding/json makes of a json.RawMessage it writes. Other bytes of a
// string are kept as they are.
func AppendCompact(dst, raw []byte) []byte {
	in := false
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if !in {
			switch c {
			case ' ', '\t', '\n', '\r':
				continue
			case '"':
				in = true
			}
			dst = append(dst, c)
			continue
		}
		switch {
		case c == '\\' && i+1 < len(raw):
			dst = append(dst, c, raw[i+1])
			i++
		case c == '"':
			in = false
			dst = append(dst, c)
		case c == '<' || c == '>' || c == '&':
			dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		case c == 0xe2 && i+2 < len(raw) && raw[i+1] == 0x80 && raw[i+2]&^1 == 0xa8:
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[raw[i+2]&0xf])
			i += 2
		default:
			dst = append(dst, c)
		}
	}
	return dst
}
