//go:build ignore

// gen_vectors writes the ciphertext test vectors in
// vaulttest/vectors/testdata, where package vectors embeds them for every
// test that replays them. Run it with go generate. Its randomness is a fixed
// deterministic stream, so the output is the same on every run; a change in
// the files means a change in the format. The file format is described in
// package vectors.
//
// For an entry vector that succeeds, "entry key" is the random entry key the
// seal used, so a replay can seal again and compare byte for byte.
package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"strings"
	"time"

	"watchword/wasm/api"
	"watchword/wasm/vault"
	"watchword/wasm/vault/internal/hook"
)

// drbg is SHA-256 in counter mode over a fixed seed: deterministic, and good
// enough for vectors (never for keys anyone uses).
type drbg struct {
	seed    string
	counter uint64
	buf     []byte
	record  *bytes.Buffer
}

func (d *drbg) Read(p []byte) (int, error) {
	for len(d.buf) < len(p) {
		h := sha256.New()
		io.WriteString(h, d.seed)
		binary.Write(h, binary.BigEndian, d.counter)
		d.counter++
		d.buf = h.Sum(d.buf)
	}
	n := copy(p, d.buf)
	d.buf = d.buf[n:]
	if d.record != nil {
		d.record.Write(p[:n])
	}
	return n, nil
}

type vector struct {
	name  string
	lines [][2]string
}

func (v *vector) add(k, val string) { v.lines = append(v.lines, [2]string{k, val}) }

func main() {
	dir := filepath.Join("vaulttest", "vectors", "testdata")
	if err := os.RemoveAll(dir); err != nil {
		log.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		log.Fatal(err)
	}
	var vs []vector
	vs = append(vs, entryVectors()...)
	vs = append(vs, vaultKeyVectors()...)
	for _, v := range vs {
		var b strings.Builder
		for _, l := range v.lines {
			fmt.Fprintf(&b, "%s: %s\n", l[0], l[1])
		}
		if err := os.WriteFile(filepath.Join(dir, v.name+".txt"), []byte(b.String()), 0o644); err != nil {
			log.Fatal(err)
		}
	}
	fmt.Printf("wrote %d vectors to %s\n", len(vs), dir)
}

func must[T any](v T, err error) T {
	if err != nil {
		log.Fatal(err)
	}
	return v
}

const (
	vaultID  = "7761746368776f726476656374307273"
	entryID  = "656e7472792d30303030303030303031"
	otherVID = "6f746865722d7661756c742d69642121"
	otherEID = "6f746865722d656e7472792d69642121"
)

func entryVectors() []vector {
	rnd := &drbg{seed: "watchword vault test vectors: entries"}
	hook.SetRand(rnd)
	defer hook.SetRand(nil)

	vaultKey := make([]byte, vault.KeySize)
	rnd.Read(vaultKey)
	k := must(vault.NewKey(vaultID, vaultKey))

	e := vault.NewEntry(entryID, vault.TypeLogin)
	e.SetString(vault.TagName, "Example")
	e.SetURLs([]vault.URL{{URL: "https://example.com/login"}, {URL: "https://sso.example.net", Match: vault.MatchHost}})
	e.SetString(vault.TagUsername, "alice@example.com")
	e.SetString(vault.TagPassword, "correct horse battery staple")
	e.SetTime(vault.TagCreated, time.UnixMilli(1700000000000))
	e.SetTime(vault.TagModified, time.UnixMilli(1700000000000))
	e.AppendHistory(vault.TagPassword, []byte("Tr0ub4dor&3"), time.UnixMilli(1690000000000))
	e.SetRaw(1000, []byte("a field of a newer version"))
	pt := must(e.MarshalBinary())

	seal := func(pt []byte) (ct, ek []byte) {
		rec := &bytes.Buffer{}
		rnd.record = rec
		ct = must(k.Seal(entryID, pt))
		rnd.record = nil
		return ct, rec.Bytes()[:vault.KeySize]
	}
	ct, ek := seal(pt)
	emptyNote := must(vault.NewEntry(entryID, vault.TypeNote).MarshalBinary())
	ctNote, ekNote := seal(emptyNote)
	unknown := vault.NewEntry(entryID, 4242)
	unknown.SetRaw(1, []byte{0xff, 0x00, 0xfe})
	ptUnknown := must(unknown.MarshalBinary())
	ctUnknown, ekUnknown := seal(ptUnknown)

	base := func(name, expect, comment, vid, eid string, key, ct []byte) vector {
		v := vector{name: name}
		v.add("expect", expect)
		v.add("kind", "entry")
		v.add("comment", comment)
		v.add("vault id", vid)
		v.add("vault key", hex.EncodeToString(key))
		v.add("entry id", eid)
		return v
	}
	ok := func(name, comment string, ct, ek, pt []byte) vector {
		v := base(name, "success", comment, vaultID, entryID, vaultKey, ct)
		v.add("entry key", hex.EncodeToString(ek))
		v.add("plaintext", hex.EncodeToString(pt))
		v.add("ciphertext", hex.EncodeToString(ct))
		return v
	}
	bad := func(name, comment, vid, eid string, key, ct []byte) vector {
		v := base(name, "decrypt error", comment, vid, eid, key, ct)
		v.add("ciphertext", hex.EncodeToString(ct))
		return v
	}
	flip := func(i int) []byte {
		b := bytes.Clone(ct)
		b[i] ^= 0x01
		return b
	}
	set := func(i int, c byte) []byte {
		b := bytes.Clone(ct)
		b[i] = c
		return b
	}
	wrongKey := bytes.Clone(vaultKey)
	wrongKey[0] ^= 0x01
	spliced := append(bytes.Clone(ctNote[:74]), ct[74:]...)

	return []vector{
		ok("entry_login", "a login with URLs, history and a field of a newer version", ct, ek, pt),
		ok("entry_note_empty", "an empty note", ctNote, ekNote, emptyNote),
		ok("entry_unknown_type", "an entry of a type this version does not know", ctUnknown, ekUnknown, ptUnknown),
		bad("entry_wrong_key", "the vault key differs in one bit", vaultID, entryID, wrongKey, ct),
		bad("entry_other_entry_id", "the ciphertext was moved to another entry", vaultID, otherEID, vaultKey, ct),
		bad("entry_other_vault_id", "the ciphertext was moved to another vault with the same key", otherVID, entryID, vaultKey, ct),
		bad("entry_flipped_key_nonce", "one bit flipped in the entry key nonce", vaultID, entryID, vaultKey, flip(2)),
		bad("entry_flipped_wrapped_key", "one bit flipped in the wrapped entry key", vaultID, entryID, vaultKey, flip(30)),
		bad("entry_flipped_nonce", "one bit flipped in the content nonce", vaultID, entryID, vaultKey, flip(74)),
		bad("entry_flipped_content", "one bit flipped in the content", vaultID, entryID, vaultKey, flip(98)),
		bad("entry_flipped_tag", "one bit flipped in the content tag", vaultID, entryID, vaultKey, flip(len(ct)-1)),
		bad("entry_truncated", "the last byte is missing", vaultID, entryID, vaultKey, ct[:len(ct)-1]),
		bad("entry_truncated_header", "only the version and algorithm bytes", vaultID, entryID, vaultKey, ct[:2]),
		bad("entry_extended", "one byte appended", vaultID, entryID, vaultKey, append(bytes.Clone(ct), 0)),
		bad("entry_empty", "no bytes at all", vaultID, entryID, vaultKey, []byte{}),
		bad("entry_unknown_version", "version byte 2", vaultID, entryID, vaultKey, set(0, 2)),
		bad("entry_version_zero", "version byte 0", vaultID, entryID, vaultKey, set(0, 0)),
		bad("entry_unknown_algorithm", "algorithm byte 2", vaultID, entryID, vaultKey, set(1, 2)),
		bad("entry_spliced_key", "another entry's wrapped key with this entry's content", vaultID, entryID, vaultKey, spliced),
	}
}

func vaultKeyVectors() []vector {
	rnd := &drbg{seed: "watchword vault test vectors: vault keys"}
	hook.SetRand(rnd)
	defer hook.SetRand(nil)

	// The floor settings keep the vectors quick to replay, in a browser too.
	kdf := api.KDFParams{Algorithm: api.KDFArgon2id, Salt: make([]byte, api.KDFSaltSize),
		MemoryKiB: api.MinKDFMemoryKiB, Time: api.MinKDFTime, Threads: api.MinKDFThreads}
	rnd.Read(kdf.Salt)
	// "é" composed; the NFKC vector unlocks with it decomposed and a
	// full-width letter.
	const password = "caf\u00e9 Watchword \u00c5ngstr\u00f6m"
	h, k := must2(vault.Create(password, kdf))

	mk := func(name, expect, comment, pw string, h api.VaultHeader) vector {
		v := vector{name: name}
		v.add("expect", expect)
		v.add("kind", "vault key")
		v.add("comment", comment)
		v.add("vault id", h.VaultID)
		v.add("password", hex.EncodeToString([]byte(pw)))
		v.add("kdf", fmt.Sprintf("%s m=%d t=%d p=%d", h.KDF.Algorithm, h.KDF.MemoryKiB, h.KDF.Time, h.KDF.Threads))
		v.add("salt", hex.EncodeToString(h.KDF.Salt))
		v.add("wrapped key", hex.EncodeToString(h.WrappedKey))
		if expect == "success" {
			v.add("vault key", hex.EncodeToString(k.Bytes()))
		}
		return v
	}
	other := h
	other.VaultID = otherVID
	return []vector{
		mk("vaultkey_ok", "success", "the master password opens the vault key", password, h),
		mk("vaultkey_nfkc", "success", "the same password in another Unicode form (decomposed accents, a full-width letter)",
			"cafe\u0301 \uff37atchword A\u030angstro\u0308m", h),
		mk("vaultkey_wrong_password", "wrong password", "one character differs", "caf\u00e9 Watchword \u00c5ngstr\u00f6n", h),
		mk("vaultkey_other_vault_id", "wrong password", "the wrapped key was moved to another vault", password, other),
	}
}

func must2[A, B any](a A, b B, err error) (A, B) {
	if err != nil {
		log.Fatal(err)
	}
	return a, b
}
