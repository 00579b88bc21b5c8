package transfer

import (
	"bytes"
	"unicode"
	"unicode/utf8"
)

// The CSV dialect of RFC 4180 as encoding/csv reads and writes it (strict
// quotes, any number of fields per record), written here because
// encoding/csv's error type formats with package fmt, which core.wasm
// does not link. Tests hold both to encoding/csv, record for record and
// error for error.

// csvSyntaxError is a quotation mark out of place: bare in an unquoted
// field, or a quoted field not closed where it should be. Line is where
// the record holding it starts (1 is the file's first line).
type csvSyntaxError struct {
	Line int
	// Bare is true for a quote inside an unquoted field, false for a
	// quoted field that is not closed properly.
	Bare bool
}

func (e *csvSyntaxError) Error() string {
	if e.Bare {
		return "csv: bare quotation mark in a field"
	}
	return "csv: quotation mark missing or out of place in a quoted field"
}

// csvReader reads the records of a CSV text one at a time.
type csvReader struct {
	data  []byte
	comma byte
	line  int // lines consumed so far
}

// next answers the next record and the line it starts on, or ok false at
// the end of the text. A line that is empty between records is skipped.
func (r *csvReader) next() (rec []string, start int, ok bool, err error) {
	var line []byte
	for {
		if line, ok = r.readLine(); !ok {
			return nil, 0, false, nil
		}
		if !isNewline(line) {
			break
		}
	}
	start = r.line
	var field []byte
	for {
		if len(line) == 0 || line[0] != '"' {
			// An unquoted field runs to the next comma or the line's end.
			i := bytes.IndexByte(line, r.comma)
			f := line
			if i >= 0 {
				f = f[:i]
			} else {
				f = f[:len(f)-newlineLen(f)]
			}
			if bytes.IndexByte(f, '"') >= 0 {
				return nil, 0, false, &csvSyntaxError{Line: start, Bare: true}
			}
			rec = append(rec, string(f))
			if i < 0 {
				return rec, start, true, nil
			}
			line = line[i+1:]
			continue
		}
		// A quoted field: "" is a quote, and line breaks are kept (as \n).
		line = line[1:]
		field = field[:0]
		for {
			i := bytes.IndexByte(line, '"')
			if i < 0 {
				if len(line) == 0 {
					return nil, 0, false, &csvSyntaxError{Line: start}
				}
				field = append(field, line...)
				if line, ok = r.readLine(); !ok {
					return nil, 0, false, &csvSyntaxError{Line: start}
				}
				continue
			}
			field = append(field, line[:i]...)
			line = line[i+1:]
			switch {
			case len(line) > 0 && line[0] == '"':
				field = append(field, '"')
				line = line[1:]
				continue
			case len(line) > 0 && line[0] == r.comma:
				rec = append(rec, string(field))
				line = line[1:]
			case newlineLen(line) == len(line):
				// The quote closed the field at the end of a line (or of
				// the text).
				return append(rec, string(field)), start, true, nil
			default:
				return nil, 0, false, &csvSyntaxError{Line: start}
			}
			break
		}
	}
}

// readLine answers the next line with its line break, a "\r\n" read as
// "\n" and a lone "\r" dropped before the end of the text.
func (r *csvReader) readLine() ([]byte, bool) {
	if len(r.data) == 0 {
		return nil, false
	}
	var line []byte
	if i := bytes.IndexByte(r.data, '\n'); i >= 0 {
		line, r.data = r.data[:i+1], r.data[i+1:]
	} else {
		line, r.data = r.data, nil
		if line[len(line)-1] == '\r' {
			line = line[:len(line)-1]
		}
	}
	r.line++
	if n := len(line); n >= 2 && line[n-2] == '\r' && line[n-1] == '\n' {
		// A copy: the caller's data is not ours to change.
		line = append(line[:n-2:n-2], '\n')
	}
	return line, true
}

// newlineLen is 1 when b ends with a line break.
func newlineLen(b []byte) int {
	if len(b) > 0 && b[len(b)-1] == '\n' {
		return 1
	}
	return 0
}

func isNewline(b []byte) bool { return len(b) == newlineLen(b) }

// appendCSVRecord appends one record to dst: fields separated by commas,
// quoted where a reader would otherwise misread them, ended by "\r\n".
func appendCSVRecord(dst []byte, fields []string) []byte {
	for i, f := range fields {
		if i > 0 {
			dst = append(dst, ',')
		}
		if !csvNeedsQuotes(f) {
			dst = append(dst, f...)
			continue
		}
		dst = append(dst, '"')
		for j := 0; j < len(f); j++ {
			switch c := f[j]; c {
			case '"':
				dst = append(dst, '"', '"')
			case '\r':
				// dropped: a line break inside a field is written as \r\n
			case '\n':
				dst = append(dst, '\r', '\n')
			default:
				dst = append(dst, c)
			}
		}
		dst = append(dst, '"')
	}
	return append(dst, '\r', '\n')
}

// csvNeedsQuotes says whether f must be quoted: it holds a comma, a quote
// or a line break, starts with a space, or is \. (an end-of-data mark to
// some readers).
func csvNeedsQuotes(f string) bool {
	if f == "" {
		return false
	}
	if f == `\.` {
		return true
	}
	for i := 0; i < len(f); i++ {
		switch f[i] {
		case ',', '"', '\r', '\n':
			return true
		}
	}
	r, _ := utf8.DecodeRuneInString(f)
	return unicode.IsSpace(r)
}
