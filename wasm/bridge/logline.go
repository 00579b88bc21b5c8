package bridge

import "os"

// logLine writes one line for developers to standard error, which is the
// console in a browser. (Package log would add its own formatting code to
// core.wasm for a prefix and time stamps the console already shows.)
func logLine(line string) {
	os.Stderr.WriteString(line + "\n")
}
