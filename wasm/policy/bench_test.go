package policy_test

import (
	"crypto/rand"
	"testing"

	"watchword/wasm/policy"
	"watchword/wasm/policy/lists"
)

var cryptoRand = rand.Reader

func BenchmarkCheck(b *testing.B) {
	common, err := policy.ParseCommonList(lists.CommonPasswords())
	if err != nil {
		b.Fatal(err)
	}
	ctx := policy.Context{Email: "ann.smith@example.com", Common: common}
	for _, bc := range []struct {
		name     string
		p        policy.Policy
		password string
	}{
		{"account", policy.Account(), "Tr0ub4dour&3x"},
		{"master", policy.Master(), "correct horse battery staple"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				policy.Check(bc.p, bc.password, ctx)
			}
		})
	}
}

func BenchmarkGeneratePassword(b *testing.B) {
	for b.Loop() {
		if _, err := policy.GeneratePassword(policy.DefaultPassword); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGeneratePassphrase(b *testing.B) {
	words, err := policy.ParseWordlist(lists.EFFWords())
	if err != nil {
		b.Fatal(err)
	}
	g := policy.NewGenerator(rand.Reader, words)
	for b.Loop() {
		if _, err := g.Passphrase(policy.DefaultPassphrase); err != nil {
			b.Fatal(err)
		}
	}
}
