package jsonwiretest

import (
	"bytes"
	"encoding/json"
	"math/rand"
	"reflect"
	"testing"
	"testing/quick"

	"watchword/wasm/jsonwire"
)

// Values is how many random values Check tries per type.
const Values = 300

// Check compares write and read with encoding/json on the given values and
// on Values random ones (testing/quick fills every exported field, pointers
// and slices included). fix, when not nil, adjusts a random value to what
// the type can hold (for example a field json cannot represent).
func Check[T any](t *testing.T, write func(T, *jsonwire.Writer), read func(*T, *jsonwire.Decoder) error, fix func(*T), values ...T) {
	t.Helper()
	rnd := rand.New(rand.NewSource(1))
	var zero T
	values = append(values, zero)
	for i := 0; i < Values; i++ {
		rv, ok := quick.Value(reflect.TypeOf(zero), rnd)
		if !ok {
			t.Fatalf("testing/quick cannot make a %T", zero)
		}
		values = append(values, rv.Interface().(T))
	}
	for _, v := range values {
		if fix != nil {
			fix(&v)
		}
		want, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("json.Marshal(%+v): %v", v, err)
		}
		w := jsonwire.NewWriter(nil)
		write(v, w)
		if got := w.Bytes(); !bytes.Equal(got, want) {
			t.Fatalf("%T written as\n%s\nencoding/json writes\n%s", v, got, want)
		}
		var ref, got T
		if err := json.Unmarshal(want, &ref); err != nil {
			t.Fatalf("json.Unmarshal: %v", err)
		}
		if err := jsonwire.Decode(want, true, func(d *jsonwire.Decoder) error { return read(&got, d) }); err != nil {
			t.Fatalf("%T cannot read what encoding/json wrote: %v\n%s", v, err, want)
		}
		if !reflect.DeepEqual(got, ref) {
			t.Fatalf("%T read as\n%+v\nencoding/json reads\n%+v\nfrom %s", v, got, ref, want)
		}
	}
}

// CheckRead compares read with json.Unmarshal on random values encoded by
// encoding/json, for types the core reads but never writes.
func CheckRead[T any](t *testing.T, read func(*T, *jsonwire.Decoder) error, fix func(*T), values ...T) {
	t.Helper()
	Check(t, func(v T, w *jsonwire.Writer) {
		b, err := json.Marshal(v)
		if err != nil {
			panic(err)
		}
		w.Raw(b)
	}, read, fix, values...)
}

// CheckWrite compares write with json.Marshal, for types the core writes
// but never reads.
func CheckWrite[T any](t *testing.T, write func(T, *jsonwire.Writer), fix func(*T), values ...T) {
	t.Helper()
	Check(t, write, func(v *T, d *jsonwire.Decoder) error {
		raw, err := d.Raw()
		if err != nil {
			return err
		}
		return json.Unmarshal(raw, v)
	}, fix, values...)
}

// Strictness checks that read refuses an unknown member when strict and
// skips it otherwise; in must be a JSON object.
func Strictness[T any](t *testing.T, read func(*T, *jsonwire.Decoder) error, in string) {
	t.Helper()
	extra := in[:len(in)-1]
	if len(in) > 2 {
		extra += ","
	}
	extra += `"no_such_member":{"x":[1,"y"]}}`
	var v T
	if err := jsonwire.Decode([]byte(extra), true, func(d *jsonwire.Decoder) error { return read(&v, d) }); err == nil {
		t.Errorf("%T: a strict decoder accepted an unknown member in %s", v, extra)
	}
	var lenient, plain T
	if err := jsonwire.Decode([]byte(extra), false, func(d *jsonwire.Decoder) error { return read(&lenient, d) }); err != nil {
		t.Errorf("%T: a lenient decoder refused an unknown member: %v", v, err)
	}
	if err := jsonwire.Decode([]byte(in), false, func(d *jsonwire.Decoder) error { return read(&plain, d) }); err != nil {
		t.Errorf("%T: %v", v, err)
	}
	if !reflect.DeepEqual(lenient, plain) {
		t.Errorf("%T: an unknown member changed the value: %+v, want %+v", v, lenient, plain)
	}
}
