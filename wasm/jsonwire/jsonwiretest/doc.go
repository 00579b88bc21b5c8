// Package jsonwiretest holds a type's hand-written jsonwire codec to
// encoding/json: for random values, the codec must write exactly the bytes
// json.Marshal writes and read back exactly what json.Unmarshal reads. Only
// tests import it.
package jsonwiretest
