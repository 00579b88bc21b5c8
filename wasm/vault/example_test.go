package vault_test

import (
	"errors"
	"fmt"
	"time"

	"watchword/wasm/api"
	"watchword/wasm/vault"
)

func Example() {
	kdf, err := vault.NewKDFParams() // m=64 MiB, t=3, p=4, fresh salt
	if err != nil {
		panic(err)
	}
	// The floors, so this example runs quickly; real vaults use the defaults.
	kdf.MemoryKiB, kdf.Time, kdf.Threads = api.MinKDFMemoryKiB, api.MinKDFTime, api.MinKDFThreads
	header, key, err := vault.Create("correct horse battery staple", kdf)
	if err != nil {
		panic(err)
	}

	// Seal an entry; the ciphertext and header are what the server stores.
	e := vault.NewEntry("00112233445566778899aabbccddeeff", vault.TypeLogin)
	e.SetString(vault.TagName, "Example")
	e.SetString(vault.TagUsername, "alice@example.com")
	e.SetString(vault.TagPassword, "hunter2")
	ct, err := key.SealEntry(e)
	if err != nil {
		panic(err)
	}

	// Later, on any device.
	if _, err := vault.Unlock(header, "wrong"); errors.Is(err, vault.ErrWrongPassword) {
		fmt.Println("wrong password")
	}
	key, err = vault.Unlock(header, "correct horse battery staple")
	if err != nil {
		panic(err)
	}
	got, err := key.OpenEntry(e.ID, ct)
	if err != nil {
		panic(err)
	}
	fmt.Println(got.String(vault.TagUsername))

	// A ciphertext moved to another entry does not open.
	_, err = key.OpenEntry("ffeeddccbbaa99887766554433221100", ct)
	fmt.Println(errors.Is(err, vault.ErrDecrypt))
	// Output:
	// wrong password
	// alice@example.com
	// true
}

func ExampleSchema_AppendJSON() {
	e := vault.NewEntry("00112233445566778899aabbccddeeff", vault.TypeLogin)
	e.SetString(vault.TagName, "Example")
	e.SetURLs([]vault.URL{{URL: "https://example.com", Match: vault.MatchHost}})
	e.SetRaw(99, []byte("from a newer version"))
	fmt.Println(string(vault.DefaultSchema().AppendJSON(nil, e)))
	// Output:
	// {"id":"00112233445566778899aabbccddeeff","type":"login","typeId":1,"unknown":false,"archived":false,"readOnly":false,"hiddenFields":true,"fields":{"name":"Example","urls":[{"url":"https://example.com","match":"host"}]}}
}

func ExampleSchema_ApplyEdit() {
	e := vault.NewEntry("00112233445566778899aabbccddeeff", vault.TypeLogin)
	e.SetString(vault.TagPassword, "old secret")
	e.SetRaw(99, []byte("kept"))

	form := `{"type":"login","fields":{"name":"Bank","password":"new secret"}}`
	if err := vault.DefaultSchema().ApplyEdit(e, []byte(form), time.UnixMilli(1700000000000)); err != nil {
		panic(err)
	}
	h, _ := e.History()
	fmt.Println(e.String(vault.TagName), e.String(vault.TagPassword), e.String(99))
	fmt.Println(len(h), string(h[0].Value))
	// Output:
	// Bank new secret kept
	// 1 old secret
}

func ExampleEntry_Tags() {
	// The sync engine merges field by field, whatever the fields mean.
	base := vault.NewEntry("00112233445566778899aabbccddeeff", vault.TypeNote)
	base.SetString(vault.TagName, "Wi-Fi")
	base.SetRaw(77, []byte("unknown to this version"))
	for _, tag := range base.Tags() {
		v, _ := base.Raw(tag)
		fmt.Printf("%d: %q\n", tag, v)
	}
	// Output:
	// 4: "Wi-Fi"
	// 77: "unknown to this version"
}
