package bridge

import (
	"runtime"

	"watchword/wasm/jsonwire"
)

// Version is the version of the core's JavaScript interface. It changes when
// a method is added, removed or changes meaning.
const Version = "1"

func init() {
	register("version", func(c *Core, a Args) (Result, error) {
		return writeJSON(func(w *jsonwire.Writer) {
			w.BeginObject()
			w.StringField("bridge", Version)
			w.StringField("go", runtime.Version())
			w.Key("methods")
			w.Strings(Methods())
			w.EndObject()
		})
	})
}
