package vault

import (
	"encoding/binary"
	"strconv"
	"time"

	"watchword/wasm/wrap"
)

// Entry types of this build.
const (
	TypeLogin    Type = 1
	TypeCard     Type = 2
	TypeIdentity Type = 3
	TypeNote     Type = 4
	TypeDocument Type = 5
)

// Fields common to every type (tags 1 to 15 are reserved for these).
const (
	TagFavourite Tag = 1 // bool
	TagCreated   Tag = 2 // time
	TagModified  Tag = 3 // time
	TagName      Tag = 4 // string: the entry's title
	TagNotes     Tag = 5 // string
	TagHistory   Tag = 6 // history: earlier and conflicting values of any field
)

// Login fields.
const (
	TagURLs     Tag = 16 // urls
	TagUsername Tag = 17 // string
	TagPassword Tag = 18 // secret
	TagTOTP     Tag = 19 // secret: the TOTP secret or otpauth:// URI
)

// Card fields.
const (
	TagCardholder   Tag = 16 // string
	TagCardNumber   Tag = 17 // secret
	TagCardExpiry   Tag = 18 // string, "MM/YYYY"
	TagSecurityCode Tag = 19 // secret
	TagCardPIN      Tag = 20 // secret
)

// Identity fields.
const (
	TagGivenName  Tag = 16
	TagFamilyName Tag = 17
	TagCompany    Tag = 18
	TagEmail      Tag = 19
	TagPhone      Tag = 20
	TagStreet     Tag = 21
	TagCity       Tag = 22
	TagRegion     Tag = 23
	TagPostalCode Tag = 24
	TagCountry    Tag = 25 // ISO 3166-1 alpha-2
)

// Document fields.
const (
	TagMIMEType Tag = 16 // string
	TagData     Tag = 17 // bytes
)

// String returns field tag as a string ("" when absent). The value is not
// checked to be UTF-8; [Schema.AppendJSON] replaces invalid sequences.
func (e *Entry) String(tag Tag) string {
	v, _ := e.Raw(tag)
	return string(v)
}

// SetString sets field tag to s; an empty s removes the field, since an
// empty known field and an absent one mean the same.
func (e *Entry) SetString(tag Tag, s string) {
	if s == "" {
		e.Delete(tag)
		return
	}
	e.SetRaw(tag, []byte(s))
}

// Bool reports whether field tag holds true (the single byte 1).
func (e *Entry) Bool(tag Tag) bool {
	v, _ := e.Raw(tag)
	return len(v) == 1 && v[0] == 1
}

// SetBool sets field tag; false removes it.
func (e *Entry) SetBool(tag Tag, b bool) {
	if !b {
		e.Delete(tag)
		return
	}
	e.SetRaw(tag, []byte{1})
}

// Time returns field tag as a time (milliseconds since the Unix epoch,
// 8 bytes big-endian), or the zero time when absent or malformed.
func (e *Entry) Time(tag Tag) time.Time {
	v, _ := e.Raw(tag)
	ms, ok := decodeTime(v)
	if !ok {
		return time.Time{}
	}
	return time.UnixMilli(ms)
}

// SetTime sets field tag to t at millisecond precision; the zero time
// removes it.
func (e *Entry) SetTime(tag Tag, t time.Time) {
	if t.IsZero() {
		e.Delete(tag)
		return
	}
	e.SetRaw(tag, binary.BigEndian.AppendUint64(nil, uint64(t.UnixMilli())))
}

func decodeTime(v []byte) (int64, bool) {
	if len(v) != 8 {
		return 0, false
	}
	return int64(binary.BigEndian.Uint64(v)), true
}

// Match is how a login URL is matched against a page.
type Match uint8

// Match rules. Values this build does not know are kept as they are.
const (
	MatchDomain Match = 0 // same registrable domain (public suffix list); the default
	MatchHost   Match = 1 // exactly the same host
	MatchPrefix Match = 2 // the page URL starts with this URL
	MatchNever  Match = 3 // never offered for this URL
)

var matchNames = [...]string{"domain", "host", "prefix", "never"}

func (m Match) String() string {
	if int(m) < len(matchNames) {
		return matchNames[m]
	}
	return "match(" + strconv.Itoa(int(uint8(m))) + ")"
}

// ParseMatch returns the Match named s ("domain", "host", "prefix", "never").
func ParseMatch(s string) (Match, bool) {
	for i, n := range matchNames {
		if n == s {
			return Match(i), true
		}
	}
	return 0, false
}

// URL is one URL of a login with its match rule.
type URL struct {
	URL   string
	Match Match

	extra []field // sub-fields of other versions, kept as they are
}

// HistoryItem is an earlier or conflicting value of one field: a password
// that was replaced, or the losing side of a sync conflict.
type HistoryItem struct {
	Field Tag       // the field the value belonged to
	Value []byte    // the raw value
	Time  time.Time // when it was replaced

	extra []field
}

// Sub-field tags of list items. A list is a sequence of items, each
// length:uvarint followed by fields encoded like an entry's (without type).
const (
	subURL   Tag = 1 // URL: the URL string
	subMatch Tag = 2 // URL: the match rule, one byte; absent means MatchDomain

	subValue Tag = 1 // history: the raw value
	subTime  Tag = 2 // history: time, like TagCreated
	subField Tag = 3 // history: the field's tag, uvarint; absent means TagPassword
)

// URLs returns the login's URLs in order.
func (e *Entry) URLs() ([]URL, error) {
	v, _ := e.Raw(TagURLs)
	var out []URL
	err := parseList(v, func(fs []field) error {
		u := URL{}
		for _, f := range fs {
			switch f.tag {
			case subURL:
				u.URL = string(f.val)
			case subMatch:
				if len(f.val) != 1 {
					return wrap.Error("bad match rule", ErrMalformed)
				}
				u.Match = Match(f.val[0])
			default:
				u.extra = append(u.extra, f)
			}
		}
		out = append(out, u)
		return nil
	})
	if err != nil {
		return nil, wrap.Error("entry "+e.ID+": urls", err)
	}
	return out, nil
}

// SetURLs replaces the login's URLs; none removes the field. Sub-fields of
// other versions in urls (as returned by [Entry.URLs]) are kept.
func (e *Entry) SetURLs(urls []URL) {
	if len(urls) == 0 {
		e.Delete(TagURLs)
		return
	}
	var b, item []byte
	for _, u := range urls {
		fs := make([]field, 0, 2+len(u.extra))
		if u.URL != "" {
			fs = append(fs, field{subURL, []byte(u.URL)})
		}
		if u.Match != MatchDomain {
			fs = append(fs, field{subMatch, []byte{byte(u.Match)}})
		}
		item = appendFields(item[:0], mergeExtra(fs, u.extra))
		b = binary.AppendUvarint(b, uint64(len(item)))
		b = append(b, item...)
	}
	e.SetRaw(TagURLs, b)
}

// History returns the entry's history, oldest first.
func (e *Entry) History() ([]HistoryItem, error) {
	v, _ := e.Raw(TagHistory)
	var out []HistoryItem
	err := parseList(v, func(fs []field) error {
		h := HistoryItem{Field: TagPassword}
		for _, f := range fs {
			switch f.tag {
			case subValue:
				h.Value = f.val
			case subTime:
				ms, ok := decodeTime(f.val)
				if !ok {
					return wrap.Error("bad time", ErrMalformed)
				}
				h.Time = time.UnixMilli(ms)
			case subField:
				t, n, ok := readUvarint32(f.val)
				if !ok || n != len(f.val) || t == 0 {
					return wrap.Error("bad field tag", ErrMalformed)
				}
				h.Field = Tag(t)
			default:
				h.extra = append(h.extra, f)
			}
		}
		out = append(out, h)
		return nil
	})
	if err != nil {
		return nil, wrap.Error("entry "+e.ID+": history", err)
	}
	return out, nil
}

// AppendHistory appends one item to the entry's history: value is the
// earlier (or conflicting) raw value of field tag, replaced at time at. Items
// already there are kept byte for byte, including any of other versions.
func (e *Entry) AppendHistory(tag Tag, value []byte, at time.Time) {
	fs := make([]field, 0, 3)
	if len(value) > 0 {
		fs = append(fs, fieldOf(subValue, value))
	}
	if !at.IsZero() {
		fs = append(fs, fieldOf(subTime, binary.BigEndian.AppendUint64(nil, uint64(at.UnixMilli()))))
	}
	if tag != TagPassword && tag != 0 {
		fs = append(fs, fieldOf(subField, binary.AppendUvarint(nil, uint64(tag))))
	}
	item := appendFields(nil, fs)
	old, _ := e.Raw(TagHistory)
	b := make([]byte, 0, len(old)+uvarintLen(uint64(len(item)))+len(item))
	b = append(b, old...)
	b = binary.AppendUvarint(b, uint64(len(item)))
	b = append(b, item...)
	e.SetRaw(TagHistory, b)
}

func fieldOf(tag Tag, val []byte) field { return field{tag: tag, val: val} }

// mergeExtra returns known and extra fields together in tag order. A known
// sub-field wins over an extra one with the same tag.
func mergeExtra(known, extra []field) []field {
	if len(extra) == 0 {
		return known
	}
	out := make([]field, 0, len(known)+len(extra))
	i, j := 0, 0
	for i < len(known) || j < len(extra) {
		switch {
		case j == len(extra) || i < len(known) && known[i].tag < extra[j].tag:
			out = append(out, known[i])
			i++
		case i == len(known) || extra[j].tag < known[i].tag:
			out = append(out, extra[j])
			j++
		default: // same tag
			out = append(out, known[i])
			i++
			j++
		}
	}
	return out
}

// nextItem splits the first item off a non-empty list value, appending its
// fields to fs, and returns them with the rest of the list. The hot paths
// (status, JSON) loop over it with fs on the stack, so reading a list does
// not allocate.
func nextItem(b []byte, fs []field) ([]field, []byte, error) {
	l, n, ok := readUvarint(b)
	if !ok || l > uint64(len(b)-n) {
		return fs, nil, wrap.Error("bad item length", ErrMalformed)
	}
	fs, err := parseFields(fs, b[n:n+int(l)])
	return fs, b[n+int(l):], err
}

// parseList calls item with the fields of every item of a list value.
func parseList(b []byte, item func([]field) error) error {
	var fs []field
	for len(b) > 0 {
		var err error
		if fs, b, err = nextItem(b, fs[:0]); err != nil {
			return err
		}
		if err := item(fs); err != nil {
			return err
		}
	}
	return nil
}

// validList reports whether b is a well-formed list.
func validList(b []byte) bool {
	var buf [8]field
	for len(b) > 0 {
		var err error
		if _, b, err = nextItem(b, buf[:0]); err != nil {
			return false
		}
	}
	return true
}
