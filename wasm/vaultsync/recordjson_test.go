package vaultsync

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestDecodeRecord(t *testing.T) {
	full := &record{ID: "0123456789abcdef0123456789abcdef", Rev: 42, Base: []byte{1, 2, 3}, BaseDeleted: true,
		Pending: true, Local: []byte("local bytes"), LocalDeleted: true, Seq: 1 << 63, Trash: []byte{0xff, 0}}
	tests := []struct {
		name string
		in   []byte
		fast bool // read without encoding/json
		want *record
		err  bool
	}{
		{name: "as encoded", in: encode(full), fast: true, want: full},
		{name: "minimal", in: encode(&record{ID: "ab"}), fast: true, want: &record{ID: "ab"}},
		{name: "negative rev", in: []byte(`{"id":"a","rev":-3}`), fast: true, want: &record{ID: "a", Rev: -3}},
		{name: "spaces go to encoding/json", in: []byte(`{ "id": "a", "rev": 7 }`), want: &record{ID: "a", Rev: 7}},
		{name: "unknown key is ignored", in: []byte(`{"id":"a","new":1}`), want: &record{ID: "a"}},
		{name: "escaped id", in: []byte(`{"id":"\u0061"}`), want: &record{ID: "a"}},
		{name: "leading zero", in: []byte(`{"id":"a","rev":01}`), err: true},
		{name: "plus sign", in: []byte(`{"id":"a","rev":+1}`), err: true},
		{name: "negative seq", in: []byte(`{"id":"a","seq":-1}`), err: true},
		{name: "bad base64", in: []byte(`{"id":"a","base":"!!"}`), err: true},
		{name: "trailing comma", in: []byte(`{"id":"a",}`), err: true},
		{name: "truncated", in: []byte(`{"id":"a"`), err: true},
		{name: "empty", in: nil, err: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var fast record
			if got := decodeRecordFast(tc.in, &fast); got != tc.fast {
				t.Errorf("fast path taken = %v, want %v", got, tc.fast)
			}
			var r record
			err := decodeRecord(tc.in, &r)
			if tc.err {
				if err == nil {
					t.Fatalf("decoded %+v, want an error", r)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(&r, tc.want) {
				t.Errorf("got %+v, want %+v", r, tc.want)
			}
		})
	}
}

// FuzzDecodeRecord checks that whatever the fast path accepts,
// encoding/json and the general decoder accept too and read as the same
// record.
func FuzzDecodeRecord(f *testing.F) {
	f.Add(encode(&record{ID: "0123", Rev: 9, Base: []byte("x"), Pending: true, Local: []byte("yz"), Seq: 3}))
	f.Add([]byte(`{"id":"a","rev":-0,"bdel":true,"trash":""}`))
	f.Add([]byte(`{"id":"a","rev":1,"rev":2}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var fast record
		if !decodeRecordFast(b, &fast) {
			return
		}
		var want record
		if err := json.Unmarshal(b, &want); err != nil {
			t.Fatalf("fast path read %q, encoding/json refuses it: %v", b, err)
		}
		norm := func(r record) record {
			for _, p := range []*[]byte{&r.Base, &r.Local, &r.Trash} {
				if len(*p) == 0 {
					*p = nil
				}
			}
			return r
		}
		if !reflect.DeepEqual(norm(fast), norm(want)) {
			t.Fatalf("%q: fast %+v, encoding/json %+v", b, fast, want)
		}
		var general record
		if err := decode(b, &general); err != nil {
			t.Fatalf("fast path read %q, the general decoder refuses it: %v", b, err)
		}
		if !reflect.DeepEqual(norm(general), norm(want)) {
			t.Fatalf("%q: general %+v, encoding/json %+v", b, general, want)
		}
	})
}
