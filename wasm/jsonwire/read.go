package jsonwire

import (
	"encoding/base64"
	"math"
	"strconv"
	"time"
	"unicode/utf16"
	"unicode/utf8"
)

// MaxDepth bounds nesting so hostile input cannot exhaust the stack. No
// message of the core nests deeper than a handful of levels; encoding/json
// allows 10,000, which overflows the WebAssembly call stack of a browser
// when read recursively.
const MaxDepth = 64

// A SyntaxError says what is wrong with the input and where.
type SyntaxError struct {
	Offset int // bytes from the start of the input
	Msg    string
}

func (e *SyntaxError) Error() string {
	return "JSON at offset " + strconv.Itoa(e.Offset) + ": " + e.Msg
}

// A Decoder reads one JSON value from a byte slice. A type's reader walks
// objects with [Decoder.Object] and [Decoder.Member], arrays with
// [Decoder.Array] and [Decoder.Elem], and reads values with the typed
// methods, without closures and without checking an error at every step:
// the first error sticks, every later read returns a zero value, and
// Member and Elem report false, so the reader runs to its end and the
// caller asks [Decoder.Err] once. A typed method reading null returns the
// zero value, which is what encoding/json leaves in a fresh variable.
//
//	for ok := d.Object(); ok && d.Member(); {
//		switch d.Key() {
//		case "id":
//			e.ID = d.String()
//		default:
//			d.Unknown()
//		}
//	}
type Decoder struct {
	data   []byte
	pos    int
	depth  int
	first  bool // the object or array just opened has no member yet
	strict bool
	key    string
	err    error
}

// NewDecoder returns a Decoder that skips object keys its caller does not
// know (see [Decoder.Unknown]): the rule for answers from a server, which
// may be newer than this client.
func NewDecoder(data []byte) *Decoder { return &Decoder{data: data} }

// NewStrictDecoder returns a Decoder for which [Decoder.Unknown] is an error:
// the rule for requests, where a misspelt option must not become a default.
func NewStrictDecoder(data []byte) *Decoder { return &Decoder{data: data, strict: true} }

// Decode reads all of data as one value with read, refusing anything but
// white space after it, and returns the first error.
func Decode(data []byte, strict bool, read func(d *Decoder)) error {
	d := &Decoder{data: data, strict: strict}
	read(d)
	return d.End()
}

// Err returns the first error met, or nil.
func (d *Decoder) Err() error { return d.err }

// Fail records an error at the current position unless one is recorded
// already: for a reader that finds a value well-formed JSON but wrong.
func (d *Decoder) Fail(msg string) {
	if d.err == nil {
		d.err = &SyntaxError{Offset: d.pos, Msg: msg}
	}
}

func (d *Decoder) space() {
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

// peek returns the first byte of the next value, or 0 at the end or after
// an error.
func (d *Decoder) peek() byte {
	d.space()
	if d.err == nil && d.pos < len(d.data) {
		return d.data[d.pos]
	}
	return 0
}

func (d *Decoder) literal(word string) bool {
	if len(d.data)-d.pos >= len(word) && string(d.data[d.pos:d.pos+len(word)]) == word {
		d.pos += len(word)
		return true
	}
	return false
}

// End returns the first error, or an error unless only white space is left.
func (d *Decoder) End() error {
	if d.err == nil && (d.peek() != 0 || d.pos < len(d.data)) {
		d.Fail("data after the value")
	}
	return d.err
}

// Null consumes a null if one comes next and reports whether it did.
//
//go:noinline
func (d *Decoder) Null() bool {
	return d.peek() == 'n' && d.literal("null")
}

// Key returns the key of the member [Decoder.Member] just read.
func (d *Decoder) Key() string { return d.key }

// Unknown handles the value of a member the caller does not know: an error
// for a strict Decoder, otherwise the value is skipped.
//
//go:noinline
func (d *Decoder) Unknown() {
	if d.strict {
		d.Fail("unknown field " + strconv.Quote(d.key))
		return
	}
	d.Skip()
}

// open consumes the opening bracket c of an object or array, or a null
// (reported false, as is anything else, which is an error).
func (d *Decoder) open(c byte, want string) bool {
	if d.Null() {
		return false
	}
	if d.peek() != c {
		d.Fail(want)
		return false
	}
	if d.depth++; d.depth > MaxDepth {
		d.Fail("nested too deeply")
		return false
	}
	d.pos++
	d.first = true
	return true
}

// next moves to the next member or element of the object or array just
// opened, reporting false at its closing bracket (consumed) or on an error.
func (d *Decoder) next(close byte, want string) bool {
	switch d.peek() {
	case close:
		d.pos++
		d.depth--
		d.first = false // the enclosing value has at least this member
		return false
	case ',':
		if !d.first {
			d.pos++
			return true
		}
	case 0:
		if d.err == nil {
			d.Fail("unexpected end of input")
		}
		return false
	default:
		if d.first {
			d.first = false
			return true
		}
	}
	d.Fail(want)
	return false
}

// Object opens an object and reports true, or reads null and reports false
// (an object with no members); anything else is an error.
//
//go:noinline
func (d *Decoder) Object() bool { return d.open('{', "want an object") }

// Member reads the next member's key (see [Decoder.Key]) and the colon after
// it, and reports true; it reports false at the end of the object. The
// caller must then read the member's value. Keys that repeat come again,
// so the last one wins, as in encoding/json.
//
//go:noinline
func (d *Decoder) Member() bool {
	if !d.next('}', "want ',' or '}' in an object") {
		return false
	}
	if d.peek() != '"' {
		d.Fail("want a string key")
		return false
	}
	d.key = d.str()
	if d.peek() != ':' {
		d.Fail("want ':' after an object key")
		return false
	}
	d.pos++
	return d.err == nil
}

// Array opens an array and reports true, or reads null and reports false
// (an empty array); anything else is an error.
//
//go:noinline
func (d *Decoder) Array() bool { return d.open('[', "want an array") }

// Elem reports whether another element follows, which the caller must then
// read; false at the end of the array.
//
//go:noinline
func (d *Decoder) Elem() bool { return d.next(']', "want ',' or ']' in an array") }

// String reads a string.
//
//go:noinline
func (d *Decoder) String() string {
	if d.Null() {
		return ""
	}
	if d.peek() != '"' {
		d.Fail("want a string")
		return ""
	}
	return d.str()
}

// Strings reads an array of strings; null is nil.
//
//go:noinline
func (d *Decoder) Strings() []string {
	return ReadArray(d, func(s *string, d *Decoder) { *s = d.String() })
}

// Bool reads true or false.
//
//go:noinline
func (d *Decoder) Bool() bool {
	switch d.peek() {
	case 't':
		if d.literal("true") {
			return true
		}
	case 'f':
		if d.literal("false") {
			return false
		}
	case 'n':
		if d.literal("null") {
			return false
		}
	}
	d.Fail("want true or false")
	return false
}

// number consumes one number and returns its text (nil after an error).
func (d *Decoder) number() []byte {
	d.space()
	start := d.pos
	p := d.pos
	digits := func() bool {
		n := p
		for p < len(d.data) && '0' <= d.data[p] && d.data[p] <= '9' {
			p++
		}
		return p > n
	}
	if p < len(d.data) && d.data[p] == '-' {
		p++
	}
	switch {
	case p < len(d.data) && d.data[p] == '0':
		p++
	case !digits():
		d.Fail("want a number")
		return nil
	}
	if p < len(d.data) && d.data[p] == '.' {
		p++
		if !digits() {
			d.pos = p
			d.Fail("want a digit after '.'")
			return nil
		}
	}
	if p < len(d.data) && (d.data[p] == 'e' || d.data[p] == 'E') {
		p++
		if p < len(d.data) && (d.data[p] == '+' || d.data[p] == '-') {
			p++
		}
		if !digits() {
			d.pos = p
			d.Fail("want a digit in the exponent")
			return nil
		}
	}
	d.pos = p
	if d.err != nil {
		return nil
	}
	return d.data[start:p]
}

// numberText reads a number's text and where it starts; nil for null
// (the zero value) and after an error.
func (d *Decoder) numberText() ([]byte, int) {
	if d.Null() {
		return nil, 0
	}
	d.space()
	start := d.pos
	return d.number(), start
}

// Int64 reads an integer. A fraction or exponent is an error, as it is for
// encoding/json decoding into an integer.
//
//go:noinline
func (d *Decoder) Int64() int64 { return d.intIn(math.MinInt64, math.MaxInt64) }

// Int reads an integer that fits an int.
//
//go:noinline
func (d *Decoder) Int() int { return int(d.intIn(math.MinInt, math.MaxInt)) }

func (d *Decoder) intIn(lo, hi int64) int64 {
	b, start := d.numberText()
	if b == nil {
		return 0
	}
	n, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil || n < lo || n > hi {
		d.pos = start
		d.Fail("want an integer in range, not " + string(b))
		return 0
	}
	return n
}

// Uint reads an unsigned integer of at most bits bits (8, 16, 32 or 64).
//
//go:noinline
func (d *Decoder) Uint(bits int) uint64 {
	b, start := d.numberText()
	if b == nil {
		return 0
	}
	n, err := strconv.ParseUint(string(b), 10, bits)
	if err != nil {
		d.pos = start
		d.Fail("want an unsigned " + strconv.Itoa(bits) + "-bit integer, not " + string(b))
		return 0
	}
	return n
}

// Float reads a number as a float64.
//
//go:noinline
func (d *Decoder) Float() float64 {
	b, start := d.numberText()
	if b == nil {
		return 0
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		d.pos = start
		d.Fail("number out of range: " + string(b))
		return 0
	}
	return f
}

// Base64 reads a standard base64 string into bytes, as encoding/json reads
// a []byte; null is nil.
//
//go:noinline
func (d *Decoder) Base64() []byte {
	if d.Null() {
		return nil
	}
	start := d.pos
	s := d.String()
	if d.err != nil {
		return nil
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		d.pos = start
		d.Fail("want standard base64")
		return nil
	}
	return b
}

// Time reads an RFC 3339 time string; null is the zero time.
//
//go:noinline
func (d *Decoder) Time() time.Time {
	if d.Null() {
		return time.Time{}
	}
	start := d.pos
	s := d.String()
	if d.err != nil {
		return time.Time{}
	}
	t, ok := parseRFC3339(s)
	if !ok {
		d.pos = start
		d.Fail("want an RFC 3339 time")
	}
	return t
}

// Raw reads one value of any kind and returns its bytes as they are in the
// input (they alias it).
//
//go:noinline
func (d *Decoder) Raw() []byte {
	d.space()
	start := d.pos
	d.Skip()
	if d.err != nil {
		return nil
	}
	return d.data[start:d.pos]
}

// Skip reads one value of any kind, checking that it is valid JSON.
func (d *Decoder) Skip() {
	switch c := d.peek(); {
	case c == '{':
		for ok := d.Object(); ok && d.Member(); {
			d.Skip()
		}
	case c == '[':
		for ok := d.Array(); ok && d.Elem(); {
			d.Skip()
		}
	case c == '"':
		d.str()
	case c == 't' || c == 'f':
		d.Bool()
	case c == 'n':
		if !d.literal("null") {
			d.Fail("want a value")
		}
	case c == '-' || '0' <= c && c <= '9':
		d.number()
	case c == 0:
		if d.err == nil {
			d.Fail("unexpected end of input")
		}
	default:
		d.Fail("want a value")
	}
}

// str reads the string starting at d.pos (a '"'). Invalid UTF-8 and lone
// surrogates become U+FFFD, as in encoding/json.
func (d *Decoder) str() string {
	start := d.pos + 1
	// Fast path: no escapes, all valid UTF-8.
	for i := start; i < len(d.data); {
		c := d.data[i]
		switch {
		case c == '"':
			d.pos = i + 1
			return string(d.data[start:i])
		case c == '\\':
			return d.slowStr(start)
		case c < 0x20:
			d.pos = i
			d.Fail("control character in a string")
			return ""
		case c < utf8.RuneSelf:
			i++
		default:
			r, size := utf8.DecodeRune(d.data[i:])
			if r == utf8.RuneError && size == 1 {
				return d.slowStr(start)
			}
			i += size
		}
	}
	d.pos = len(d.data)
	d.Fail("unterminated string")
	return ""
}

func (d *Decoder) slowStr(start int) string {
	out := make([]byte, 0, 64)
	i := start
	for i < len(d.data) {
		c := d.data[i]
		switch {
		case c == '"':
			d.pos = i + 1
			return string(out)
		case c < 0x20:
			d.pos = i
			d.Fail("control character in a string")
			return ""
		case c == '\\':
			if i+1 >= len(d.data) {
				d.pos = i
				d.Fail("unterminated string")
				return ""
			}
			e := d.data[i+1]
			i += 2
			switch e {
			case '"', '\\', '/':
				out = append(out, e)
			case 'b':
				out = append(out, '\b')
			case 'f':
				out = append(out, '\f')
			case 'n':
				out = append(out, '\n')
			case 'r':
				out = append(out, '\r')
			case 't':
				out = append(out, '\t')
			case 'u':
				r, ok := hex4(d.data, i)
				if !ok {
					d.pos = i - 2
					d.Fail("bad \\u escape")
					return ""
				}
				i += 4
				if utf16.IsSurrogate(r) {
					r2, ok := rune(-1), false
					if i+6 <= len(d.data) && d.data[i] == '\\' && d.data[i+1] == 'u' {
						r2, ok = hex4(d.data, i+2)
					}
					if dec := utf16.DecodeRune(r, r2); ok && dec != utf8.RuneError {
						r = dec
						i += 6
					} else {
						r = utf8.RuneError
					}
				}
				out = utf8.AppendRune(out, r)
			default:
				d.pos = i - 2
				d.Fail("bad escape in a string")
				return ""
			}
		case c < utf8.RuneSelf:
			out = append(out, c)
			i++
		default:
			r, size := utf8.DecodeRune(d.data[i:])
			out = utf8.AppendRune(out, r) // RuneError for invalid bytes
			i += size
		}
	}
	d.pos = len(d.data)
	d.Fail("unterminated string")
	return ""
}

func hex4(b []byte, i int) (rune, bool) {
	if i+4 > len(b) {
		return 0, false
	}
	var r rune
	for _, c := range b[i : i+4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}
