package meter

import (
	"fmt"

	"watchword/wasm/bridge/jsvalue"
)

// ServeStrength installs globalThis[name] = {estimate(password, email?)},
// which returns the JSON string of [Estimate] synchronously (zxcvbn looks at
// 64 characters at most, so one call takes milliseconds). It returns at
// once; package main keeps running to serve calls.
func ServeStrength(name string) error {
	fn := jsvalue.FuncOf(func(_ jsvalue.Value, args []jsvalue.Value) any {
		pw, email := stringArg(args, 0), stringArg(args, 1)
		return string(Estimate(pw, email))
	})
	obj, err := jsvalue.NewObject()
	if err != nil {
		return fmt.Errorf("strength: %w", err)
	}
	// Lives as long as the page: never released.
	if err := obj.Set("estimate", fn.Value()); err != nil {
		return fmt.Errorf("strength: %w", err)
	}
	return jsvalue.Global().Set(name, obj)
}

// stringArg returns argument i when it is a string, else "".
func stringArg(args []jsvalue.Value, i int) string {
	if i >= len(args) || args[i].Type() != jsvalue.TypeString {
		return ""
	}
	s, _ := args[i].String()
	return s
}
