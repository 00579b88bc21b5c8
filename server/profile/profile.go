package profile

import (
	"bufio"
	_ "embed"
	"fmt"
	"slices"
	"strings"
	"time"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"

	"watchword/wasm/api"
)

// Profile is what the portal's profile form submits. Empty TimeZone or
// DateFormat means "not set"; Country is required.
type Profile struct {
	Country    string `json:"country"`     // ISO 3166-1 alpha-2
	TimeZone   string `json:"time_zone"`   // IANA name, e.g. "Europe/Berlin"
	DateFormat string `json:"date_format"` // one of DateFormats
}

// Field names used in errors; they match the JSON names.
const (
	FieldCountry    = "country"
	FieldTimeZone   = "time_zone"
	FieldDateFormat = "date_format"
)

// FieldError is one invalid field.
type FieldError struct {
	Field   string
	Message string // for people; names the field
}

// ValidationError lists every invalid field of a profile.
type ValidationError struct {
	Fields []FieldError
}

func (e *ValidationError) Error() string {
	msgs := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		msgs[i] = f.Message
	}
	return strings.Join(msgs, "; ")
}

// APIError returns the error as the API reports it: code invalid, the
// messages joined, and the field names as details.
func (e *ValidationError) APIError() *api.Error {
	d := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		d[i] = f.Field
	}
	return &api.Error{Code: api.CodeInvalid, Message: e.Error(), Details: d}
}

// Validate checks p and returns it normalised (country code upper-cased,
// surrounding spaces removed). The error, if any, is a *ValidationError
// listing every bad field.
func Validate(p Profile) (Profile, error) {
	var errs []FieldError
	var err error
	if p.Country, err = ValidateCountry(p.Country); err != nil {
		errs = append(errs, FieldError{FieldCountry, err.Error()})
	}
	if p.TimeZone, err = ValidateTimeZone(p.TimeZone); err != nil {
		errs = append(errs, FieldError{FieldTimeZone, err.Error()})
	}
	if p.DateFormat, err = ValidateDateFormat(p.DateFormat); err != nil {
		errs = append(errs, FieldError{FieldDateFormat, err.Error()})
	}
	if errs != nil {
		return p, &ValidationError{Fields: errs}
	}
	return p, nil
}

// Country is one ISO 3166-1 entry.
type Country struct {
	Code string `json:"code"` // alpha-2, upper case
	Name string `json:"name"` // English short name
}

//go:embed countries.tsv
var countriesTSV string

var (
	byCode map[string]string
	byName []Country
)

// maxTimeZoneLen bounds a time zone name; the longest IANA name is 32
// characters ("America/Argentina/ComodRivadavia").
const maxTimeZoneLen = 64

func init() {
	byCode = make(map[string]string, 249)
	sc := bufio.NewScanner(strings.NewReader(countriesTSV))
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		code, name, ok := strings.Cut(line, "\t")
		if !ok || len(code) != 2 || name == "" || byCode[code] != "" {
			panic(fmt.Sprintf("profile: bad line in countries.tsv: %q", line))
		}
		byCode[code] = name
		byName = append(byName, Country{code, name})
	}
	// Sort by English collation, so "Åland Islands" comes after "Albania"
	// rather than after "Zimbabwe".
	c := collate.New(language.English, collate.Loose)
	slices.SortStableFunc(byName, func(a, b Country) int { return c.CompareString(a.Name, b.Name) })
}

// Countries returns every country or region, sorted by English name.
func Countries() []Country { return slices.Clone(byName) }

// CountryName returns the English name of an alpha-2 code.
func CountryName(code string) (string, bool) {
	n, ok := byCode[code]
	return n, ok
}

// ValidateCountry returns code upper-cased if it is an assigned ISO 3166-1
// alpha-2 code.
func ValidateCountry(code string) (string, error) {
	c := strings.ToUpper(strings.TrimSpace(code))
	if c == "" {
		return "", fmt.Errorf("country/region is required")
	}
	if _, ok := byCode[c]; !ok {
		return "", fmt.Errorf("country/region %.10q is not an ISO 3166-1 alpha-2 code", code)
	}
	return c, nil
}

// ValidateTimeZone returns name if it is empty (not set) or an IANA time
// zone name such as "Europe/Berlin" or "UTC". "Local" is refused: it means
// the server's zone, not the user's.
func ValidateTimeZone(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return "", nil
	}
	bad := len(name) > maxTimeZoneLen || name == "Local" || strings.HasPrefix(name, "/") || strings.Contains(name, "..")
	for i := 0; i < len(name) && !bad; i++ {
		c := name[i]
		bad = !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '/' || c == '_' || c == '-' || c == '+')
	}
	if !bad {
		if _, err := time.LoadLocation(name); err != nil {
			bad = true
		}
	}
	if bad {
		return "", fmt.Errorf("time zone %.40q is not an IANA time zone name (like Europe/Berlin)", name)
	}
	return name, nil
}

// DateFormat is one of the date formats a user can choose.
type DateFormat struct {
	Pattern string `json:"pattern"` // what the user sees and the profile stores
	Layout  string `json:"-"`       // the Go time layout
	Example string `json:"example"` // 31 December 2025 in this format
}

var dateFormats = []DateFormat{
	{"YYYY-MM-DD", "2006-01-02", "2025-12-31"},
	{"DD.MM.YYYY", "02.01.2006", "31.12.2025"},
	{"DD/MM/YYYY", "02/01/2006", "31/12/2025"},
	{"MM/DD/YYYY", "01/02/2006", "12/31/2025"},
}

// DateFormats returns the formats a user can choose, the default
// (ISO 8601) first.
func DateFormats() []DateFormat { return slices.Clone(dateFormats) }

// ValidateDateFormat returns pattern if it is empty (not set) or one of
// DateFormats.
func ValidateDateFormat(pattern string) (string, error) {
	pattern = strings.TrimSpace(pattern)
	if pattern == "" {
		return "", nil
	}
	if _, ok := Layout(pattern); !ok {
		names := make([]string, len(dateFormats))
		for i, f := range dateFormats {
			names[i] = f.Pattern
		}
		return "", fmt.Errorf("date format %.20q is not one of %s", pattern, strings.Join(names, ", "))
	}
	return pattern, nil
}

// Layout returns the Go time layout of a date format pattern.
func Layout(pattern string) (string, bool) {
	for _, f := range dateFormats {
		if f.Pattern == pattern {
			return f.Layout, true
		}
	}
	return "", false
}
