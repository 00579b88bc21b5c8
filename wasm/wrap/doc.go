// Package wrap gives an error its context ("open entry e1: decryption
// failed") the way fmt.Errorf's %w does, without package fmt.
//
// The core (core.wasm) links no fmt: its formatting machinery and the
// reflection it brings were a third of a megabyte of the module, for
// messages that only ever join strings. Build the context with + and
// strconv, and wrap the cause with [Error]; errors.Is and errors.As see
// through it as they see through fmt.Errorf's.
package wrap
