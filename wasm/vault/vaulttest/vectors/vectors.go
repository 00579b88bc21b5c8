// Package vectors holds package vault's ciphertext test vectors, embedded so
// that every test replaying them reads the same bytes: package vault's own
// replay and fuzz seeds, and the bridge's replay through its JavaScript
// entry points, natively and under GOOS=js GOARCH=wasm in a browser, where
// there is no file system. There is one copy of the vectors, in testdata/.
//
// Call [Load] first. The files are written by wasm/vault/gen_vectors.go (go
// generate in wasm/vault); never edit them by hand.
//
// Import it from tests only. It imports neither vault nor vaulttest, so
// package vault's in-package tests can use it without an import cycle.
//
// # Format
//
// Each vector is a text file of "name: value" lines; binary values are hex.
//
//	expect:     success | decrypt error | wrong password
//	kind:       entry | vault key
//	comment:    what the vector checks
//	vault id, vault key, entry id, entry key, plaintext, ciphertext  (entry)
//	vault id, password, kdf, salt, wrapped key, vault key             (vault key)
//
// For an entry vector that succeeds, "entry key" is the random entry key the
// seal used, so a replay can seal again and compare byte for byte. A vault
// key vector carries "vault key" only when it succeeds.
package vectors

import (
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
	"testing"

	"watchword/wasm/api"
)

//go:embed testdata/*.txt
var files embed.FS

// The kinds of vector.
const (
	KindEntry    = "entry"     // an entry ciphertext opened with a vault key
	KindVaultKey = "vault key" // a wrapped vault key unlocked with a password
)

// What a replay must observe.
const (
	ExpectSuccess       = "success"        // opens; the plaintext or vault key is given
	ExpectDecryptError  = "decrypt error"  // entry: fails with vault.ErrDecrypt, code api.CodeDecrypt
	ExpectWrongPassword = "wrong password" // vault key: fails with vault.ErrWrongPassword, code api.CodeWrongPassword
)

// The names of the fields a vector may carry.
const (
	FieldExpect     = "expect"
	FieldKind       = "kind"
	FieldComment    = "comment"
	FieldVaultID    = "vault id"
	FieldVaultKey   = "vault key"   // hex; an entry vector's key, or what a vault key vector unlocks
	FieldEntryID    = "entry id"    // entry
	FieldEntryKey   = "entry key"   // hex; entry, success only
	FieldPlaintext  = "plaintext"   // hex; entry, success only
	FieldCiphertext = "ciphertext"  // hex; entry
	FieldPassword   = "password"    // hex of the UTF-8 bytes; vault key
	FieldKDF        = "kdf"         // "argon2id m=<KiB> t=<passes> p=<threads>"; vault key
	FieldSalt       = "salt"        // hex; vault key
	FieldWrappedKey = "wrapped key" // hex; vault key
)

// required lists the fields every vector of a kind carries, whatever it
// expects; Load refuses a vector without one.
var required = map[string][]string{
	KindEntry:    {FieldComment, FieldVaultID, FieldVaultKey, FieldEntryID, FieldCiphertext},
	KindVaultKey: {FieldComment, FieldVaultID, FieldPassword, FieldKDF, FieldSalt, FieldWrappedKey},
}

// requiredOnSuccess lists the fields a vector that succeeds adds.
var requiredOnSuccess = map[string][]string{
	KindEntry:    {FieldEntryKey, FieldPlaintext},
	KindVaultKey: {FieldVaultKey},
}

// expectations lists what each kind may expect.
var expectations = map[string][]string{
	KindEntry:    {ExpectSuccess, ExpectDecryptError},
	KindVaultKey: {ExpectSuccess, ExpectWrongPassword},
}

// Vector is one test vector.
type Vector struct {
	Name   string // the file name without ".txt", such as "entry_login"
	Kind   string // KindEntry or KindVaultKey
	Expect string // ExpectSuccess, ExpectDecryptError or ExpectWrongPassword
	fields map[string]string
}

// Load returns every vector, sorted by name. It fails tb when there are none
// or one is malformed: a replay over nothing would pass while testing
// nothing.
func Load(tb testing.TB) []Vector {
	tb.Helper()
	vs, err := All()
	if err != nil {
		tb.Fatal(err)
	}
	return vs
}

// All returns every vector, sorted by name, or an error naming the first
// malformed one.
func All() ([]Vector, error) {
	names, err := fs.Glob(files, "testdata/*.txt")
	if err != nil {
		return nil, fmt.Errorf("list vectors: %w", err)
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("no test vectors in testdata")
	}
	vs := make([]Vector, 0, len(names))
	for _, n := range names {
		b, err := files.ReadFile(n)
		if err != nil {
			return nil, fmt.Errorf("read vector %s: %w", n, err)
		}
		v, err := Parse(strings.TrimSuffix(path.Base(n), ".txt"), b)
		if err != nil {
			return nil, err
		}
		vs = append(vs, v)
	}
	return vs, nil
}

// Parse decodes one vector file. It checks the kind, the expectation and
// that every field the kind needs is present, so a replay never trips over
// a missing field halfway.
func Parse(name string, b []byte) (Vector, error) {
	v := Vector{Name: name, fields: map[string]string{}}
	for i, line := range strings.Split(strings.TrimRight(string(b), "\n"), "\n") {
		k, val, ok := strings.Cut(line, ": ")
		if !ok {
			return Vector{}, fmt.Errorf("vector %s: line %d: want \"name: value\", got %q", name, i+1, line)
		}
		if _, dup := v.fields[k]; dup {
			return Vector{}, fmt.Errorf("vector %s: line %d: %q given twice", name, i+1, k)
		}
		v.fields[k] = val
	}
	v.Kind, v.Expect = v.fields[FieldKind], v.fields[FieldExpect]
	expects, ok := expectations[v.Kind]
	if !ok {
		return Vector{}, fmt.Errorf("vector %s: unknown kind %q", name, v.Kind)
	}
	if !slices.Contains(expects, v.Expect) {
		return Vector{}, fmt.Errorf("vector %s: a %s vector cannot expect %q", name, v.Kind, v.Expect)
	}
	need := required[v.Kind]
	if v.Expect == ExpectSuccess {
		need = append(need[:len(need):len(need)], requiredOnSuccess[v.Kind]...)
	}
	for _, f := range need {
		if _, ok := v.fields[f]; !ok {
			return Vector{}, fmt.Errorf("vector %s: no %q", name, f)
		}
	}
	return v, nil
}

// Has reports whether the vector carries the named field.
func (v Vector) Has(name string) bool {
	_, ok := v.fields[name]
	return ok
}

// Field returns the named field as written, failing tb when it is absent.
func (v Vector) Field(tb testing.TB, name string) string {
	tb.Helper()
	s, ok := v.fields[name]
	if !ok {
		tb.Fatalf("vector %s has no %q", v.Name, name)
	}
	return s
}

// Hex returns the named field decoded from hex, failing tb when it is absent
// or not hex.
func (v Vector) Hex(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := hex.DecodeString(v.Field(tb, name))
	if err != nil {
		tb.Fatalf("vector %s: %s: %v", v.Name, name, err)
	}
	return b
}

// Header returns the vault header of a vault key vector: its vault id,
// wrapped key and key derivation settings, as the server stores them.
func (v Vector) Header(tb testing.TB) api.VaultHeader {
	tb.Helper()
	if v.Kind != KindVaultKey {
		tb.Fatalf("vector %s is a %s vector, not a %s one", v.Name, v.Kind, KindVaultKey)
	}
	kdf := api.KDFParams{Salt: v.Hex(tb, FieldSalt)}
	line := v.Field(tb, FieldKDF)
	_, err := fmt.Sscanf(line, "%s m=%d t=%d p=%d", &kdf.Algorithm, &kdf.MemoryKiB, &kdf.Time, &kdf.Threads)
	// Formatting back and comparing refuses trailing or altered text that
	// Sscanf would let through.
	if err != nil || fmt.Sprintf("%s m=%d t=%d p=%d", kdf.Algorithm, kdf.MemoryKiB, kdf.Time, kdf.Threads) != line {
		tb.Fatalf("vector %s: kdf %q: want \"argon2id m=<KiB> t=<passes> p=<threads>\"", v.Name, line)
	}
	return api.VaultHeader{VaultID: v.Field(tb, FieldVaultID), WrappedKey: v.Hex(tb, FieldWrappedKey), KDF: kdf}
}
