package transfer

import (
	"encoding/binary"
	"strconv"
	"time"

	"watchword/wasm/api"
	"watchword/wasm/jsonwire"
)

// An encrypted export is a JSON file:
//
//	{"format":"watchword-export","version":1,"created":"2026-12-04T19:30:00Z",
//	 "entries":12,"kdf":{"alg":"argon2id","salt":"…","m":65536,"t":3,"p":4},
//	 "data":"…"}
//
// data is the payload sealed by vault.ExportKey under the key Argon2id
// derives from the file's password with the file's kdf settings; the seal
// binds [ExportFile.AD] (format, version, entry count, settings, salt), so
// none of them can be changed without the file failing to open. The
// payload is the entries, each as its id and its plaintext in the vault's
// own encoding: a type or field this version does not know is carried
// unchanged to the version that does.

// ExportFormat and ExportVersion name the files WriteExport writes.
const (
	ExportFormat  = "watchword-export"
	ExportVersion = 1
)

// ExportFile is an encrypted export as the file holds it.
type ExportFile struct {
	Created time.Time
	Entries int
	KDF     api.KDFParams
	Sealed  []byte
}

// AD is what the payload's seal binds.
func (f ExportFile) AD() []byte {
	b := []byte(ExportFormat + "\x00")
	b = binary.AppendUvarint(b, ExportVersion)
	b = binary.AppendUvarint(b, uint64(f.Entries))
	b = append(b, f.KDF.Algorithm...)
	b = append(b, 0)
	b = binary.AppendUvarint(b, uint64(len(f.KDF.Salt)))
	b = append(b, f.KDF.Salt...)
	b = binary.AppendUvarint(b, uint64(f.KDF.MemoryKiB))
	b = binary.AppendUvarint(b, uint64(f.KDF.Time))
	return binary.AppendUvarint(b, uint64(f.KDF.Threads))
}

// WriteExport writes f as the file's JSON.
func WriteExport(f ExportFile) []byte {
	w := jsonwire.NewWriter(nil)
	w.BeginObject()
	w.StringField("format", ExportFormat)
	w.IntField("version", ExportVersion)
	w.TimeField("created", f.Created.UTC())
	w.IntField("entries", int64(f.Entries))
	w.Key("kdf")
	f.KDF.WriteJSON(w)
	w.Base64Field("data", f.Sealed)
	w.EndObject()
	return append(w.Bytes(), '\n')
}

// MaxExportFileBytes bounds an export file ReadExport takes.
const MaxExportFileBytes = 384 << 20

// ReadExport reads an export file's JSON. A file of another format is
// CodeInvalid, one of a later version CodeUnsupported; settings below the
// KDF floors are refused here, before anything is derived.
func ReadExport(data []byte) (ExportFile, error) {
	if len(data) > MaxExportFileBytes {
		return ExportFile{}, api.NewError(api.CodeTooLarge, "the file is larger than "+strconv.Itoa(MaxExportFileBytes>>20)+" MB")
	}
	var f ExportFile
	var format string
	var version int64 = -1
	var hasKDF, hasData bool
	err := jsonwire.Decode(data, false, func(d *jsonwire.Decoder) {
		for ok := d.Object(); ok && d.Member(); {
			switch d.Key() {
			case "format":
				format = d.String()
			case "version":
				version = d.Int64()
			case "created":
				f.Created = d.Time()
			case "entries":
				f.Entries = d.Int()
			case "kdf":
				hasKDF = true
				f.KDF.ReadJSON(d)
			case "data":
				hasData = true
				f.Sealed = d.Base64()
			default:
				d.Unknown()
			}
		}
	})
	if err != nil || format != ExportFormat {
		return ExportFile{}, api.NewError(api.CodeInvalid, "this is not a Watchword export file")
	}
	if version != ExportVersion {
		return ExportFile{}, api.NewError(api.CodeUnsupported, "this export file is of version "+strconv.Itoa(int(version))+", which this version of Watchword does not read")
	}
	if !hasKDF || !hasData || f.Entries < 0 {
		return ExportFile{}, api.NewError(api.CodeInvalid, "the export file is incomplete")
	}
	if err := f.KDF.Validate(); err != nil {
		return ExportFile{}, err
	}
	return f, nil
}

// Entry is one entry of an export: its id and its plaintext in the vault's
// own encoding.
type Entry struct {
	ID        string
	Plaintext []byte
}

// AppendPayload appends the payload of entries: each an id (api.IDSize*2
// hex characters), a uvarint length and the plaintext.
func AppendPayload(dst []byte, entries []Entry) []byte {
	for _, e := range entries {
		dst = append(dst, e.ID...)
		dst = binary.AppendUvarint(dst, uint64(len(e.Plaintext)))
		dst = append(dst, e.Plaintext...)
	}
	return dst
}

// ParsePayload splits a payload into its entries, which share its memory.
// It only ever sees a payload that opened under the file's key, but checks
// every length anyway.
func ParsePayload(b []byte, want int) ([]Entry, error) {
	var out []Entry
	for len(b) > 0 {
		if len(b) < 2*api.IDSize || !api.ValidID(string(b[:2*api.IDSize])) {
			return nil, api.NewError(api.CodeInvalid, "the export is damaged at entry "+strconv.Itoa(len(out)+1))
		}
		id := string(b[:2*api.IDSize])
		b = b[2*api.IDSize:]
		n, k := binary.Uvarint(b)
		if k <= 0 || n > uint64(len(b)-k) {
			return nil, api.NewError(api.CodeInvalid, "the export is damaged at entry "+strconv.Itoa(len(out)+1))
		}
		out = append(out, Entry{ID: id, Plaintext: b[k : k+int(n)]})
		b = b[k+int(n):]
	}
	if len(out) != want {
		return nil, api.NewError(api.CodeInvalid, "the export holds "+strconv.Itoa(len(out))+" entries where its header says "+strconv.Itoa(want))
	}
	return out, nil
}
