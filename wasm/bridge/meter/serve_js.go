package meter

import (
	"fmt"

	"github.com/hack-pad/safejs"
)

// ServeStrength installs globalThis[name] = {estimate(password, email?)},
// which returns the JSON string of [Estimate] synchronously (zxcvbn looks at
// 64 characters at most, so one call takes milliseconds). It returns at
// once; package main keeps running to serve calls.
func ServeStrength(name string) error {
	fn, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		pw, email := stringArg(args, 0), stringArg(args, 1)
		return string(Estimate(pw, email))
	})
	if err != nil {
		return fmt.Errorf("strength: %w", err)
	}
	obj, err := newObject()
	if err != nil {
		return fmt.Errorf("strength: %w", err)
	}
	// Lives as long as the page: never released.
	if err := obj.Set("estimate", fn.Value()); err != nil {
		return fmt.Errorf("strength: %w", err)
	}
	return safejs.Global().Set(name, obj)
}

// stringArg returns argument i when it is a string, else "".
func stringArg(args []safejs.Value, i int) string {
	if i >= len(args) || args[i].Type() != safejs.TypeString {
		return ""
	}
	s, _ := args[i].String()
	return s
}

func newObject() (safejs.Value, error) {
	object, err := safejs.Global().Get("Object")
	if err != nil {
		return safejs.Value{}, err
	}
	return object.New()
}
