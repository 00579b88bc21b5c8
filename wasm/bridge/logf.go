package bridge

import (
	"fmt"
	"os"
)

// logf writes one line for developers to standard error, which is the
// console in a browser. (Package log would add its own formatting code to
// core.wasm for a prefix and time stamps the console already shows.)
func logf(format string, args ...any) {
	os.Stderr.WriteString(fmt.Sprintf(format, args...) + "\n")
}
