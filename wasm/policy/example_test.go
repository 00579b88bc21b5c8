package policy_test

import (
	"fmt"

	"watchword/wasm/policy"
	"watchword/wasm/policy/lists"
)

func ExampleCheck() {
	res := policy.Check(policy.Account(), "hunter2 x", policy.Context{Email: "ann@example.com"})
	for _, r := range res.Rules {
		fmt.Printf("%-9s %s\n", r.Status, r.Label)
	}
	fmt.Println("ok:", res.OK, "failed:", res.Failed())
	// Output:
	// pass      At least 8 characters
	// pass      At least one digit
	// pass      At least one lowercase letter (a–z)
	// fail      At least one uppercase letter (A–Z)
	// fail      No spaces
	// ok: false failed: [upper_latin no_spaces]
}

func ExampleCheck_master() {
	// The not_common rule needs the common-password list, parsed once.
	common, err := policy.ParseCommonList(lists.CommonPasswords())
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, pw := range []string{"cheeseburger", "correct horse battery staple"} {
		res := policy.Check(policy.Master(), pw, policy.Context{Common: common})
		fmt.Println(pw, "→", res.OK, res.Failed())
	}
	// Output:
	// cheeseburger → false [not_common]
	// correct horse battery staple → true []
}

func ExampleParse() {
	// A policy published by a newer server, with a rule kind this version
	// does not know.
	p, err := policy.Parse([]byte(`{"id":"account","rules":[
		{"id":"min_length","kind":"min_length","min":8,"label":"At least 8 characters"},
		{"id":"no_repeats","kind":"max_repeat","max":2,"label":"No character three times in a row"}
	]}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	res := policy.Check(p, "Correct7Horse", policy.Context{})
	for _, r := range res.Rules {
		fmt.Println(r.ID, r.Status)
	}
	fmt.Println("ok:", res.OK)
	fmt.Println(res.Err())
	// Output:
	// min_length pass
	// no_repeats unchecked
	// ok: false
	// unsupported: the policy has rules this version cannot check
}

func ExampleGeneratePassword() {
	pw, err := policy.GeneratePassword(policy.PasswordOptions{Length: 16, Lower: true, Upper: true, Digits: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(pw), policy.Check(policy.Account(), pw, policy.Context{}).OK)
	// Output: 16 true
}

func ExampleGenerator_PassphraseFor() {
	words, err := policy.ParseWordlist(lists.EFFWords())
	if err != nil {
		fmt.Println(err)
		return
	}
	g := policy.NewGenerator(cryptoRand, words)
	pp, err := g.PassphraseFor(policy.Account(), policy.DefaultPassphrase, policy.Context{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(policy.Check(policy.Account(), pp, policy.Context{}).OK)
	// Output: true
}
