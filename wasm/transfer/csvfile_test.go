package transfer

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
)

// stdRecord is what encoding/csv, configured as ReadCSV reads, answers for
// the next record: its fields and start line, io.EOF, or its error.
type stdRecord struct {
	rec  []string
	line int
	err  error
}

func stdRecords(data []byte, comma rune) []stdRecord {
	r := csv.NewReader(bytes.NewReader(data))
	r.Comma = comma
	r.FieldsPerRecord = -1
	var out []stdRecord
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return out
		}
		if err != nil {
			return append(out, stdRecord{err: err})
		}
		line, _ := r.FieldPos(0)
		out = append(out, stdRecord{rec: rec, line: line})
	}
}

// sameAsEncodingCSV fails t unless csvReader reads data as encoding/csv
// does: the same records from the same lines, and an error at the same
// record (a bare quote where it says bare quote, at the line it names).
func sameAsEncodingCSV(t *testing.T, data []byte, comma byte) {
	t.Helper()
	want := stdRecords(data, rune(comma))
	r := &csvReader{data: data, comma: comma}
	for i := 0; ; i++ {
		rec, line, ok, err := r.next()
		if i == len(want) {
			if ok || err != nil {
				t.Fatalf("%q: record %d: got %q, %v; encoding/csv ended there", data, i, rec, err)
			}
			return
		}
		w := want[i]
		if w.err != nil {
			var pe *csv.ParseError
			var se *csvSyntaxError
			if !errors.As(w.err, &pe) || !errors.As(err, &se) {
				t.Fatalf("%q: record %d: got %q, %v; encoding/csv: %v", data, i, rec, err, w.err)
			}
			if se.Line != pe.StartLine || se.Bare != errors.Is(pe.Err, csv.ErrBareQuote) {
				t.Fatalf("%q: record %d: got %+v; encoding/csv: %v (start line %d)", data, i, se, w.err, pe.StartLine)
			}
			return
		}
		if err != nil || !ok || !slices.Equal(rec, w.rec) || line != w.line {
			t.Fatalf("%q: record %d: got %q at line %d, %v, %v; encoding/csv: %q at line %d", data, i, rec, line, ok, err, w.rec, w.line)
		}
	}
}

var csvCorpus = []string{
	"", "\n", "\r\n", "\n\n\n", "a", "a\n", "a\r\n", "a\r", "a\rb\n", "a,b,c\n", "a,,\n", ",\n", ",,",
	"a,b\n\nc,d\n", "a,b\r\n\r\nc,d", "a,b\n \nc\n",
	`"a","b"` + "\n", `"a""b",c`, `"a,b",c`, "\"a\nb\",c\n", "\"a\r\nb\",c\r\n", "\"a\rb\",c", `""`, `"",""`, `""""`,
	`"a"b`, `"a" ,b`, `a"b,c`, `ab"`, `"abc`, "\"abc\n", "\"abc\ndef", `"a""`, `"`, "x,\"", "x,\"y\"\"",
	"a,\"b\nc\"\n\"d\",e\n", "one\ntwo,\"three\nfour\"\nfive\"\n", "\xef\xbb\xbfa,b\n", "é,ü\n", "a\tb\tc\n", "a;b;\"c;d\"\n",
	"name,url,username,password\nA,https://a.example/,u,\"secret-never-echoed\n",
	strings.Repeat("x", 5000) + ",\"" + strings.Repeat("y\n", 300) + "\"\n",
}

func TestCSVReaderMatchesEncodingCSV(t *testing.T) {
	for _, s := range csvCorpus {
		for _, comma := range []byte{',', ';', '\t'} {
			sameAsEncodingCSV(t, []byte(s), comma)
		}
	}
}

// The reader never changes the text it is given (it reads CRLF lines as
// LF into copies).
func TestCSVReaderLeavesItsInputAlone(t *testing.T) {
	data := []byte("a,\"b\r\nc\"\r\nd,e\r\n")
	keep := bytes.Clone(data)
	r := &csvReader{data: data, comma: ','}
	for {
		_, _, ok, err := r.next()
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			break
		}
	}
	if !bytes.Equal(data, keep) {
		t.Fatalf("the input became %q", data)
	}
}

func TestCSVWriterMatchesEncodingCSV(t *testing.T) {
	records := [][]string{
		{"", "a", "b c", " lead", "trail ", "\tlead", "\u00a0nbsp", "\u2003em"},
		{"a,b", `a"b`, "a\nb", "a\r\nb", "a\rb", `\.`, `\.x`, "=1+1", "é"},
		{""},
		{"", ""},
	}
	var want bytes.Buffer
	w := csv.NewWriter(&want)
	w.UseCRLF = true
	var got []byte
	for _, rec := range records {
		if err := w.Write(rec); err != nil {
			t.Fatal(err)
		}
		got = appendCSVRecord(got, rec)
	}
	w.Flush()
	if !bytes.Equal(got, want.Bytes()) {
		t.Fatalf("wrote\n%q\nencoding/csv writes\n%q", got, want.Bytes())
	}
}

// FuzzCSVMatchesEncodingCSV holds the reader to encoding/csv on any text
// and any of the three separators, and the writer to encoding/csv on the
// fields read.
func FuzzCSVMatchesEncodingCSV(f *testing.F) {
	for _, s := range csvCorpus {
		f.Add([]byte(s), byte(0))
	}
	f.Fuzz(func(t *testing.T, data []byte, sep byte) {
		comma := []byte{',', ';', '\t'}[sep%3]
		sameAsEncodingCSV(t, data, comma)
		var fields []string
		r := &csvReader{data: data, comma: comma}
		for {
			rec, _, ok, err := r.next()
			if err != nil || !ok {
				break
			}
			fields = append(fields, rec...)
		}
		if len(fields) == 0 {
			return
		}
		var want bytes.Buffer
		w := csv.NewWriter(&want)
		w.UseCRLF = true
		if err := w.Write(fields); err != nil {
			t.Fatal(err)
		}
		w.Flush()
		if got := appendCSVRecord(nil, fields); !bytes.Equal(got, want.Bytes()) {
			t.Fatalf("wrote %q; encoding/csv writes %q", got, want.Bytes())
		}
	})
}
