package vault

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strconv"
	"time"

	"watchword/wasm/api"
	"watchword/wasm/jsonwire"
)

// AppendJSON appends e as a JSON object for display, without reflection:
//
//	{"id":"…","type":"login","typeId":1,"unknown":false,"archived":false,
//	 "readOnly":false,"hiddenFields":false,"fields":{"name":"…", …}}
//
// fields holds the known fields present, keyed by their schema names, in tag
// order: strings and secrets as strings, bools as true, times as
// milliseconds since the Unix epoch, bytes as standard base64, urls as
// [{"url":"…","match":"domain"}] and history as
// [{"tag":18,"field":"password","value":"…","time":…}]. An entry of an
// unknown type has "type":null and no fields. Invalid UTF-8 is written as
// U+FFFD, so the output is always valid JSON.
func (s *Schema) AppendJSON(dst []byte, e *Entry) []byte {
	return s.appendJSON(dst, e, s.Status(e))
}

func (s *Schema) appendJSON(dst []byte, e *Entry, st Status) []byte {
	ts := s.typeSpec(e.Type)
	dst = append(dst, `{"id":`...)
	dst = jsonwire.AppendString(dst, e.ID)
	dst = append(dst, `,"type":`...)
	if ts != nil {
		dst = jsonwire.AppendString(dst, ts.Name)
	} else {
		dst = append(dst, "null"...)
	}
	dst = append(dst, `,"typeId":`...)
	dst = strconv.AppendUint(dst, uint64(e.Type), 10)
	dst = appendJSONBool(dst, `,"unknown":`, st.Unknown)
	dst = appendJSONBool(dst, `,"archived":`, st.Archived)
	dst = appendJSONBool(dst, `,"readOnly":`, st.ReadOnly())
	dst = appendJSONBool(dst, `,"hiddenFields":`, st.HiddenFields)
	dst = append(dst, `,"fields":{`...)
	if ts != nil {
		first := true
		for _, f := range e.fields {
			fs := fieldSpec(ts, f.tag)
			if fs == nil || !validValue(fs.Kind, f.val) {
				continue
			}
			if !first {
				dst = append(dst, ',')
			}
			first = false
			dst = jsonwire.AppendString(dst, fs.Name)
			dst = append(dst, ':')
			dst = appendJSONValue(dst, ts, fs.Kind, f.val)
		}
	}
	return append(dst, "}}"...)
}

// AppendVaultJSON appends the result of opening a vault (or a batch of
// entries) for display, in one pass:
//
//	{"entries":[…],"failed":[{"id":"…","code":"decrypt_failed"}],"report":{…}}
//
// entries holds every opened entry (unknown types included, flagged, so the
// caller decides), failed the entries that did not open or decode, and report
// the counts of [Schema.Report] over the opened entries.
func (s *Schema) AppendVaultJSON(dst []byte, opened []Opened) []byte {
	var r Report
	dst = append(dst, `{"entries":[`...)
	first := true
	for _, o := range opened {
		if o.Err != nil || o.Entry == nil {
			continue
		}
		if !first {
			dst = append(dst, ',')
		}
		first = false
		st := s.Status(o.Entry)
		r.Add(st)
		dst = s.appendJSON(dst, o.Entry, st)
	}
	dst = append(dst, `],"failed":[`...)
	first = true
	for _, o := range opened {
		if o.Err == nil && o.Entry != nil {
			continue
		}
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = append(dst, `{"id":`...)
		dst = jsonwire.AppendString(dst, o.ID)
		dst = append(dst, `,"code":`...)
		dst = jsonwire.AppendString(dst, string(api.CodeOf(o.Err)))
		dst = append(dst, '}')
	}
	dst = append(dst, `],"report":{"entries":`...)
	dst = strconv.AppendInt(dst, int64(r.Entries), 10)
	dst = append(dst, `,"unknown":`...)
	dst = strconv.AppendInt(dst, int64(r.Unknown), 10)
	dst = append(dst, `,"hiddenFields":`...)
	dst = strconv.AppendInt(dst, int64(r.HiddenFields), 10)
	dst = append(dst, `,"archived":`...)
	dst = strconv.AppendInt(dst, int64(r.Archived), 10)
	dst = append(dst, `,"counted":`...)
	dst = strconv.AppendInt(dst, int64(r.Counted), 10)
	return append(dst, "}}"...)
}

func appendJSONBool(dst []byte, key string, b bool) []byte {
	dst = append(dst, key...)
	if b {
		return append(dst, "true"...)
	}
	return append(dst, "false"...)
}

func appendJSONValue(dst []byte, ts *TypeSpec, k Kind, val []byte) []byte {
	switch k {
	case KindBool:
		return append(dst, "true"...)
	case KindTime:
		ms, _ := decodeTime(val)
		return strconv.AppendInt(dst, ms, 10)
	case KindBytes:
		dst = append(dst, '"')
		dst = base64.StdEncoding.AppendEncode(dst, val)
		return append(dst, '"')
	case KindURLs:
		return appendURLsJSON(dst, val)
	case KindHistory:
		return appendHistoryJSON(dst, ts, val)
	}
	return jsonwire.AppendString(dst, val)
}

func appendURLsJSON(dst []byte, val []byte) []byte {
	dst = append(dst, '[')
	var buf [8]field
	for b := val; len(b) > 0; {
		fs, rest, err := nextItem(b, buf[:0])
		if err != nil {
			break // checked by validValue before
		}
		if len(b) != len(val) {
			dst = append(dst, ',')
		}
		b = rest
		var u []byte
		m := MatchDomain
		for _, f := range fs {
			switch {
			case f.tag == subURL:
				u = f.val
			case f.tag == subMatch && len(f.val) == 1:
				m = Match(f.val[0])
			}
		}
		dst = append(dst, `{"url":`...)
		dst = jsonwire.AppendString(dst, u)
		dst = append(dst, `,"match":`...)
		if int(m) < len(matchNames) {
			dst = jsonwire.AppendString(dst, matchNames[m])
		} else {
			dst = strconv.AppendUint(dst, uint64(m), 10)
		}
		dst = append(dst, '}')
	}
	return append(dst, ']')
}

func appendHistoryJSON(dst []byte, ts *TypeSpec, val []byte) []byte {
	dst = append(dst, '[')
	var buf [8]field
	for b := val; len(b) > 0; {
		fs, rest, err := nextItem(b, buf[:0])
		if err != nil {
			break // checked by validValue before
		}
		if len(b) != len(val) {
			dst = append(dst, ',')
		}
		b = rest
		var v []byte
		var ms int64
		tag := TagPassword
		for _, f := range fs {
			switch f.tag {
			case subValue:
				v = f.val
			case subTime:
				ms, _ = decodeTime(f.val)
			case subField:
				if t, n, ok := readUvarint32(f.val); ok && n == len(f.val) {
					tag = Tag(t)
				}
			}
		}
		dst = append(dst, `{"tag":`...)
		dst = strconv.AppendUint(dst, uint64(tag), 10)
		dst = append(dst, `,"field":`...)
		fspec := fieldSpec(ts, tag)
		if fspec != nil {
			dst = jsonwire.AppendString(dst, fspec.Name)
		} else {
			dst = append(dst, "null"...)
		}
		dst = append(dst, `,"value":`...)
		if fspec != nil && fspec.Kind == KindBytes {
			dst = append(dst, '"')
			dst = base64.StdEncoding.AppendEncode(dst, v)
			dst = append(dst, '"')
		} else {
			dst = jsonwire.AppendString(dst, v)
		}
		dst = append(dst, `,"time":`...)
		dst = strconv.AppendInt(dst, ms, 10)
		dst = append(dst, '}')
	}
	return append(dst, ']')
}

// editForm is what the popup sends back after an edit; each field's value
// is kept raw until its kind is known.
type editForm struct {
	ID     string
	Type   string
	Fields map[string][]byte
}

func (f *editForm) readJSON(d *jsonwire.Decoder) {
	for ok := d.Object(); ok && d.Member(); {
		switch d.Key() {
		case "id":
			f.ID = d.String()
		case "type":
			f.Type = d.String()
		case "fields":
			f.Fields = make(map[string][]byte)
			for ok := d.Object(); ok && d.Member(); {
				name := d.Key()
				f.Fields[name] = d.Raw()
			}
		default:
			d.Unknown()
		}
	}
}

// ApplyEdit applies an edit form from the popup to e:
//
//	{"id":"…","type":"login","fields":{"name":"…","password":"…","urls":[{"url":"…","match":"host"}]}}
//
// id and type are optional but must match e when present. Each field named
// in fields is set (null, "" or [] removes it; false removes a bool); fields
// not named, and every field this schema does not know, are left exactly as
// they are. Values use the same forms as [Schema.AppendJSON]. created,
// modified and history are kept by this package and are refused in a form.
// When a secret (a password, a card number, ...) changes, its earlier value
// goes into the history. modified becomes now, and created too if unset.
//
// Entries of unknown or archived types are read-only. On any error e is
// unchanged.
func (s *Schema) ApplyEdit(e *Entry, form []byte, now time.Time) error {
	ts := s.typeSpec(e.Type)
	if ts == nil || ts.Archived {
		return api.NewError(api.CodeInvalid, "edit entry "+e.ID+": the entry is read-only in this version")
	}
	var f editForm
	if err := jsonwire.Decode(form, true, f.readJSON); err != nil {
		return api.NewError(api.CodeBadRequest, "edit entry "+e.ID+": "+err.Error())
	}
	if f.ID != "" && f.ID != e.ID {
		return api.NewError(api.CodeBadRequest, "edit entry "+e.ID+": the form is for entry "+strconv.Quote(f.ID))
	}
	if f.Type != "" && f.Type != ts.Name {
		return api.NewError(api.CodeBadRequest, "edit entry "+e.ID+": the form is for type "+strconv.Quote(f.Type)+", the entry is a "+ts.Name)
	}
	next := e.Clone()
	oldURLs, _ := e.URLs()
	for name := range f.Fields {
		fs := fieldByName(ts, name)
		if fs == nil {
			return api.NewError(api.CodeBadRequest, "edit entry "+e.ID+": "+ts.Name+" has no field "+strconv.Quote(name))
		}
		if fs.Tag == TagCreated || fs.Tag == TagModified || fs.Kind == KindHistory {
			return api.NewError(api.CodeBadRequest, "edit entry "+e.ID+": field "+strconv.Quote(name)+" cannot be edited")
		}
	}
	// Apply in tag order, so that the history grows in the same order
	// whatever order the form's keys came in.
	for i := range ts.Fields {
		fs := &ts.Fields[i]
		raw, ok := f.Fields[fs.Name]
		if !ok {
			continue
		}
		if err := applyField(next, fs, raw, oldURLs); err != nil {
			return api.NewError(api.CodeBadRequest, "edit entry "+e.ID+": field "+strconv.Quote(fs.Name)+": "+err.Error())
		}
		if fs.Kind == KindSecret {
			old, had := e.Raw(fs.Tag)
			nv, _ := next.Raw(fs.Tag)
			if had && len(old) > 0 && !bytes.Equal(old, nv) {
				next.AppendHistory(fs.Tag, old, now)
			}
		}
	}
	next.SetTime(TagModified, now)
	if !next.Has(TagCreated) {
		next.SetTime(TagCreated, now)
	}
	*e = *next
	return nil
}

func fieldByName(ts *TypeSpec, name string) *FieldSpec {
	for i := range ts.Fields {
		if ts.Fields[i].Name == name {
			return &ts.Fields[i]
		}
	}
	return nil
}

func applyField(e *Entry, fs *FieldSpec, raw []byte, oldURLs []URL) error {
	d := jsonwire.NewDecoder(raw)
	if d.Null() {
		e.Delete(fs.Tag)
		return nil
	}
	switch fs.Kind {
	case KindString, KindSecret:
		if v := d.String(); d.Err() == nil {
			e.SetString(fs.Tag, v)
		}
	case KindBool:
		if v := d.Bool(); d.Err() == nil {
			e.SetBool(fs.Tag, v)
		}
	case KindTime:
		if ms := d.Int64(); d.Err() == nil {
			e.SetTime(fs.Tag, time.UnixMilli(ms))
		}
	case KindBytes:
		switch v := d.Base64(); {
		case d.Err() != nil:
		case len(v) == 0:
			e.Delete(fs.Tag)
		default:
			e.SetRaw(fs.Tag, v)
		}
	case KindURLs:
		urls := []URL{}
		used := make([]bool, len(oldURLs))
		for ok := d.Array(); ok && d.Elem(); {
			var u URL
			var match string
			for ok := d.Object(); ok && d.Member(); {
				switch d.Key() {
				case "url":
					u.URL = d.String()
				case "match":
					match = d.String()
				default:
					d.Unknown()
				}
			}
			if u.URL == "" {
				continue
			}
			u.Match = MatchDomain
			if match != "" {
				var ok bool
				if u.Match, ok = ParseMatch(match); !ok {
					return errors.New("unknown match rule " + strconv.Quote(match))
				}
			}
			// Keep the sub-fields of other versions of the same URL.
			for j, o := range oldURLs {
				if !used[j] && o.URL == u.URL {
					used[j] = true
					u.extra = o.extra
					break
				}
			}
			urls = append(urls, u)
		}
		if d.Err() == nil {
			e.SetURLs(urls)
		}
	default:
		return errors.New("cannot be edited")
	}
	return d.Err()
}
