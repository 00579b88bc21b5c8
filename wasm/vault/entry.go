package vault

import (
	"encoding/binary"
	"errors"
	"math"
	"slices"
	"strconv"

	"watchword/wasm/wrap"
)

// Type is an entry type number. The numbers of this build's types are the
// Type constants; other numbers are types of other versions.
type Type uint32

// Tag is a field number within an entry. Tags 1 to 15 mean the same in
// every type (the Tag constants without a type prefix); higher tags are
// defined per type.
type Tag uint32

// Entry is one decrypted vault entry: a type and a set of fields, each a tag
// with raw value bytes, each tag at most once.
//
// Entry keeps every field it holds, known or not, byte for byte: decoding,
// editing known fields and encoding again leaves fields of other versions
// exactly as they were. The generic accessors ([Entry.Tags], [Entry.Raw],
// [Entry.SetRaw], [Entry.Delete]) work on any field without knowing its
// meaning; the typed ones ([Entry.String], [Entry.URLs], ...) interpret the
// fields this build knows.
//
// ID is not part of the encoding: it is bound to the ciphertext by the
// associated data instead.
type Entry struct {
	ID   string
	Type Type

	fields []field // sorted by tag, tags unique
}

type field struct {
	tag Tag
	val []byte
}

// NewEntry returns an empty entry of type t.
func NewEntry(id string, t Type) *Entry { return &Entry{ID: id, Type: t} }

// Tags returns the tags of the fields present, in increasing order.
func (e *Entry) Tags() []Tag {
	tags := make([]Tag, len(e.fields))
	for i, f := range e.fields {
		tags[i] = f.tag
	}
	return tags
}

// Len returns the number of fields present.
func (e *Entry) Len() int { return len(e.fields) }

// Has reports whether the field tag is present.
func (e *Entry) Has(tag Tag) bool {
	_, ok := e.find(tag)
	return ok
}

// Raw returns the value bytes of field tag and whether it is present. The
// slice is shared with the entry and must not be modified.
func (e *Entry) Raw(tag Tag) ([]byte, bool) {
	if i, ok := e.find(tag); ok {
		return e.fields[i].val, true
	}
	return nil, false
}

// SetRaw sets field tag to a copy of val (an empty val is a present, empty
// field; use [Entry.Delete] to remove one). Tag 0 is not a valid tag and is
// ignored.
func (e *Entry) SetRaw(tag Tag, val []byte) {
	if tag == 0 {
		return
	}
	v := append(make([]byte, 0, len(val)), val...)
	i, ok := e.find(tag)
	if ok {
		e.fields[i].val = v
		return
	}
	e.fields = slices.Insert(e.fields, i, field{tag: tag, val: v})
}

// Delete removes field tag if present.
func (e *Entry) Delete(tag Tag) {
	if i, ok := e.find(tag); ok {
		e.fields = slices.Delete(e.fields, i, i+1)
	}
}

// Clone returns a deep copy of e.
func (e *Entry) Clone() *Entry {
	c := &Entry{ID: e.ID, Type: e.Type, fields: make([]field, len(e.fields))}
	for i, f := range e.fields {
		c.fields[i] = field{tag: f.tag, val: append(make([]byte, 0, len(f.val)), f.val...)}
	}
	return c
}

// find returns the index of tag, or where it would be inserted.
func (e *Entry) find(tag Tag) (int, bool) {
	// Entries have a handful of fields: a linear scan beats a binary search.
	for i, f := range e.fields {
		if f.tag >= tag {
			return i, f.tag == tag
		}
	}
	return len(e.fields), false
}

// The plaintext encoding of an entry (the same for every version that writes
// ciphertext format 1):
//
//	entry  = type:uvarint field*
//	field  = tag:uvarint length:uvarint value:byte[length]
//
// Tags are strictly increasing (so each appears at most once), types and
// tags are non-zero and at most 2^32-1, and every uvarint is minimal. The
// encoding is therefore canonical: decoding and encoding again gives the same
// bytes, which is what keeps unknown data intact.

// AppendBinary appends the encoding of e to dst.
func (e *Entry) AppendBinary(dst []byte) ([]byte, error) {
	if e.Type == 0 {
		return dst, errors.New("encode entry " + e.ID + ": type 0 is not valid")
	}
	dst = binary.AppendUvarint(dst, uint64(e.Type))
	return appendFields(dst, e.fields), nil
}

// MarshalBinary returns the encoding of e.
func (e *Entry) MarshalBinary() ([]byte, error) {
	return e.AppendBinary(make([]byte, 0, e.encodedLen()))
}

// UnmarshalBinary decodes b into e, keeping e.ID. e does not keep b.
func (e *Entry) UnmarshalBinary(b []byte) error {
	d, err := ParseEntry(e.ID, b)
	if err != nil {
		return err
	}
	*e = *d.Clone()
	return nil
}

// ParseEntry decodes an entry's plaintext. The entry's values share memory
// with b, which must not be modified afterwards. Any malformed or
// non-canonical encoding returns an error wrapping [ErrMalformed].
func ParseEntry(id string, b []byte) (*Entry, error) {
	e := &Entry{ID: id}
	if _, err := parseEntryInto(e, b, nil); err != nil {
		return nil, err
	}
	return e, nil
}

// parseEntryInto decodes b into e, appending its fields to arena (when
// non-nil) so that a batch shares one allocation; it returns the grown arena.
func parseEntryInto(e *Entry, b []byte, arena []field) ([]field, error) {
	t, n, ok := readUvarint32(b)
	if !ok || t == 0 {
		return arena, wrap.Error("decode entry "+e.ID+": bad type", ErrMalformed)
	}
	e.Type = Type(t)
	start := len(arena)
	if arena == nil {
		arena = make([]field, 0, 16)
	}
	arena, err := parseFields(arena, b[n:])
	if err != nil {
		return arena[:start], wrap.Error("decode entry "+e.ID, err)
	}
	// The full slice expression makes an append to this entry's fields copy
	// instead of writing over the next entry's.
	e.fields = arena[start:len(arena):len(arena)]
	return arena, nil
}

// parseFields appends the fields encoded in b to dst.
func parseFields(dst []field, b []byte) ([]field, error) {
	var last Tag
	for len(b) > 0 {
		tag, n, ok := readUvarint32(b)
		if !ok || tag == 0 {
			return dst, wrap.Error("bad field tag", ErrMalformed)
		}
		if Tag(tag) <= last {
			return dst, wrap.Error("field "+strconv.Itoa(int(tag))+" out of order", ErrMalformed)
		}
		last = Tag(tag)
		b = b[n:]
		l, n, ok := readUvarint(b)
		if !ok || l > uint64(len(b)-n) {
			return dst, wrap.Error("field "+strconv.Itoa(int(tag))+": bad length", ErrMalformed)
		}
		b = b[n:]
		dst = append(dst, field{tag: Tag(tag), val: b[:l:l]})
		b = b[l:]
	}
	return dst, nil
}

func appendFields(dst []byte, fields []field) []byte {
	for _, f := range fields {
		dst = binary.AppendUvarint(dst, uint64(f.tag))
		dst = binary.AppendUvarint(dst, uint64(len(f.val)))
		dst = append(dst, f.val...)
	}
	return dst
}

func (e *Entry) encodedLen() int {
	n := uvarintLen(uint64(e.Type))
	for _, f := range e.fields {
		n += uvarintLen(uint64(f.tag)) + uvarintLen(uint64(len(f.val))) + len(f.val)
	}
	return n
}

// readUvarint reads a minimal uvarint: an overlong encoding of a value would
// give two encodings for one entry and break the byte-exact round trip.
func readUvarint(b []byte) (uint64, int, bool) {
	v, n := binary.Uvarint(b)
	if n <= 0 || n != uvarintLen(v) {
		return 0, 0, false
	}
	return v, n, true
}

func readUvarint32(b []byte) (uint32, int, bool) {
	v, n, ok := readUvarint(b)
	if !ok || v > math.MaxUint32 {
		return 0, 0, false
	}
	return uint32(v), n, true
}

func uvarintLen(v uint64) int {
	n := 1
	for v >= 0x80 {
		v >>= 7
		n++
	}
	return n
}
