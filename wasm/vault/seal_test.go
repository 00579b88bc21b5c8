package vault_test

import (
	"bytes"
	"errors"
	"fmt"
	"testing"
	"time"

	"watchword/wasm/api"
	"watchword/wasm/vault"
	"watchword/wasm/vault/vaulttest"
)

const (
	testVaultID = "0123456789abcdef0123456789abcdef"
	otherID     = "fedcba9876543210fedcba9876543210"
	testEntryID = "00112233445566778899aabbccddeeff"
)

func testKey(t testing.TB, vaultID string, b byte) *vault.Key {
	t.Helper()
	k, err := vault.NewKey(vaultID, bytes.Repeat([]byte{b}, vault.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestSealOpen(t *testing.T) {
	k := testKey(t, testVaultID, 1)
	for _, size := range []int{0, 1, 100, 4096} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			pt := bytes.Repeat([]byte{'x'}, size)
			ct, err := k.Seal(testEntryID, pt)
			if err != nil {
				t.Fatal(err)
			}
			if len(ct) != size+114 {
				t.Fatalf("ciphertext is %d bytes, want %d", len(ct), size+114)
			}
			got, err := k.Open(testEntryID, ct)
			if err != nil || !bytes.Equal(got, pt) {
				t.Fatalf("Open: %q, %v", got, err)
			}
			ct2, _ := k.Seal(testEntryID, pt)
			if bytes.Equal(ct, ct2) {
				t.Fatal("two seals of the same plaintext are equal: nonces or keys repeat")
			}
		})
	}
}

func TestOpenFailures(t *testing.T) {
	k := testKey(t, testVaultID, 1)
	ct, err := k.Seal(testEntryID, []byte("secret content"))
	if err != nil {
		t.Fatal(err)
	}
	flip := func(i int) []byte {
		b := bytes.Clone(ct)
		b[i] ^= 0x80
		return b
	}
	// Another entry's key box spliced into this entry.
	ct2, _ := k.Seal(testEntryID, []byte("other content!"))
	spliced := append(bytes.Clone(ct[:74]), ct2[74:]...)
	tests := []struct {
		name string
		key  *vault.Key
		id   string
		ct   []byte
	}{
		{"wrong key", testKey(t, testVaultID, 2), testEntryID, ct},
		{"other vault id", testKey(t, otherID, 1), testEntryID, ct},
		{"other entry id", k, otherID, ct},
		{"flipped version", k, testEntryID, flip(0)},
		{"flipped algorithm", k, testEntryID, flip(1)},
		{"flipped key nonce", k, testEntryID, flip(5)},
		{"flipped wrapped key", k, testEntryID, flip(40)},
		{"flipped content nonce", k, testEntryID, flip(80)},
		{"flipped content", k, testEntryID, flip(100)},
		{"flipped tag", k, testEntryID, flip(len(ct) - 1)},
		{"truncated", k, testEntryID, ct[:len(ct)-1]},
		{"truncated to the header", k, testEntryID, ct[:2]},
		{"empty", k, testEntryID, nil},
		{"extended", k, testEntryID, append(bytes.Clone(ct), 0)},
		{"spliced content", k, testEntryID, spliced},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dst := make([]byte, 0, 64)
			got, err := tt.key.AppendOpen(dst, tt.id, tt.ct)
			if !errors.Is(err, vault.ErrDecrypt) || api.CodeOf(err) != api.CodeDecrypt {
				t.Fatalf("AppendOpen: %v, want ErrDecrypt", err)
			}
			if len(got) != 0 || !bytes.Equal(dst[:cap(dst)], make([]byte, cap(dst))) {
				t.Fatal("a failed open left bytes in the output buffer")
			}
		})
	}
}

func TestSealLimits(t *testing.T) {
	k := testKey(t, testVaultID, 1)
	if _, err := k.Seal("not an id", nil); api.CodeOf(err) != api.CodeInvalid {
		t.Fatalf("Seal with a bad id: %v", err)
	}
	if _, err := k.Open("not an id", nil); api.CodeOf(err) != api.CodeInvalid {
		t.Fatalf("Open with a bad id: %v", err)
	}
	if _, err := k.Seal(testEntryID, make([]byte, vault.MaxEntryPlaintext+1)); api.CodeOf(err) != api.CodeTooLarge {
		t.Fatalf("Seal over the limit: %v", err)
	}
	ct, err := k.Seal(testEntryID, make([]byte, vault.MaxEntryPlaintext))
	if err != nil || len(ct) != api.MaxEntryCiphertext {
		t.Fatalf("Seal at the limit: %d bytes, %v", len(ct), err)
	}
}

func loginEntry(id string, i int) *vault.Entry {
	e := vault.NewEntry(id, vault.TypeLogin)
	e.SetString(vault.TagName, fmt.Sprintf("Example site %d", i))
	e.SetURLs([]vault.URL{{URL: fmt.Sprintf("https://login.example%d.com/signin", i)}})
	e.SetString(vault.TagUsername, fmt.Sprintf("user%d@example.com", i))
	e.SetString(vault.TagPassword, "Tr0ub4dor&3-correct-horse")
	e.SetTime(vault.TagCreated, time.UnixMilli(1700000000000+int64(i)))
	e.SetTime(vault.TagModified, time.UnixMilli(1700000000000+int64(i)))
	return e
}

func entryID(i int) string { return fmt.Sprintf("%032x", i+1) }

func TestOpenEntries(t *testing.T) {
	k := testKey(t, testVaultID, 1)
	var in []*vault.Entry
	for i := range 50 {
		in = append(in, loginEntry(entryID(i), i))
	}
	sealed, err := k.SealEntries(in)
	if err != nil {
		t.Fatal(err)
	}
	// Damage one, move one to another id.
	sealed[3].Ciphertext = bytes.Clone(sealed[3].Ciphertext)
	sealed[3].Ciphertext[100] ^= 1
	sealed[7].ID = entryID(1000)
	opened := k.OpenEntries(sealed)
	if len(opened) != len(in) {
		t.Fatalf("%d results for %d entries", len(opened), len(in))
	}
	for i, o := range opened {
		switch i {
		case 3, 7:
			if !errors.Is(o.Err, vault.ErrDecrypt) || o.Entry != nil || o.ID != sealed[i].ID {
				t.Fatalf("entry %d: %+v, want ErrDecrypt", i, o)
			}
			continue
		}
		if o.Err != nil {
			t.Fatalf("entry %d: %v", i, o.Err)
		}
		want, _ := in[i].MarshalBinary()
		got, _ := o.Entry.MarshalBinary()
		if !bytes.Equal(got, want) || o.Entry.ID != in[i].ID {
			t.Fatalf("entry %d does not round-trip", i)
		}
	}
	// Editing one opened entry must not touch its neighbours, which share
	// memory with it.
	before, _ := opened[1].Entry.MarshalBinary()
	e0 := opened[0].Entry
	e0.SetString(vault.TagNotes, "a long note that grows the entry well past its first allocation")
	e0.SetRaw(500, bytes.Repeat([]byte{9}, 300))
	after, _ := opened[1].Entry.MarshalBinary()
	if !bytes.Equal(before, after) {
		t.Fatal("editing one opened entry changed another")
	}
}

func TestSealEntriesStopsOnBadEntry(t *testing.T) {
	k := testKey(t, testVaultID, 1)
	bad := vault.NewEntry("bad id", vault.TypeNote)
	if _, err := k.SealEntries([]*vault.Entry{loginEntry(entryID(0), 0), bad}); api.CodeOf(err) != api.CodeInvalid {
		t.Fatalf("SealEntries with a bad id: %v", err)
	}
	if _, err := k.SealEntries([]*vault.Entry{vault.NewEntry(entryID(0), 0)}); err == nil {
		t.Fatal("SealEntries sealed an entry of type 0")
	}
}

func TestCreateSealUnlockOpen(t *testing.T) {
	vaulttest.FastKDF(t)
	h, k, err := vault.Create("hunter2 but longer", testParams(t))
	if err != nil {
		t.Fatal(err)
	}
	e := loginEntry(testEntryID, 1)
	ct, err := k.SealEntry(e)
	if err != nil {
		t.Fatal(err)
	}
	k2, err := vault.Unlock(h, "hunter2 but longer")
	if err != nil {
		t.Fatal(err)
	}
	got, err := k2.OpenEntry(testEntryID, ct)
	if err != nil {
		t.Fatal(err)
	}
	if got.String(vault.TagUsername) != "user1@example.com" {
		t.Fatalf("username %q", got.String(vault.TagUsername))
	}
}
