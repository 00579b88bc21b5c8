package jsonwire

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand"
	"strings"
	"testing"
	"time"
)

// seeds cover every token kind, every escape, nesting, and the malformed
// inputs a hostile page or server could send: truncation, bad escapes, lone
// surrogates, invalid UTF-8, control characters, deep nesting, bad numbers.
var seeds = []string{
	`null`, `true`, `false`, `0`, `-0`, `12`, `-12.5e3`, `1E+2`, `1.`, `.5`, `01`, `-`, `1e`,
	`""`, `"a"`, `"\u00e9\n\t\"\\\/\b\f\r"`, `"\ud83d\ude00"`, `"\ud83d"`, `"\ude00x"`, `"\u12"`,
	"\"\xff\xfe\"", "\"a\x01\"", `"\x"`, `"abc`, `"é€😀"`, "\"\u2028\"",
	`{}`, `[]`, `{"a":1,"b":[true,null,{"c":"d"}]}`, `{"a":1,}`, `[1,]`, `{"a"}`, `{"a":}`,
	`{1:2}`, `[1 2]`, ` [ 1 , 2 ] `, `{"a":1} x`, `{"a":1}{}`, `nul`, `tru`, `[`, `{`, ``,
	strings.Repeat("[", 10001) + strings.Repeat("]", 10001),
	strings.Repeat("[", 64) + strings.Repeat("]", 64),
	strings.Repeat("[", 65) + strings.Repeat("]", 65),
	`9223372036854775807`, `9223372036854775808`, `-9223372036854775809`, `1e400`,
	`{"<>&":"<>&"}`,
}

func addSeeds(f *testing.F) {
	if len(seeds) == 0 {
		f.Fatal("no seeds: the fuzz target would test nothing")
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
}

// FuzzValid: Skip accepts exactly what encoding/json calls valid.
func FuzzValid(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		err := Decode(b, false, (*Decoder).Skip)
		if err != nil && strings.Contains(err.Error(), "nested too deeply") && depth(b) > MaxDepth {
			return // the one place the rules differ on purpose
		}
		if want := json.Valid(b); (err == nil) != want {
			t.Fatalf("Skip(%q) = %v, json.Valid = %v", b, err, want)
		}
	})
}

// depth is how deeply b's arrays and objects nest (outside strings).
func depth(b []byte) int {
	d, max, in := 0, 0, false
	for i := 0; i < len(b); i++ {
		switch c := b[i]; {
		case in && c == '\\':
			i++
		case c == '"':
			in = !in
		case !in && (c == '[' || c == '{'):
			if d++; d > max {
				max = d
			}
		case !in && (c == ']' || c == '}'):
			d--
		}
	}
	return max
}

func TestRFC3339(t *testing.T) {
	r := rand.New(rand.NewSource(3))
	for i := 0; i < 2000; i++ {
		zone := time.FixedZone("", (r.Intn(48)-24)*1800+r.Intn(2)*45*60)
		if r.Intn(3) == 0 {
			zone = time.UTC
		}
		tm := time.Unix(r.Int63n(253402300799), r.Int63n(1e9)*int64(r.Intn(2))).In(zone)
		want := tm.Format(time.RFC3339Nano)
		if got := string(appendRFC3339(nil, tm)); got != want {
			t.Fatalf("appendRFC3339 = %s, time writes %s", got, want)
		}
		back, ok := parseRFC3339(want)
		ref, err := time.Parse(time.RFC3339, want)
		if !ok || err != nil || !back.Equal(ref) {
			t.Fatalf("parseRFC3339(%s) = %v, %v; time reads %v", want, back, ok, ref)
		}
	}
	for _, bad := range []string{"2026-02-29T00:00:00Z", "2026-13-01T00:00:00Z", "2026-01-01 00:00:00Z", "2026-01-01T24:00:00Z",
		"2026-01-01T00:00:00", "2026-01-01T00:00:00+0100", "2026-01-01T00:00:00+25:00", "2026-01-01T00:00:00.Z", "x"} {
		if _, ok := parseRFC3339(bad); ok {
			t.Errorf("parseRFC3339 accepted %s", bad)
		}
	}
}

func TestDepthLimit(t *testing.T) {
	ok := strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth)
	if err := Decode([]byte(ok), false, (*Decoder).Skip); err != nil {
		t.Fatalf("%d levels: %v", MaxDepth, err)
	}
	for _, deep := range []string{"[" + ok + "]", strings.Repeat(`{"a":`, MaxDepth+1) + "1" + strings.Repeat("}", MaxDepth+1), strings.Repeat("[", 1<<20)} {
		if err := Decode([]byte(deep), false, (*Decoder).Skip); err == nil || !strings.Contains(err.Error(), "nested too deeply") {
			t.Errorf("%.20s… (%d bytes): %v, want nested too deeply", deep, len(deep), err)
		}
	}
}

// FuzzString: String reads what json.Unmarshal reads into a string, and
// refuses what it refuses; AppendString writes what json.Marshal writes.
func FuzzString(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		var want string
		wantErr := json.Unmarshal(b, &want)
		var got string
		err := Decode(b, false, func(d *Decoder) { got = d.String() })
		if (err == nil) != (wantErr == nil) || err == nil && got != want {
			t.Fatalf("String(%q) = %q, %v; encoding/json: %q, %v", b, got, err, want, wantErr)
		}
		// The input's bytes as a Go string, escaped both ways.
		m, _ := json.Marshal(string(b))
		if a := AppendString(nil, string(b)); !bytes.Equal(a, m) {
			t.Fatalf("AppendString(%q) = %s, json.Marshal = %s", b, a, m)
		}
		if a := AppendString(nil, b); !bytes.Equal(a, m) {
			t.Fatalf("AppendString([]byte %q) = %s, json.Marshal = %s", b, a, m)
		}
	})
}

// FuzzNumbers: Int64, Uint and Float agree with encoding/json on every input.
func FuzzNumbers(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		var wi int64
		wErr := json.Unmarshal(b, &wi)
		var gi int64
		gErr := Decode(b, false, func(d *Decoder) { gi = d.Int64() })
		if (gErr == nil) != (wErr == nil) || gErr == nil && gi != wi {
			t.Fatalf("Int64(%q) = %d, %v; encoding/json: %d, %v", b, gi, gErr, wi, wErr)
		}
		var wu uint32
		wErr = json.Unmarshal(b, &wu)
		var gu uint64
		gErr = Decode(b, false, func(d *Decoder) { gu = d.Uint(32) })
		if (gErr == nil) != (wErr == nil) || gErr == nil && gu != uint64(wu) {
			t.Fatalf("Uint(32)(%q) = %d, %v; encoding/json: %d, %v", b, gu, gErr, wu, wErr)
		}
		var wf float64
		wErr = json.Unmarshal(b, &wf)
		var gf float64
		gErr = Decode(b, false, func(d *Decoder) { gf = d.Float() })
		if (gErr == nil) != (wErr == nil) || gErr == nil && gf != wf {
			t.Fatalf("Float(%q) = %v, %v; encoding/json: %v, %v", b, gf, gErr, wf, wErr)
		}
		if wErr == nil {
			m, _ := json.Marshal(wf)
			if a := AppendFloat(nil, wf); !bytes.Equal(a, m) {
				t.Fatalf("AppendFloat(%v) = %s, json.Marshal = %s", wf, a, m)
			}
		}
	})
}

func TestAppendFloatMatchesEncodingJSON(t *testing.T) {
	for _, f := range []float64{0, math.Copysign(0, -1), 1, -1, 0.1, 1e-6, 9.99e-7, 1e-7, 1e20, 1e21, 123456789e15,
		math.MaxFloat64, math.SmallestNonzeroFloat64, 3.0e-9, 1.5e300, -2.5e-300, 1 / 3.0} {
		m, _ := json.Marshal(f)
		if a := AppendFloat(nil, f); !bytes.Equal(a, m) {
			t.Errorf("AppendFloat(%v) = %s, json.Marshal = %s", f, a, m)
		}
	}
	if a := AppendFloat(nil, math.NaN()); string(a) != "null" {
		t.Errorf("NaN = %s, want null", a)
	}
}

func TestBase64AndTime(t *testing.T) {
	for _, b := range [][]byte{nil, {}, {0}, {0xff, 0xfe, 0xfd, 0xfc}} {
		m, _ := json.Marshal(b)
		if a := AppendBase64(nil, b); !bytes.Equal(a, m) {
			t.Errorf("AppendBase64(%v) = %s, json.Marshal = %s", b, a, m)
		}
		var got []byte
		if err := Decode(m, false, func(d *Decoder) { got = d.Base64() }); err != nil || !bytes.Equal(got, b) || (got == nil) != (b == nil) {
			t.Errorf("Base64(%s) = %v, %v; want %v", m, got, err, b)
		}
	}
	if err := Decode([]byte(`"not*base64"`), false, func(d *Decoder) { d.Base64() }); err == nil {
		t.Error("Base64 accepted a string that is not base64")
	}
	for _, tm := range []time.Time{
		time.Date(2026, 12, 3, 8, 39, 25, 0, time.UTC),
		time.Date(2026, 12, 3, 8, 39, 25, 123456789, time.UTC),
		time.Date(1999, 1, 2, 3, 4, 5, 600000000, time.FixedZone("x", -5*3600-1800)),
	} {
		m, _ := json.Marshal(tm)
		if a := AppendTime(nil, tm); !bytes.Equal(a, m) {
			t.Errorf("AppendTime(%v) = %s, json.Marshal = %s", tm, a, m)
		}
		var got time.Time
		if err := Decode(m, false, func(d *Decoder) { got = d.Time() }); err != nil || !got.Equal(tm) {
			t.Errorf("Time(%s) = %v, %v", m, got, err)
		}
	}
	if err := Decode([]byte(`"yesterday"`), false, func(d *Decoder) { d.Time() }); err == nil {
		t.Error("Time accepted a string that is not RFC 3339")
	}
}

// TestWriterCommas builds nested values and compares them with
// encoding/json's compact form of the same data.
func TestWriterCommas(t *testing.T) {
	w := NewWriter(nil)
	w.BeginObject()
	w.Key("a")
	w.Int(-1)
	w.Key("list")
	w.BeginArray()
	w.BeginObject()
	w.EndObject()
	w.BeginArray()
	w.EndArray()
	w.Uint(7)
	w.Null()
	w.Bool(true)
	w.Strings([]string{"x", "<y>"})
	w.Strings(nil)
	w.EndArray()
	w.Key("f")
	w.Float(0.5)
	w.Key("raw")
	w.Raw([]byte(`{"k":[1]}`))
	w.Key("b")
	w.Base64([]byte{1, 2})
	w.EndObject()
	want := `{"a":-1,"list":[{},[],7,null,true,["x","\u003cy\u003e"],null],"f":0.5,"raw":{"k":[1]},"b":"AQI="}`
	if got := string(w.Bytes()); got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	if !json.Valid(w.Bytes()) {
		t.Fatal("not valid JSON")
	}
}

// TestObjectStrictness: keys match exactly, unknown keys are skipped by a
// lenient decoder and refused by a strict one, repeated keys are passed
// again, and null is an empty object.
func TestObjectStrictness(t *testing.T) {
	read := func(d *Decoder) (map[string]string, error) {
		got := map[string]string{}
		for ok := d.Object(); ok && d.Member(); {
			if d.Key() != "id" {
				d.Unknown()
				continue
			}
			got[d.Key()] = d.String()
		}
		return got, d.Err()
	}
	in := []byte(`{"ID":"upper","id":"a","x":{"deep":[1,2,{"y":null}]},"id":"b"}`)
	got, err := read(NewDecoder(in))
	if err != nil || got["id"] != "b" || len(got) != 1 {
		t.Fatalf("lenient: %v, %v", got, err)
	}
	if _, err := read(NewStrictDecoder(in)); err == nil || !strings.Contains(err.Error(), `unknown field "ID"`) {
		t.Fatalf("strict: err = %v, want unknown field \"ID\"", err)
	}
	if got, err := read(NewStrictDecoder([]byte(`null`))); err != nil || len(got) != 0 {
		t.Fatalf("null: %v, %v", got, err)
	}
	for _, bad := range []string{`[]`, `"s"`, `{"id":1}`, `{"id":"a"`, `{"id" "a"}`, `{,"id":"a"}`, `{"id":"a",}`, `{"id":"a""x":1}`} {
		if _, err := read(NewDecoder([]byte(bad))); err == nil {
			t.Errorf("accepted %s", bad)
		}
	}
	var se *SyntaxError
	err = Decode([]byte(`{"id":"a"} junk`), false, func(d *Decoder) { read(d) })
	if !asSyntax(err, &se) || se.Offset != 11 {
		t.Fatalf("trailing data: %v", err)
	}
}

// TestNestedCommas walks arrays and objects inside each other, empty and
// not, where the comma rules of the enclosing value must survive the inner.
func TestNestedCommas(t *testing.T) {
	for _, in := range []string{`[[],[1],{},{"a":[]},2]`, `{"a":{},"b":[[]],"c":{"d":{"e":[1,[2]]}}}`, `[]`, `{}`} {
		if err := Decode([]byte(in), false, (*Decoder).Skip); err != nil {
			t.Errorf("%s: %v", in, err)
		}
	}
	for _, in := range []string{`[[],,1]`, `[[]1]`, `{"a":{}"b":1}`, `[{}`, `[1,[2,]]`} {
		if err := Decode([]byte(in), false, (*Decoder).Skip); err == nil {
			t.Errorf("accepted %s", in)
		}
	}
}

func asSyntax(err error, se **SyntaxError) bool {
	e, ok := err.(*SyntaxError)
	*se = e
	return ok
}

func TestRawAliasesValue(t *testing.T) {
	in := []byte(` {"a": [1, "x"] , "b":2}`)
	var raw []byte
	err := Decode(in, false, func(d *Decoder) {
		for ok := d.Object(); ok && d.Member(); {
			if d.Key() == "a" {
				raw = d.Raw()
			} else {
				d.Skip()
			}
		}
	})
	if err != nil || string(raw) != `[1, "x"]` {
		t.Fatalf("Raw = %q, %v", raw, err)
	}
}

func TestStrings(t *testing.T) {
	for in, want := range map[string][]string{`null`: nil, `[]`: {}, `["a","b"]`: {"a", "b"}} {
		var got []string
		err := Decode([]byte(in), true, func(d *Decoder) { got = d.Strings() })
		if err != nil || (got == nil) != (want == nil) || strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("Strings(%s) = %#v, %v", in, got, err)
		}
	}
	if err := Decode([]byte(`["a",1]`), true, func(d *Decoder) { d.Strings() }); err == nil {
		t.Error("Strings accepted a number")
	}
}

// FuzzCompact: AppendCompact writes what encoding/json writes for a
// json.RawMessage.
func FuzzCompact(f *testing.F) {
	addSeeds(f)
	f.Add([]byte(" { \"a\" : [ 1 , \"<\u2028\u2029>&\\\" \" ] } "))
	f.Fuzz(func(t *testing.T, b []byte) {
		if !json.Valid(b) {
			return
		}
		want, err := json.Marshal(json.RawMessage(b))
		if err != nil {
			t.Fatal(err)
		}
		if got := AppendCompact(nil, b); !bytes.Equal(got, want) {
			t.Fatalf("AppendCompact(%q) = %s, encoding/json = %s", b, got, want)
		}
	})
}
