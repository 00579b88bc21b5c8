package vault

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"watchword/wasm/vault/vaulttest/vectors"
)

// seedVectors adds the named field of every vector of the given kind to the
// corpus, failing when there is none: a fuzz target without seeds would
// pass while testing almost nothing.
func seedVectors(f *testing.F, kind, key string) []vectors.Vector {
	f.Helper()
	var used []vectors.Vector
	for _, v := range vectors.Load(f) {
		if v.Kind != kind || !v.Has(key) {
			continue
		}
		f.Add(v.Hex(f, key))
		used = append(used, v)
	}
	if len(used) == 0 {
		f.Fatalf("no %s vectors with %q to seed the corpus", kind, key)
	}
	return used
}

func FuzzEntryCiphertext(f *testing.F) {
	vs := seedVectors(f, vectors.KindEntry, vectors.FieldCiphertext)
	k, err := NewKey(vs[0].Field(f, vectors.FieldVaultID), vs[0].Hex(f, vectors.FieldVaultKey))
	if err != nil {
		f.Fatal(err)
	}
	entryID := vs[0].Field(f, vectors.FieldEntryID)
	f.Fuzz(func(t *testing.T, b []byte) {
		if c, ok := parseEntryCiphertext(b); ok {
			if got := c.appendTo(nil); !bytes.Equal(got, b) {
				t.Fatalf("parse and encode: %x, want %x", got, b)
			}
		}
		dst := make([]byte, 0, len(b))
		pt, err := k.AppendOpen(dst, entryID, b)
		if err != nil {
			if !errors.Is(err, ErrDecrypt) {
				t.Fatalf("open: %v, want ErrDecrypt", err)
			}
			if !bytes.Equal(dst[:cap(dst)], make([]byte, cap(dst))) {
				t.Fatal("a failed open left bytes in the output buffer")
			}
			return
		}
		if _, err := ParseEntry(entryID, pt); err != nil {
			t.Fatalf("a vector ciphertext opened to a malformed entry: %v", err)
		}
	})
}

func FuzzWrappedKey(f *testing.F) {
	seedVectors(f, vectors.KindVaultKey, vectors.FieldWrappedKey)
	f.Fuzz(func(t *testing.T, b []byte) {
		box, ok := parseWrappedKey(b)
		if !ok {
			return
		}
		if got := append([]byte{formatV1, algXC20P}, box...); !bytes.Equal(got, b) {
			t.Fatalf("parse and encode: %x, want %x", got, b)
		}
	})
}

func FuzzParseEntry(f *testing.F) {
	seedVectors(f, vectors.KindEntry, vectors.FieldPlaintext)
	f.Add([]byte{1, 4, 1, 'a', 16, 6, 5, 1, 3, 'u', 2, 1, 9})
	s := DefaultSchema()
	f.Fuzz(func(t *testing.T, b []byte) {
		const id = "00112233445566778899aabbccddeeff"
		e, err := ParseEntry(id, b)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("parse: %v, want ErrMalformed", err)
			}
			return
		}
		enc, err := e.MarshalBinary()
		if err != nil || !bytes.Equal(enc, b) {
			t.Fatalf("decode and encode: %x, %v; want %x", enc, err, b)
		}
		if c, _ := e.Clone().MarshalBinary(); !bytes.Equal(c, b) {
			t.Fatal("a clone encodes differently")
		}
		_, _ = e.URLs()
		_, _ = e.History()
		s.Status(e)
		if out := s.AppendJSON(nil, e); !json.Valid(out) {
			t.Fatalf("invalid JSON: %s", out)
		}
		// An edit of known fields keeps every other field byte for byte.
		before := e.Clone()
		if err := s.ApplyEdit(e, []byte(`{"fields":{"name":"n","password":"p","urls":[{"url":"https://x.example"}]}}`), time.UnixMilli(1)); err != nil {
			return // read-only types
		}
		for _, f := range before.fields {
			switch f.tag {
			case TagName, TagPassword, TagURLs, TagModified, TagCreated, TagHistory:
				continue
			}
			if v, ok := e.Raw(f.tag); !ok || !bytes.Equal(v, f.val) {
				t.Fatalf("field %d changed in an edit of other fields", f.tag)
			}
		}
		if h, _ := before.Raw(TagHistory); len(h) > 0 {
			if nh, _ := e.Raw(TagHistory); !bytes.HasPrefix(nh, h) {
				t.Fatal("an edit rewrote the existing history")
			}
		}
	})
}

func FuzzApplyEdit(f *testing.F) {
	for _, s := range []string{
		`{"fields":{"name":"a","urls":[{"url":"https://a","match":"host"}],"favourite":true}}`,
		`{"id":"00112233445566778899aabbccddeeff","type":"login","fields":{"password":null,"username":""}}`,
		`{"fields":{"notes":"\ud800 \u2028"}}`,
	} {
		f.Add([]byte(s))
	}
	s := DefaultSchema()
	base := NewEntry("00112233445566778899aabbccddeeff", TypeLogin)
	base.SetString(TagPassword, "old")
	base.SetRaw(700, []byte{0, 1, 2})
	f.Fuzz(func(t *testing.T, form []byte) {
		e := base.Clone()
		before, _ := e.MarshalBinary()
		if err := s.ApplyEdit(e, form, time.UnixMilli(1)); err != nil {
			if after, _ := e.MarshalBinary(); !bytes.Equal(after, before) {
				t.Fatal("a refused edit changed the entry")
			}
			return
		}
		if v, _ := e.Raw(700); !bytes.Equal(v, []byte{0, 1, 2}) {
			t.Fatal("an edit changed an unknown field")
		}
		enc, _ := e.MarshalBinary()
		if d, err := ParseEntry(e.ID, enc); err != nil || s.Status(d).HiddenFields != true {
			t.Fatalf("an edited entry does not decode: %v", err)
		}
		if out := s.AppendJSON(nil, e); !json.Valid(out) {
			t.Fatalf("invalid JSON: %s", out)
		}
	})
}

// FuzzOpenLocal feeds OpenLocal anything: it opens only what SealLocal made
// and fails every other input with ErrDecrypt, without panicking.
func FuzzOpenLocal(f *testing.F) {
	k, err := NewKey("0123456789abcdef0123456789abcdef", bytes.Repeat([]byte{7}, KeySize))
	if err != nil {
		f.Fatal(err)
	}
	for _, pt := range []string{"", `{"entries":[],"failed":0,"unknown":0}`} {
		ct, err := k.SealLocal([]byte(pt))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(ct)
	}
	f.Add([]byte{formatV1, algXC20P})
	f.Fuzz(func(t *testing.T, b []byte) {
		pt, err := k.OpenLocal(b)
		if err != nil {
			if !errors.Is(err, ErrDecrypt) {
				t.Fatalf("OpenLocal: %v, want ErrDecrypt", err)
			}
			return
		}
		if len(pt) != len(b)-localOverhead {
			t.Fatalf("opened %d bytes from %d", len(pt), len(b))
		}
	})
}
