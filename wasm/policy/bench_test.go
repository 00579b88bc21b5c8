package policy_test

import (
	"crypto/rand"
	"testing"

	"watchword/wasm/policy"
)

var cryptoRand = rand.Reader

func BenchmarkCheck(b *testing.B) {
	ctx := policy.Context{Email: "ann.smith@example.com"}
	policy.IsCommon("") // load the common list outside the timing
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
	policy.Wordlist()
	for b.Loop() {
		if _, err := policy.GeneratePassphrase(policy.DefaultPassphrase); err != nil {
			b.Fatal(err)
		}
	}
}
