package jsonwiretest

import (
	"bytes"
	"encoding/json"
	"math/rand"
	"reflect"
	"testing"
	"testing/quick"
	"time"

	"watchword/wasm/jsonwire"
)

// Values is how many random values Check tries per type.
const Values = 300

// Check compares write and read with encoding/json on the given values and
// on Values random ones. gen makes a random value; nil means testing/quick,
// which fills every exported field, pointers and slices included (it cannot
// make a time.Time: types holding one bring their own gen).
func Check[T any](t *testing.T, write func(T, *jsonwire.Writer), read func(*T, *jsonwire.Decoder), gen func(*rand.Rand) T, values ...T) {
	t.Helper()
	rnd := rand.New(rand.NewSource(1))
	var zero T
	values = append(values, zero)
	for i := 0; i < Values; i++ {
		if gen != nil {
			values = append(values, gen(rnd))
			continue
		}
		rv, ok := quick.Value(reflect.TypeOf(zero), rnd)
		if !ok {
			t.Fatalf("testing/quick cannot make a %T", zero)
		}
		values = append(values, rv.Interface().(T))
	}
	for _, v := range values {
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
		if err := jsonwire.Decode(want, true, func(d *jsonwire.Decoder) { read(&got, d) }); err != nil {
			t.Fatalf("%T cannot read what encoding/json wrote: %v\n%s", v, err, want)
		}
		if !reflect.DeepEqual(got, ref) {
			t.Fatalf("%T read as\n%+v\nencoding/json reads\n%+v\nfrom %s", v, got, ref, want)
		}
	}
}

// CheckRead compares read with json.Unmarshal on random values encoded by
// encoding/json, for types the core reads but never writes.
func CheckRead[T any](t *testing.T, read func(*T, *jsonwire.Decoder), gen func(*rand.Rand) T, values ...T) {
	t.Helper()
	Check(t, func(v T, w *jsonwire.Writer) {
		b, err := json.Marshal(v)
		if err != nil {
			panic(err)
		}
		w.Raw(b)
	}, read, gen, values...)
}

// CheckWrite compares write with json.Marshal, for types the core writes
// but never reads.
func CheckWrite[T any](t *testing.T, write func(T, *jsonwire.Writer), gen func(*rand.Rand) T, values ...T) {
	t.Helper()
	Check(t, write, func(v *T, d *jsonwire.Decoder) {
		if raw := d.Raw(); d.Err() == nil {
			if err := json.Unmarshal(raw, v); err != nil {
				d.Fail(err.Error())
			}
		}
	}, gen, values...)
}

// Strictness checks that read refuses an unknown member when strict and
// skips it otherwise; in must be a JSON object.
func Strictness[T any](t *testing.T, read func(*T, *jsonwire.Decoder), in string) {
	t.Helper()
	extra := in[:len(in)-1]
	if len(in) > 2 {
		extra += ","
	}
	extra += `"no_such_member":{"x":[1,"y"]}}`
	var v T
	if err := jsonwire.Decode([]byte(extra), true, func(d *jsonwire.Decoder) { read(&v, d) }); err == nil {
		t.Errorf("%T: a strict decoder accepted an unknown member in %s", v, extra)
	}
	var lenient, plain T
	if err := jsonwire.Decode([]byte(extra), false, func(d *jsonwire.Decoder) { read(&lenient, d) }); err != nil {
		t.Errorf("%T: a lenient decoder refused an unknown member: %v", v, err)
	}
	if err := jsonwire.Decode([]byte(in), false, func(d *jsonwire.Decoder) { read(&plain, d) }); err != nil {
		t.Errorf("%T: %v", v, err)
	}
	if !reflect.DeepEqual(lenient, plain) {
		t.Errorf("%T: an unknown member changed the value: %+v, want %+v", v, lenient, plain)
	}
}

// Any returns a random value of type T made by testing/quick, for a gen
// that sets the fields quick cannot.
func Any[T any](r *rand.Rand) T {
	var zero T
	rv, ok := quick.Value(reflect.TypeOf(zero), r)
	if !ok {
		panic("testing/quick cannot make this type")
	}
	return rv.Interface().(T)
}

// Time returns a random time (zero one time in four) in a random fixed
// zone, with nanoseconds, as it reads back from RFC 3339.
func Time(r *rand.Rand) time.Time {
	if r.Intn(4) == 0 {
		return time.Time{}
	}
	zone := time.FixedZone("", (r.Intn(48)-24)*1800)
	if r.Intn(2) == 0 {
		zone = time.UTC
	}
	return time.Unix(r.Int63n(1<<34), r.Int63n(1e9)).In(zone)
}
