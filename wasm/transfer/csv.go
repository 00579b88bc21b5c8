package transfer

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"

	"watchword/wasm/api"
)

// Login is one login as a CSV file holds it.
type Login struct {
	Name     string
	URL      string
	Username string
	Password string
	Notes    string
	TOTP     string
}

// Skipped is a row ReadCSV left out: its line in the file (1 is the
// header) and why, in words that never quote the row.
type Skipped struct {
	Line   int
	Reason string
}

// Limits on what ReadCSV takes: a file larger than a browser's export of a
// very large vault, or a cell longer than any login field, is refused
// rather than half read.
const (
	MaxFileBytes = 16 << 20
	MaxRows      = 100_000
	MaxCellBytes = 64 << 10
)

// column is what a header cell names.
type column int

const (
	colIgnored column = iota
	colName
	colURL
	colUsername
	colPassword
	colNotes
	colTOTP
)

// headerColumn is the column a header cell names, lower-cased and
// trimmed: the names Chrome, Firefox, Safari, Edge and the common password
// managers write. (A switch, not a map, so nothing is built at every start
// of the core.)
func headerColumn(name string) column {
	switch name {
	case "name", "title", "login_name", "account":
		return colName
	case "url", "login_uri", "website", "web site", "uri", "origin", "hostname":
		return colURL
	case "username", "login_username", "user name", "user", "login", "login name":
		return colUsername
	case "password", "login_password":
		return colPassword
	case "note", "notes", "extra", "comment", "comments":
		return colNotes
	case "totp", "login_totp", "otpauth", "otp", "otpsecret":
		return colTOTP
	}
	return colIgnored
}

// ReadCSV reads the logins of a password CSV file. The error, if any, is
// an *api.Error (CodeInvalid for a file that is not such a CSV, CodeTooLarge
// over the limits) and nothing is read; otherwise every row with a
// username or a password is a Login, and the others are Skipped.
func ReadCSV(data []byte) ([]Login, []Skipped, error) {
	if len(data) > MaxFileBytes {
		return nil, nil, api.NewError(api.CodeTooLarge, "the file is larger than "+strconv.Itoa(MaxFileBytes>>20)+" MB")
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // a spreadsheet's byte-order mark
	if !utf8.Valid(data) {
		return nil, nil, api.NewError(api.CodeInvalid, "the file is not UTF-8 text: export it again as CSV (UTF-8)")
	}
	r := &csvReader{data: data, comma: delimiter(data)}
	header, _, ok, err := r.next()
	if err != nil {
		return nil, nil, csvError(err)
	}
	if !ok {
		return nil, nil, api.NewError(api.CodeInvalid, "the file is empty")
	}
	cols := make([]column, len(header))
	has := map[column]bool{}
	for i, h := range header {
		c := headerColumn(strings.ToLower(strings.TrimSpace(h)))
		if c != colIgnored && has[c] {
			c = colIgnored // a second column of the same name: the first one counts
		}
		cols[i], has[c] = c, true
	}
	if !has[colPassword] && !has[colUsername] {
		return nil, nil, api.NewError(api.CodeInvalid, "this does not look like a password export: its first line should name the columns (name, url, username, password)")
	}
	var logins []Login
	var skipped []Skipped
	for rows := 0; ; rows++ {
		// Rows of the wrong width are skipped one by one, below.
		rec, line, ok, err := r.next()
		if err != nil {
			return nil, nil, csvError(err)
		}
		if !ok {
			break
		}
		if rows >= MaxRows {
			return nil, nil, api.NewError(api.CodeTooLarge, "the file has more than "+strconv.Itoa(MaxRows)+" rows")
		}
		if blank(rec) {
			continue
		}
		if len(rec) != len(header) {
			skipped = append(skipped, Skipped{line, "it has " + strconv.Itoa(len(rec)) + " columns where the first line names " + strconv.Itoa(len(header))})
			continue
		}
		l, why := login(cols, rec)
		if why != "" {
			skipped = append(skipped, Skipped{line, why})
			continue
		}
		logins = append(logins, l)
	}
	return logins, skipped, nil
}

// delimiter is the separator of the file's first line: a comma, unless
// that line has none and semicolons (what a spreadsheet writes where the
// comma is the decimal sign) or tabs instead.
func delimiter(data []byte) byte {
	first := data
	if i := bytes.IndexByte(first, '\n'); i >= 0 {
		first = first[:i]
	}
	if bytes.IndexByte(first, ',') >= 0 {
		return ','
	}
	if semi, tab := bytes.Count(first, []byte{';'}), bytes.Count(first, []byte{'\t'}); semi > 0 || tab > 0 {
		if tab > semi {
			return '\t'
		}
		return ';'
	}
	return ','
}

// login reads one row, or says why it is left out.
func login(cols []column, rec []string) (Login, string) {
	var l Login
	for i, v := range rec {
		if len(v) > MaxCellBytes {
			return Login{}, "a cell is longer than " + strconv.Itoa(MaxCellBytes>>10) + " KB"
		}
		switch cols[i] {
		case colName:
			l.Name = strings.TrimSpace(v)
		case colURL:
			l.URL = strings.TrimSpace(v)
		case colUsername:
			l.Username = v
		case colPassword:
			l.Password = v
		case colNotes:
			l.Notes = v
		case colTOTP:
			l.TOTP = strings.TrimSpace(v)
		}
	}
	if l.Username == "" && l.Password == "" {
		return Login{}, "it has no username and no password"
	}
	if l.Name == "" {
		l.Name = nameFor(l)
	}
	return l, ""
}

// nameFor names a login that came without one (Firefox writes none): the
// host of its URL without "www.", else its username.
func nameFor(l Login) string {
	h := l.URL
	if i := strings.Index(h, "://"); i >= 0 {
		h = h[i+3:]
	}
	if i := strings.IndexAny(h, "/?#"); i >= 0 {
		h = h[:i]
	}
	if i := strings.LastIndexByte(h, '@'); i >= 0 {
		h = h[i+1:]
	}
	if i := strings.LastIndexByte(h, ':'); i >= 0 && !strings.Contains(h[i:], "]") {
		h = h[:i]
	}
	h = strings.TrimSpace(strings.TrimPrefix(strings.ToLower(h), "www."))
	if h != "" {
		return h
	}
	return strings.TrimSpace(l.Username)
}

func blank(rec []string) bool {
	for _, v := range rec {
		if strings.TrimSpace(v) != "" {
			return false
		}
	}
	return true
}

// csvError words a parse error by its line, never its text.
func csvError(err error) error {
	var se *csvSyntaxError
	if errors.As(err, &se) {
		return api.NewError(api.CodeInvalid, "line "+strconv.Itoa(se.Line)+" of the file: a quotation mark is out of place; nothing was imported")
	}
	return api.NewError(api.CodeInvalid, "the file cannot be read as CSV; nothing was imported")
}

// csvHeader is the first line WriteCSV writes: Chrome's columns, then totp.
var csvHeader = []string{"name", "url", "username", "password", "note", "totp"}

// WriteCSV writes logins in Chrome's layout with a totp column, CRLF line
// ends and quotes where a cell needs them.
func WriteCSV(logins []Login) []byte {
	b := appendCSVRecord(nil, csvHeader)
	for _, l := range logins {
		b = appendCSVRecord(b, []string{l.Name, l.URL, l.Username, l.Password, l.Notes, l.TOTP})
	}
	return b
}
