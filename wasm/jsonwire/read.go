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

// A Decoder reads one JSON value from a byte slice. Each type's decoder
// walks it with [Decoder.Object] and [Decoder.Array] and reads members with
// the typed methods; a typed method reading null returns the zero value,
// which is what encoding/json leaves in a fresh variable.
type Decoder struct {
	data   []byte
	pos    int
	depth  int
	strict bool
}

// NewDecoder returns a Decoder that skips object keys its caller does not
// know (pass them to [Decoder.Unknown]): the rule for answers from a server,
// which may be newer than this client.
func NewDecoder(data []byte) *Decoder { return &Decoder{data: data} }

// NewStrictDecoder returns a Decoder for which [Decoder.Unknown] is an error:
// the rule for requests, where a misspelt option must not become a default.
func NewStrictDecoder(data []byte) *Decoder { return &Decoder{data: data, strict: true} }

// Decode reads all of data as one value with read, refusing anything but
// white space after it.
func Decode(data []byte, strict bool, read func(d *Decoder) error) error {
	d := &Decoder{data: data, strict: strict}
	if err := read(d); err != nil {
		return err
	}
	return d.End()
}

func (d *Decoder) errorf(msg string) error { return &SyntaxError{Offset: d.pos, Msg: msg} }

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

// peek returns the first byte of the next value, or 0 at the end.
func (d *Decoder) peek() byte {
	d.space()
	if d.pos < len(d.data) {
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

// End reports an error unless only white space is left.
func (d *Decoder) End() error {
	if d.peek() != 0 || d.pos < len(d.data) {
		return d.errorf("data after the value")
	}
	return nil
}

// Null consumes a null if one comes next and reports whether it did.
func (d *Decoder) Null() bool {
	return d.peek() == 'n' && d.literal("null")
}

// Unknown handles a member the caller does not know: an error for a strict
// Decoder, otherwise the value is skipped.
func (d *Decoder) Unknown(key string) error {
	if d.strict {
		return d.errorf("unknown field " + strconv.Quote(key))
	}
	return d.Skip()
}

// Object reads an object, calling member with each key; member must read
// the value (or call Unknown). null is an object with no members. Keys that
// repeat are passed again, so the last one wins, as in encoding/json.
func (d *Decoder) Object(member func(key string) error) error {
	if d.Null() {
		return nil
	}
	if d.peek() != '{' {
		return d.errorf("want an object")
	}
	if d.depth++; d.depth > MaxDepth {
		return d.errorf("nested too deeply")
	}
	d.pos++
	if d.peek() == '}' {
		d.pos++
		d.depth--
		return nil
	}
	for {
		if d.peek() != '"' {
			return d.errorf("want a string key")
		}
		key, err := d.str()
		if err != nil {
			return err
		}
		if d.peek() != ':' {
			return d.errorf("want ':' after an object key")
		}
		d.pos++
		if err := member(key); err != nil {
			return err
		}
		switch d.peek() {
		case ',':
			d.pos++
		case '}':
			d.pos++
			d.depth--
			return nil
		default:
			return d.errorf("want ',' or '}' in an object")
		}
	}
}

// Array reads an array, calling elem once per element; elem must read it.
// null is an empty array.
func (d *Decoder) Array(elem func() error) error {
	if d.Null() {
		return nil
	}
	if d.peek() != '[' {
		return d.errorf("want an array")
	}
	if d.depth++; d.depth > MaxDepth {
		return d.errorf("nested too deeply")
	}
	d.pos++
	if d.peek() == ']' {
		d.pos++
		d.depth--
		return nil
	}
	for {
		if err := elem(); err != nil {
			return err
		}
		switch d.peek() {
		case ',':
			d.pos++
		case ']':
			d.pos++
			d.depth--
			return nil
		default:
			return d.errorf("want ',' or ']' in an array")
		}
	}
}

// String reads a string.
func (d *Decoder) String() (string, error) {
	if d.Null() {
		return "", nil
	}
	if d.peek() != '"' {
		return "", d.errorf("want a string")
	}
	return d.str()
}

// Strings reads an array of strings; null is nil.
func (d *Decoder) Strings() ([]string, error) {
	var out []string
	if d.Null() {
		return nil, nil
	}
	err := d.Array(func() error {
		s, err := d.String()
		out = append(out, s)
		return err
	})
	if err == nil && out == nil {
		out = []string{}
	}
	return out, err
}

// Bool reads true or false.
func (d *Decoder) Bool() (bool, error) {
	switch d.peek() {
	case 't':
		if d.literal("true") {
			return true, nil
		}
	case 'f':
		if d.literal("false") {
			return false, nil
		}
	case 'n':
		if d.literal("null") {
			return false, nil
		}
	}
	return false, d.errorf("want true or false")
}

// number consumes one number and returns its text.
func (d *Decoder) number() ([]byte, error) {
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
		return nil, d.errorf("want a number")
	}
	if p < len(d.data) && d.data[p] == '.' {
		p++
		if !digits() {
			d.pos = p
			return nil, d.errorf("want a digit after '.'")
		}
	}
	if p < len(d.data) && (d.data[p] == 'e' || d.data[p] == 'E') {
		p++
		if p < len(d.data) && (d.data[p] == '+' || d.data[p] == '-') {
			p++
		}
		if !digits() {
			d.pos = p
			return nil, d.errorf("want a digit in the exponent")
		}
	}
	d.pos = p
	return d.data[start:p], nil
}

// Int64 reads an integer. A fraction or exponent is an error, as it is for
// encoding/json decoding into an integer.
func (d *Decoder) Int64() (int64, error) {
	return d.intIn(math.MinInt64, math.MaxInt64)
}

// Int reads an integer that fits an int.
func (d *Decoder) Int() (int, error) {
	n, err := d.intIn(math.MinInt, math.MaxInt)
	return int(n), err
}

func (d *Decoder) intIn(lo, hi int64) (int64, error) {
	if d.Null() {
		return 0, nil
	}
	start := d.pos
	b, err := d.number()
	if err != nil {
		return 0, err
	}
	n, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil || n < lo || n > hi {
		d.pos = start
		return 0, d.errorf("want an integer in range, not " + string(b))
	}
	return n, nil
}

// Uint reads an unsigned integer of at most bits bits (8, 16, 32 or 64).
func (d *Decoder) Uint(bits int) (uint64, error) {
	if d.Null() {
		return 0, nil
	}
	start := d.pos
	b, err := d.number()
	if err != nil {
		return 0, err
	}
	n, err := strconv.ParseUint(string(b), 10, bits)
	if err != nil {
		d.pos = start
		return 0, d.errorf("want an unsigned " + strconv.Itoa(bits) + "-bit integer, not " + string(b))
	}
	return n, nil
}

// Float reads a number as a float64.
func (d *Decoder) Float() (float64, error) {
	if d.Null() {
		return 0, nil
	}
	start := d.pos
	b, err := d.number()
	if err != nil {
		return 0, err
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		d.pos = start
		return 0, d.errorf("number out of range: " + string(b))
	}
	return f, nil
}

// Base64 reads a standard base64 string into bytes, as encoding/json reads
// a []byte; null is nil.
func (d *Decoder) Base64() ([]byte, error) {
	if d.Null() {
		return nil, nil
	}
	start := d.pos
	s, err := d.String()
	if err != nil {
		return nil, err
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		d.pos = start
		return nil, d.errorf("want standard base64")
	}
	return b, nil
}

// Time reads an RFC 3339 time string; null is the zero time.
func (d *Decoder) Time() (time.Time, error) {
	if d.Null() {
		return time.Time{}, nil
	}
	start := d.pos
	s, err := d.String()
	if err != nil {
		return time.Time{}, err
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		d.pos = start
		return time.Time{}, d.errorf("want an RFC 3339 time")
	}
	return t, nil
}

// Raw reads one value of any kind and returns its bytes as they are in the
// input (they alias it).
func (d *Decoder) Raw() ([]byte, error) {
	d.space()
	start := d.pos
	if err := d.Skip(); err != nil {
		return nil, err
	}
	return d.data[start:d.pos], nil
}

// Skip reads one value of any kind, checking that it is valid JSON.
func (d *Decoder) Skip() error {
	switch c := d.peek(); {
	case c == '{':
		return d.Object(func(string) error { return d.Skip() })
	case c == '[':
		return d.Array(d.Skip)
	case c == '"':
		_, err := d.str()
		return err
	case c == 't' || c == 'f':
		_, err := d.Bool()
		return err
	case c == 'n':
		if d.literal("null") {
			return nil
		}
	case c == '-' || '0' <= c && c <= '9':
		_, err := d.number()
		return err
	case c == 0:
		return d.errorf("unexpected end of input")
	}
	return d.errorf("want a value")
}

// str reads the string starting at d.pos (a '"'). Invalid UTF-8 and lone
// surrogates become U+FFFD, as in encoding/json.
func (d *Decoder) str() (string, error) {
	start := d.pos + 1
	// Fast path: no escapes, all valid UTF-8.
	for i := start; i < len(d.data); {
		c := d.data[i]
		switch {
		case c == '"':
			d.pos = i + 1
			return string(d.data[start:i]), nil
		case c == '\\':
			return d.slowStr(start)
		case c < 0x20:
			d.pos = i
			return "", d.errorf("control character in a string")
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
	return "", d.errorf("unterminated string")
}

func (d *Decoder) slowStr(start int) (string, error) {
	out := make([]byte, 0, 64)
	i := start
	for i < len(d.data) {
		c := d.data[i]
		switch {
		case c == '"':
			d.pos = i + 1
			return string(out), nil
		case c < 0x20:
			d.pos = i
			return "", d.errorf("control character in a string")
		case c == '\\':
			if i+1 >= len(d.data) {
				d.pos = i
				return "", d.errorf("unterminated string")
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
					return "", d.errorf("bad \\u escape")
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
				return "", d.errorf("bad escape in a string")
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
	return "", d.errorf("unterminated string")
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
