package vault

import (
	"strconv"

	"watchword/wasm/api"
	"watchword/wasm/wrap"
)

// Sealed is one entry's ciphertext with its id, as stored and synced.
type Sealed struct {
	ID         string
	Ciphertext []byte
}

// Opened is the result of opening one entry in a batch: the decoded entry,
// or the error that entry alone failed with.
type Opened struct {
	ID    string
	Entry *Entry
	Err   error
}

// MaxEntryPlaintext is the largest entry plaintext that seals within
// api.MaxEntryCiphertext.
const MaxEntryPlaintext = api.MaxEntryCiphertext - entryOverhead

// A literal, not api.Errorf: formatting at start-up costs the core's start.
var errLocked = &api.Error{Code: api.CodeLocked, Message: "the vault key was destroyed"}

// Seal encrypts an entry's plaintext under a fresh random entry key, wraps
// that key with the vault key, and returns the entry ciphertext bound to this
// vault and entryID.
func (k *Key) Seal(entryID string, plaintext []byte) ([]byte, error) {
	return k.AppendSeal(make([]byte, 0, len(plaintext)+entryOverhead), entryID, plaintext)
}

// AppendSeal is [Key.Seal] appending the ciphertext to dst.
func (k *Key) AppendSeal(dst []byte, entryID string, plaintext []byte) ([]byte, error) {
	if k.aead == nil {
		return dst, errLocked
	}
	id, ok := parseID(entryID)
	if !ok {
		return dst, api.NewError(api.CodeInvalid, "entry id "+strconv.Quote(entryID)+" is not valid")
	}
	if len(plaintext) > MaxEntryPlaintext {
		return dst, api.NewError(api.CodeTooLarge, "entry "+entryID+" is "+strconv.Itoa(len(plaintext))+" bytes, over the limit of "+strconv.Itoa(MaxEntryPlaintext))
	}
	var ek [KeySize]byte
	defer clear(ek[:])
	if err := randRead(ek[:]); err != nil {
		return dst, wrap.Error("seal entry "+entryID, err)
	}
	eaead, err := newAEAD(ek[:])
	if err != nil {
		return dst, err
	}
	n := len(dst)
	dst = append(dst, formatV1, algXC20P)
	keyAD := makeAD(purposeEntryKey, &k.id, &id)
	if dst, err = sealBox(dst, k.aead, ek[:], &keyAD); err != nil {
		return dst[:n], wrap.Error("seal entry "+entryID, err)
	}
	ad := makeAD(purposeEntry, &k.id, &id)
	if dst, err = sealBox(dst, eaead, plaintext, &ad); err != nil {
		return dst[:n], wrap.Error("seal entry "+entryID, err)
	}
	return dst, nil
}

// Open decrypts an entry ciphertext made by [Key.Seal] for this vault and
// entryID. Every failure to authenticate or parse the ciphertext returns an
// error wrapping [ErrDecrypt].
func (k *Key) Open(entryID string, ciphertext []byte) ([]byte, error) {
	n := len(ciphertext) - entryOverhead
	if n < 0 {
		n = 0
	}
	return k.AppendOpen(make([]byte, 0, n), entryID, ciphertext)
}

// AppendOpen is [Key.Open] appending the plaintext to dst. On failure dst is
// returned unchanged and the bytes past its length that Open wrote are
// cleared.
func (k *Key) AppendOpen(dst []byte, entryID string, ciphertext []byte) ([]byte, error) {
	if k.aead == nil {
		return dst, errLocked
	}
	id, ok := parseID(entryID)
	if !ok {
		return dst, api.NewError(api.CodeInvalid, "entry id "+strconv.Quote(entryID)+" is not valid")
	}
	c, ok := parseEntryCiphertext(ciphertext)
	if !ok {
		return dst, wrap.Error("open entry "+entryID, ErrDecrypt)
	}
	var ek [KeySize]byte
	defer clear(ek[:])
	keyAD := makeAD(purposeEntryKey, &k.id, &id)
	if !unwrapKey(&ek, k.aead, c.keyBox, &keyAD) {
		return dst, wrap.Error("open entry "+entryID, ErrDecrypt)
	}
	eaead, err := newAEAD(ek[:])
	if err != nil {
		return dst, err
	}
	ad := makeAD(purposeEntry, &k.id, &id)
	out, err := eaead.Open(dst, c.box[:nonceSize], c.box[nonceSize:], ad[:])
	if err != nil {
		// Clear whatever unauthenticated plaintext may have been written
		// into dst's spare capacity.
		spare := dst[len(dst):cap(dst)]
		clear(spare[:min(len(spare), len(c.box)-nonceSize-tagSize)])
		return dst, wrap.Error("open entry "+entryID, ErrDecrypt)
	}
	return out, nil
}

// SealEntry encodes e and seals it under e.ID.
func (k *Key) SealEntry(e *Entry) ([]byte, error) {
	pt, err := e.AppendBinary(make([]byte, 0, e.encodedLen()))
	if err != nil {
		return nil, err
	}
	defer clear(pt)
	return k.Seal(e.ID, pt)
}

// OpenEntry opens and decodes one entry ciphertext.
func (k *Key) OpenEntry(entryID string, ciphertext []byte) (*Entry, error) {
	pt, err := k.Open(entryID, ciphertext)
	if err != nil {
		return nil, err
	}
	return ParseEntry(entryID, pt)
}

// OpenEntries opens and decodes many entries in one call, one result per
// input in order; an entry that fails does not stop the others. It is the
// unlock path, so it is built for speed: all plaintexts share one buffer and
// all fields one slice, so the cost per entry is the decryption and a few
// small allocations. The entries share memory with each other; editing one
// through its methods never affects another.
func (k *Key) OpenEntries(in []Sealed) []Opened {
	out := make([]Opened, len(in))
	total := 0
	for _, s := range in {
		if n := len(s.Ciphertext) - entryOverhead; n > 0 {
			total += n
		}
	}
	buf := make([]byte, 0, total)
	entries := make([]Entry, len(in))
	var arena []field
	if len(in) > 0 {
		arena = make([]field, 0, 8*len(in))
	}
	for i, s := range in {
		out[i].ID = s.ID
		start := len(buf)
		var err error
		buf, err = k.AppendOpen(buf, s.ID, s.Ciphertext)
		if err != nil {
			out[i].Err = err
			continue
		}
		e := &entries[i]
		e.ID = s.ID
		// The plaintext is capped so a later append cannot reach into it.
		pt := buf[start:len(buf):len(buf)]
		if arena, err = parseEntryInto(e, pt, arena); err != nil {
			out[i].Err = err
			continue
		}
		out[i].Entry = e
	}
	return out
}

// SealEntries encodes and seals many entries in one call, in order. It stops
// at the first failure (a bad id or an entry over the size limit), which the
// error names.
func (k *Key) SealEntries(in []*Entry) ([]Sealed, error) {
	total, maxPT := 0, 0
	for _, e := range in {
		n := e.encodedLen()
		total += n + entryOverhead
		maxPT = max(maxPT, n)
	}
	buf := make([]byte, 0, total)
	pt := make([]byte, 0, maxPT)
	defer func() { clear(pt[:cap(pt)]) }()
	out := make([]Sealed, len(in))
	for i, e := range in {
		var err error
		if pt, err = e.AppendBinary(pt[:0]); err != nil {
			return nil, err
		}
		start := len(buf)
		if buf, err = k.AppendSeal(buf, e.ID, pt); err != nil {
			return nil, err
		}
		out[i] = Sealed{ID: e.ID, Ciphertext: buf[start:len(buf):len(buf)]}
	}
	return out, nil
}
