package bridge

import "os"

// logf writes one line for developers to standard error, which is the
// console in a browser. (Package log would add its own formatting code to
// core.wasm for a prefix and time stamps the console already shows.)
func logf(line string) {
	os.Stderr.WriteString(line + "\n")
}
