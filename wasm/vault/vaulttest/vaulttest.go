// Package vaulttest makes package vault cheap to use in tests without
// changing its code path: [FastKDF] swaps the Argon2id cost for a tiny one,
// and [NextSchema] builds the schema of a hypothetical next version, to prove
// that a device running this version keeps that version's data intact.
//
// Import it from tests only.
package vaulttest

import (
	"testing"

	"watchword/wasm/vault"
	"watchword/wasm/vault/internal/hook"
)

// FastKDF makes every Argon2id derivation in vault use 64 KiB and one pass
// until the test ends. The stored parameters and their validation against
// the floors are unchanged, so a vault made under FastKDF opens only under
// FastKDF. Tests that use it must not run in parallel with tests that need
// the real cost.
func FastKDF(tb testing.TB) {
	tb.Helper()
	old := hook.SetKDFCost(&hook.Cost{MemoryKiB: 64, Time: 1})
	tb.Cleanup(func() { hook.SetKDFCost(old) })
}

// The type and fields NextSchema adds.
const (
	NextType     vault.Type = 100 // a type this version does not know: "wifi"
	NextTagSSID  vault.Tag  = 16  // wifi: network name
	NextTagKey   vault.Tag  = 17  // wifi: network key
	NextTagLogin vault.Tag  = 99  // login: a field this version does not know ("passkey")
)

// NextSchema returns this build's schema plus one more type (NextType, with
// the common fields and two of its own) and one more login field
// (NextTagLogin). With archive, it also retires the note type, as a newer
// version might.
func NextSchema(tb testing.TB, archive bool) *vault.Schema {
	tb.Helper()
	base := vault.DefaultSchema()
	types := base.Types()
	common := []vault.FieldSpec{}
	for i := range types {
		switch types[i].Type {
		case vault.TypeLogin:
			types[i].Fields = append(types[i].Fields, vault.FieldSpec{Tag: NextTagLogin, Name: "passkey", Kind: vault.KindSecret})
		case vault.TypeNote:
			types[i].Archived = archive
			common = types[i].Fields // a note has exactly the common fields
		}
	}
	wifi := vault.TypeSpec{Type: NextType, Name: "wifi", Fields: append(append([]vault.FieldSpec(nil), common...),
		vault.FieldSpec{Tag: NextTagSSID, Name: "ssid", Kind: vault.KindString},
		vault.FieldSpec{Tag: NextTagKey, Name: "networkKey", Kind: vault.KindSecret},
	)}
	s, err := vault.NewSchema(base.Version()+1, append(types, wifi))
	if err != nil {
		tb.Fatalf("next schema: %v", err)
	}
	return s
}
