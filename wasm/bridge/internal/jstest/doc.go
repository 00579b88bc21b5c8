// Package jstest holds what tests running in the browser (GOOS=js) need to
// call JavaScript the way JavaScript itself does: wait for a Promise, read
// a property. It is imported by _js_test.go files only.
package jstest
