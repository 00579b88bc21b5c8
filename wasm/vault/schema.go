package vault

import (
	"slices"
	"sort"
	"strconv"
	"sync"

	"watchword/wasm/api"
)

// Kind says how a known field's value bytes are interpreted.
type Kind uint8

// Field kinds.
const (
	KindString  Kind = iota + 1 // UTF-8 text
	KindSecret                  // UTF-8 text shown masked (passwords, card numbers)
	KindBool                    // the single byte 1; absent is false
	KindTime                    // int64 milliseconds since the Unix epoch, 8 bytes big-endian
	KindBytes                   // raw bytes (base64 in JSON)
	KindURLs                    // a list of URL items (see [URL])
	KindHistory                 // a list of history items (see [HistoryItem])
)

// FieldSpec describes one field a schema knows. Name is its key in JSON.
type FieldSpec struct {
	Tag  Tag
	Name string
	Kind Kind
}

// TypeSpec describes one entry type a schema knows. An Archived type is
// retired: its entries are kept, synced and shown read-only, and do not
// count against quotas.
type TypeSpec struct {
	Type     Type
	Name     string
	Fields   []FieldSpec
	Archived bool
}

// Schema says which entry types and fields a build knows. Entries of other
// types and fields with other tags are kept and synced untouched, but not
// shown; see [Schema.Status] and [Schema.Report].
type Schema struct {
	version int
	types   []TypeSpec // sorted by Type
}

// commonFields are the fields of every type of this build.
var commonFields = []FieldSpec{
	{TagFavourite, "favourite", KindBool},
	{TagCreated, "created", KindTime},
	{TagModified, "modified", KindTime},
	{TagName, "name", KindString},
	{TagNotes, "notes", KindString},
	{TagHistory, "history", KindHistory},
}

func withCommon(fs ...FieldSpec) []FieldSpec {
	return append(slices.Clone(commonFields), fs...)
}

// DefaultSchemaVersion is the version of this build's schema.
const DefaultSchemaVersion = 1

var defaultSchema = sync.OnceValue(func() *Schema {
	s, err := NewSchema(DefaultSchemaVersion, []TypeSpec{
		{Type: TypeLogin, Name: "login", Fields: withCommon(
			FieldSpec{TagURLs, "urls", KindURLs},
			FieldSpec{TagUsername, "username", KindString},
			FieldSpec{TagPassword, "password", KindSecret},
			FieldSpec{TagTOTP, "totp", KindSecret},
		)},
		{Type: TypeCard, Name: "card", Fields: withCommon(
			FieldSpec{TagCardholder, "cardholder", KindString},
			FieldSpec{TagCardNumber, "number", KindSecret},
			FieldSpec{TagCardExpiry, "expiry", KindString},
			FieldSpec{TagSecurityCode, "securityCode", KindSecret},
			FieldSpec{TagCardPIN, "pin", KindSecret},
		)},
		{Type: TypeIdentity, Name: "identity", Fields: withCommon(
			FieldSpec{TagGivenName, "givenName", KindString},
			FieldSpec{TagFamilyName, "familyName", KindString},
			FieldSpec{TagCompany, "company", KindString},
			FieldSpec{TagEmail, "email", KindString},
			FieldSpec{TagPhone, "phone", KindString},
			FieldSpec{TagStreet, "street", KindString},
			FieldSpec{TagCity, "city", KindString},
			FieldSpec{TagRegion, "region", KindString},
			FieldSpec{TagPostalCode, "postalCode", KindString},
			FieldSpec{TagCountry, "country", KindString},
		)},
		{Type: TypeNote, Name: "note", Fields: withCommon()},
		{Type: TypeDocument, Name: "document", Fields: withCommon(
			FieldSpec{TagMIMEType, "mimeType", KindString},
			FieldSpec{TagData, "data", KindBytes},
		)},
	})
	if err != nil {
		panic("vault: default schema: " + err.Error()) // programmer error, caught by every test
	}
	return s
})

// DefaultSchema returns this build's schema. It is shared and immutable.
func DefaultSchema() *Schema { return defaultSchema() }

// NewSchema returns a schema of the given version knowing types. Type
// numbers, type names, and field tags and names within a type must be unique
// and non-zero/non-empty; kinds must be known. NewSchema copies types.
//
// Tests build the schema of a newer version from this one:
//
//	types := vault.DefaultSchema().Types()
//	types[0].Fields = append(types[0].Fields, vault.FieldSpec{Tag: 40, Name: "passkey", Kind: vault.KindSecret})
//	types = append(types, vault.TypeSpec{Type: 6, Name: "wifi", Fields: ...})
//	next, err := vault.NewSchema(2, types)
func NewSchema(version int, types []TypeSpec) (*Schema, error) {
	s := &Schema{version: version, types: cloneTypes(types)}
	// sort.Slice rather than slices.SortFunc: each element type given to
	// the generic sort is another ~25 KB of core.wasm; sort.Slice's code is
	// shared by every caller.
	sort.Slice(s.types, func(i, j int) bool { return s.types[i].Type < s.types[j].Type })
	names := map[string]bool{}
	for i, t := range s.types {
		switch {
		case t.Type == 0:
			return nil, api.NewError(api.CodeInvalid, "schema: type 0 is not valid")
		case i > 0 && s.types[i-1].Type == t.Type:
			return nil, api.NewError(api.CodeInvalid, "schema: type "+strconv.Itoa(int(t.Type))+" is declared twice")
		case t.Name == "" || names[t.Name]:
			return nil, api.NewError(api.CodeInvalid, "schema: type "+strconv.Itoa(int(t.Type))+" has an empty or repeated name "+strconv.Quote(t.Name))
		}
		names[t.Name] = true
		sort.Slice(t.Fields, func(i, j int) bool { return t.Fields[i].Tag < t.Fields[j].Tag })
		fnames := map[string]bool{}
		for j, f := range t.Fields {
			switch {
			case f.Tag == 0:
				return nil, api.NewError(api.CodeInvalid, "schema: type "+t.Name+": tag 0 is not valid")
			case j > 0 && t.Fields[j-1].Tag == f.Tag:
				return nil, api.NewError(api.CodeInvalid, "schema: type "+t.Name+": tag "+strconv.Itoa(int(f.Tag))+" is declared twice")
			case f.Name == "" || fnames[f.Name] || f.Name == "type" || f.Name == "id":
				return nil, api.NewError(api.CodeInvalid, "schema: type "+t.Name+": field "+strconv.Itoa(int(f.Tag))+" has an empty, repeated or reserved name "+strconv.Quote(f.Name))
			case f.Kind < KindString || f.Kind > KindHistory:
				return nil, api.NewError(api.CodeInvalid, "schema: type "+t.Name+": field "+f.Name+" has unknown kind "+strconv.Itoa(int(f.Kind)))
			}
			fnames[f.Name] = true
		}
	}
	return s, nil
}

func cloneTypes(types []TypeSpec) []TypeSpec {
	out := slices.Clone(types)
	for i := range out {
		out[i].Fields = slices.Clone(out[i].Fields)
	}
	return out
}

// Version returns the schema's version.
func (s *Schema) Version() int { return s.version }

// Types returns a copy of the types the schema knows, in type order.
func (s *Schema) Types() []TypeSpec { return cloneTypes(s.types) }

// TypeSpec returns the spec of type t, if known.
func (s *Schema) TypeSpec(t Type) (TypeSpec, bool) {
	if ts := s.typeSpec(t); ts != nil {
		return *ts, true
	}
	return TypeSpec{}, false
}

func (s *Schema) typeSpec(t Type) *TypeSpec {
	for i := range s.types {
		if s.types[i].Type == t {
			return &s.types[i]
		}
	}
	return nil
}

// TypeByName returns the type named name, if known.
func (s *Schema) TypeByName(name string) (Type, bool) {
	for _, t := range s.types {
		if t.Name == name {
			return t.Type, true
		}
	}
	return 0, false
}

// Field returns the spec of field tag in type t, if known.
func (s *Schema) Field(t Type, tag Tag) (FieldSpec, bool) {
	if ts := s.typeSpec(t); ts != nil {
		if f := fieldSpec(ts, tag); f != nil {
			return *f, true
		}
	}
	return FieldSpec{}, false
}

func fieldSpec(ts *TypeSpec, tag Tag) *FieldSpec {
	for i := range ts.Fields {
		if ts.Fields[i].Tag == tag {
			return &ts.Fields[i]
		}
	}
	return nil
}

// Status is what a schema makes of one entry.
type Status struct {
	// Unknown: the entry's type is not known, so it cannot be shown.
	Unknown bool
	// Archived: the type is retired; the entry is shown read-only.
	Archived bool
	// HiddenFields: the entry has fields this schema does not know, or known
	// fields whose value it cannot read; they are kept but not shown.
	HiddenFields bool
}

// ReadOnly reports whether the entry must not be edited by this build.
func (st Status) ReadOnly() bool { return st.Unknown || st.Archived }

// Status classifies e.
func (s *Schema) Status(e *Entry) Status {
	ts := s.typeSpec(e.Type)
	if ts == nil {
		return Status{Unknown: true, HiddenFields: len(e.fields) > 0}
	}
	st := Status{Archived: ts.Archived}
	for _, f := range e.fields {
		fs := fieldSpec(ts, f.tag)
		if fs == nil || !completeValue(fs.Kind, f.val) {
			st.HiddenFields = true
			break
		}
	}
	return st
}

// validValue reports whether val is a readable value of kind k: one that
// can be shown, if perhaps only in part.
func validValue(k Kind, val []byte) bool {
	switch k {
	case KindBool:
		return len(val) == 1 && val[0] == 1
	case KindTime:
		return len(val) == 8
	case KindURLs, KindHistory:
		return validList(val)
	}
	return true
}

// completeValue reports whether val is a value of kind k that can be shown
// entirely: a readable value whose list items hold only sub-fields (and
// match rules) this build knows.
func completeValue(k Kind, val []byte) bool {
	if k != KindURLs && k != KindHistory {
		return validValue(k, val)
	}
	var buf [8]field
	for b := val; len(b) > 0; {
		fs, rest, err := nextItem(b, buf[:0])
		if err != nil {
			return false
		}
		b = rest
		for _, f := range fs {
			if !knownSubField(k, f) {
				return false
			}
		}
	}
	return true
}

// knownSubField reports whether f is a list item's sub-field this build
// knows, with a readable value.
func knownSubField(k Kind, f field) bool {
	switch {
	case k == KindURLs && f.tag == subURL, k == KindHistory && f.tag == subValue:
		return true
	case k == KindURLs && f.tag == subMatch:
		return len(f.val) == 1 && int(f.val[0]) < len(matchNames)
	case k == KindHistory && f.tag == subTime:
		return len(f.val) == 8
	case k == KindHistory && f.tag == subField:
		t, n, ok := readUvarint32(f.val)
		return ok && n == len(f.val) && t != 0
	}
	return false
}

// Report counts what a device cannot show of a vault.
type Report struct {
	Entries      int `json:"entries"`      // all entries
	Unknown      int `json:"unknown"`      // of a type this version does not know ("need a newer version")
	HiddenFields int `json:"hiddenFields"` // of a known type with data this version cannot show
	Archived     int `json:"archived"`     // of a retired type: read-only
	Counted      int `json:"counted"`      // counted against quotas: neither unknown nor archived
}

// Report classifies entries (nil ones are skipped).
func (s *Schema) Report(entries []*Entry) Report {
	var r Report
	for _, e := range entries {
		if e != nil {
			r.Add(s.Status(e))
		}
	}
	return r
}

// Add counts one entry of status st.
func (r *Report) Add(st Status) {
	r.Entries++
	switch {
	case st.Unknown:
		r.Unknown++
	case st.Archived:
		r.Archived++
	default:
		r.Counted++
	}
	if st.HiddenFields && !st.Unknown {
		r.HiddenFields++
	}
}

func (r Report) String() string {
	return strconv.Itoa(r.Entries) + " entries: " + strconv.Itoa(r.Unknown) + " unknown, " + strconv.Itoa(r.HiddenFields) + " with hidden fields, " + strconv.Itoa(r.Archived) + " archived"
}
