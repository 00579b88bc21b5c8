package vectors_test

import (
	"strings"
	"testing"

	"watchword/wasm/api"
	"watchword/wasm/vault/vaulttest/vectors"
)

func TestLoadCoversEveryExpectation(t *testing.T) {
	seen := map[string]int{}
	names := map[string]bool{}
	for _, v := range vectors.Load(t) {
		if names[v.Name] {
			t.Fatalf("vector %s loaded twice", v.Name)
		}
		names[v.Name] = true
		seen[v.Kind+"/"+v.Expect]++
	}
	for _, want := range []string{
		vectors.KindEntry + "/" + vectors.ExpectSuccess,
		vectors.KindEntry + "/" + vectors.ExpectDecryptError,
		vectors.KindVaultKey + "/" + vectors.ExpectSuccess,
		vectors.KindVaultKey + "/" + vectors.ExpectWrongPassword,
	} {
		if seen[want] == 0 {
			t.Errorf("no %s vector", want)
		}
	}
}

func TestHeader(t *testing.T) {
	var ok *vectors.Vector
	for _, v := range vectors.Load(t) {
		if v.Name == "vaultkey_ok" {
			ok = &v
		}
	}
	if ok == nil {
		t.Fatal("no vaultkey_ok vector")
	}
	h := ok.Header(t)
	if err := h.KDF.Validate(); err != nil {
		t.Fatalf("header KDF %+v: %v", h.KDF, err)
	}
	if !api.ValidID(h.VaultID) || len(h.WrappedKey) == 0 {
		t.Fatalf("header = %+v", h)
	}
}

func TestParseRefusesMalformed(t *testing.T) {
	entry := "expect: decrypt error\nkind: entry\ncomment: c\nvault id: v\nvault key: 00\nentry id: e\nciphertext: \n"
	tests := []struct {
		name, file, msg string
	}{
		{"no colon", entry + "garbage\n", `want "name: value"`},
		{"field twice", entry + "comment: again\n", `"comment" given twice`},
		{"unknown kind", strings.Replace(entry, "kind: entry", "kind: cookie", 1), `unknown kind "cookie"`},
		{"expectation of another kind", strings.Replace(entry, "decrypt error", "wrong password", 1), `cannot expect "wrong password"`},
		{"missing field", strings.Replace(entry, "entry id: e\n", "", 1), `no "entry id"`},
		{"success without plaintext", strings.Replace(entry, "decrypt error", "success", 1) + "entry key: 00\n", `no "plaintext"`},
	}
	if _, err := vectors.Parse("good", []byte(entry)); err != nil {
		t.Fatalf("a well-formed vector: %v", err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := vectors.Parse("bad", []byte(tt.file))
			if err == nil || !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("Parse error = %v, want one containing %q", err, tt.msg)
			}
		})
	}
}
