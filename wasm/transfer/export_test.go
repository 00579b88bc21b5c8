package transfer

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"watchword/wasm/api"
)

func sampleExport() ExportFile {
	return ExportFile{
		Created: time.Date(2026, 12, 4, 19, 30, 0, 0, time.UTC),
		Entries: 2,
		KDF:     api.KDFParams{Algorithm: api.KDFArgon2id, Salt: bytes.Repeat([]byte{7}, api.KDFSaltSize), MemoryKiB: 65536, Time: 3, Threads: 4},
		Sealed:  []byte{1, 1, 2, 3},
	}
}

func TestExportFileRoundTrip(t *testing.T) {
	f := sampleExport()
	data := WriteExport(f)
	if !bytes.HasPrefix(data, []byte(`{"format":"watchword-export","version":1,"created":"2026-12-04T19:30:00Z","entries":2,"kdf":{`)) {
		t.Fatalf("file starts %s", data)
	}
	got, err := ReadExport(data)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Created.Equal(f.Created) || got.Entries != 2 || !bytes.Equal(got.Sealed, f.Sealed) || !bytes.Equal(got.AD(), f.AD()) {
		t.Fatalf("read back %+v", got)
	}
}

// Every header field is bound: changing any of them changes AD.
func TestExportADBindsTheHeader(t *testing.T) {
	base := sampleExport()
	for name, change := range map[string]func(*ExportFile){
		"entries": func(f *ExportFile) { f.Entries++ },
		"salt":    func(f *ExportFile) { f.KDF.Salt = append([]byte(nil), f.KDF.Salt...); f.KDF.Salt[0] ^= 1 },
		"memory":  func(f *ExportFile) { f.KDF.MemoryKiB++ },
		"time":    func(f *ExportFile) { f.KDF.Time++ },
		"threads": func(f *ExportFile) { f.KDF.Threads++ },
		"alg":     func(f *ExportFile) { f.KDF.Algorithm = "argon2i" },
	} {
		f := base
		change(&f)
		if bytes.Equal(f.AD(), base.AD()) {
			t.Errorf("changing %s leaves AD the same", name)
		}
	}
}

func TestReadExportRefusals(t *testing.T) {
	good := string(WriteExport(sampleExport()))
	tests := []struct {
		name, in string
		code     api.Code
	}{
		{"not JSON", "name,url\n", api.CodeInvalid},
		{"a CSV", "name,url,username,password\nA,https://a/,u,p\n", api.CodeInvalid},
		{"another format", strings.Replace(good, "watchword-export", "other-export", 1), api.CodeInvalid},
		{"a later version", strings.Replace(good, `"version":1`, `"version":2`, 1), api.CodeUnsupported},
		{"no version", strings.Replace(good, `"version":1,`, ``, 1), api.CodeUnsupported},
		{"no data", strings.Replace(good, `,"data":"AQECAw=="`, ``, 1), api.CodeInvalid},
		{"bad base64", strings.Replace(good, `"data":"AQECAw=="`, `"data":"!!"`, 1), api.CodeInvalid},
		{"below the KDF floor", strings.Replace(good, `"m":65536`, `"m":1024`, 1), api.CodeInvalid},
		{"negative entries", strings.Replace(good, `"entries":2`, `"entries":-1`, 1), api.CodeInvalid},
		{"truncated", good[:len(good)/2], api.CodeInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := ReadExport([]byte(tt.in)); api.CodeOf(err) != tt.code {
				t.Fatalf("err = %v, want %s", err, tt.code)
			}
		})
	}
}

func TestPayload(t *testing.T) {
	in := []Entry{{ID: strings.Repeat("a", 32), Plaintext: []byte("one")}, {ID: strings.Repeat("b", 32), Plaintext: nil}}
	p := AppendPayload(nil, in)
	out, err := ParsePayload(p, 2)
	if err != nil || len(out) != 2 || out[0].ID != in[0].ID || string(out[0].Plaintext) != "one" || len(out[1].Plaintext) != 0 {
		t.Fatalf("%+v, %v", out, err)
	}
	for name, b := range map[string][]byte{
		"a short id":    p[:10],
		"a long length": append([]byte(strings.Repeat("a", 32)), 0x7f, 'x'),
		"a bad id":      append([]byte(strings.Repeat("Z", 32)), 0),
		"cut short":     p[:len(p)-1],
	} {
		if _, err := ParsePayload(b, 1); api.CodeOf(err) != api.CodeInvalid {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := ParsePayload(p, 3); api.CodeOf(err) != api.CodeInvalid {
		t.Errorf("a count that does not match: %v", err)
	}
}

func FuzzReadExport(f *testing.F) {
	f.Add(WriteExport(sampleExport()))
	f.Add([]byte(`{"format":"watchword-export","version":1}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		ef, err := ReadExport(data)
		if err != nil {
			return
		}
		if ef.KDF.Validate() != nil || ef.Entries < 0 {
			t.Fatalf("accepted %+v", ef)
		}
		_, _ = ParsePayload(ef.Sealed, ef.Entries)
	})
}
