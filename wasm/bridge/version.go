package bridge

import "runtime"

// Version is the version of the core's JavaScript interface. It changes when
// a method is added, removed or changes meaning.
const Version = "1"

func init() {
	register("version", func(c *Core, a Args) (Result, error) {
		return marshal(struct {
			Bridge  string   `json:"bridge"`
			Go      string   `json:"go"`
			Methods []string `json:"methods"`
		}{Version, runtime.Version(), Methods()})
	})
}
