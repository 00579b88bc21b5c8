package vault_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"

	"watchword/wasm/api"
	"watchword/wasm/vault"
	"watchword/wasm/vault/vaulttest"
)

func TestParseEntryMalformed(t *testing.T) {
	tests := []struct {
		name string
		b    []byte
	}{
		{"empty", nil},
		{"type 0", []byte{0}},
		{"overlong type", []byte{0x81, 0x00}},
		{"type over 32 bits", []byte{0x80, 0x80, 0x80, 0x80, 0x10}},
		{"tag 0", []byte{1, 0, 0}},
		{"tags out of order", []byte{1, 5, 0, 4, 0}},
		{"repeated tag", []byte{1, 4, 0, 4, 0}},
		{"length past the end", []byte{1, 4, 3, 'a', 'b'}},
		{"missing length", []byte{1, 4}},
		{"overlong length", []byte{1, 4, 0x80, 0x00}},
		{"huge length", []byte{1, 4, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := vault.ParseEntry(testEntryID, tt.b); !errors.Is(err, vault.ErrMalformed) {
				t.Fatalf("ParseEntry(%x): %v, want ErrMalformed", tt.b, err)
			}
		})
	}
}

func TestEntryRawAccess(t *testing.T) {
	e := vault.NewEntry(testEntryID, vault.TypeLogin)
	e.SetRaw(300, []byte("c"))
	e.SetRaw(vault.TagName, []byte("a"))
	e.SetRaw(vault.TagUsername, nil)
	e.SetRaw(0, []byte("ignored"))
	if got, want := e.Tags(), []vault.Tag{vault.TagName, vault.TagUsername, 300}; !slices.Equal(got, want) {
		t.Fatalf("Tags = %v, want %v", got, want)
	}
	if v, ok := e.Raw(vault.TagUsername); !ok || len(v) != 0 {
		t.Fatal("an empty field is not present")
	}
	b, err := e.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	// type 1 | tag 4 len 1 "a" | tag 17 len 0 | tag 300 (0xac 0x02) len 1 "c"
	want := []byte{1, 4, 1, 'a', 17, 0, 0xac, 0x02, 1, 'c'}
	if !bytes.Equal(b, want) {
		t.Fatalf("encoding %x, want %x", b, want)
	}
	e.Delete(vault.TagUsername)
	e.Delete(999)
	if e.Len() != 2 || e.Has(vault.TagUsername) {
		t.Fatal("Delete did not remove the field")
	}
	var d vault.Entry
	d.ID = "kept"
	if err := d.UnmarshalBinary(want); err != nil || d.ID != "kept" || d.String(300) != "c" {
		t.Fatalf("UnmarshalBinary: %v, %+v", err, d)
	}
}

func TestTypedFields(t *testing.T) {
	e := vault.NewEntry(testEntryID, vault.TypeLogin)
	now := time.UnixMilli(1712345678901)
	e.SetBool(vault.TagFavourite, true)
	e.SetTime(vault.TagCreated, now)
	e.SetString(vault.TagPassword, "pw")
	urls := []vault.URL{{URL: "https://a.example"}, {URL: "https://b.example/x", Match: vault.MatchPrefix}}
	e.SetURLs(urls)
	e.AppendHistory(vault.TagPassword, []byte("older"), now.Add(-time.Hour))
	e.AppendHistory(vault.TagUsername, []byte("someone"), now)

	if !e.Bool(vault.TagFavourite) || !e.Time(vault.TagCreated).Equal(now) || e.String(vault.TagPassword) != "pw" {
		t.Fatal("typed values do not read back")
	}
	got, err := e.URLs()
	if err != nil || len(got) != 2 || got[1].URL != urls[1].URL || got[1].Match != vault.MatchPrefix {
		t.Fatalf("URLs = %+v, %v", got, err)
	}
	h, err := e.History()
	if err != nil || len(h) != 2 {
		t.Fatalf("History = %+v, %v", h, err)
	}
	if h[0].Field != vault.TagPassword || string(h[0].Value) != "older" || !h[0].Time.Equal(now.Add(-time.Hour)) ||
		h[1].Field != vault.TagUsername || string(h[1].Value) != "someone" {
		t.Fatalf("History = %+v", h)
	}
	e.SetBool(vault.TagFavourite, false)
	e.SetString(vault.TagPassword, "")
	e.SetTime(vault.TagCreated, time.Time{})
	e.SetURLs(nil)
	if e.Has(vault.TagFavourite) || e.Has(vault.TagPassword) || e.Has(vault.TagCreated) || e.Has(vault.TagURLs) {
		t.Fatal("zero values did not remove their fields")
	}
	if m, ok := vault.ParseMatch("never"); !ok || m != vault.MatchNever || m.String() != "never" || vault.Match(9).String() != "match(9)" {
		t.Fatal("match names")
	}
}

// TestNewerVersionDataKept proves that a device of this version keeps every
// byte written by a newer one (a new type, a new field, new sub-fields of
// URLs and history items) through decode, edit and encode.
func TestNewerVersionDataKept(t *testing.T) {
	next := vaulttest.NextSchema(t, false)
	cur := vault.DefaultSchema()
	if _, ok := next.Field(vault.TypeLogin, vaulttest.NextTagLogin); !ok || next.Version() != cur.Version()+1 {
		t.Fatal("the next schema does not know its new login field")
	}

	// A login written by the next version: a passkey field, and a URL and a
	// history item with sub-fields this version does not know.
	login := loginEntry(testEntryID, 1)
	login.SetString(vaulttest.NextTagLogin, "passkey-material")
	login.SetRaw(vault.TagURLs, []byte{
		// item: url "https://a.example", sub-field 7 = "x"
		22, 1, 17, 'h', 't', 't', 'p', 's', ':', '/', '/', 'a', '.', 'e', 'x', 'a', 'm', 'p', 'l', 'e', 7, 1, 'x',
	})
	login.SetRaw(vault.TagHistory, []byte{6, 1, 2, 'p', 'w', 9, 0}) // item: value "pw", sub-field 9
	wifi := vault.NewEntry(otherID, vaulttest.NextType)
	wifi.SetString(vault.TagName, "Home")
	wifi.SetString(vaulttest.NextTagSSID, "home-net")
	wifi.SetString(vaulttest.NextTagKey, "wpa-key")

	if st := next.Status(wifi); st.HiddenFields || st.Unknown {
		t.Fatalf("the next schema cannot show its own entry: %+v", st)
	}
	if st := cur.Status(login); !st.HiddenFields || st.Unknown || st.ReadOnly() {
		t.Fatalf("login status under this version: %+v", st)
	}
	if st := cur.Status(wifi); !st.Unknown || !st.ReadOnly() {
		t.Fatalf("wifi status under this version: %+v", st)
	}
	if r := cur.Report([]*vault.Entry{login, wifi, nil}); r != (vault.Report{Entries: 2, Unknown: 1, HiddenFields: 1, Counted: 1}) {
		t.Fatalf("report %+v", r)
	}

	k := testKey(t, testVaultID, 1)
	sealed, err := k.SealEntries([]*vault.Entry{login, wifi})
	if err != nil {
		t.Fatal(err)
	}
	opened := k.OpenEntries(sealed)
	got := opened[0].Entry

	// Edit the login on this version: the name and the URL list.
	form := `{"type":"login","fields":{"name":"Renamed","urls":[{"url":"https://new.example","match":"host"},{"url":"https://a.example"}],"password":"new-pw"}}`
	if err := cur.ApplyEdit(got, []byte(form), time.UnixMilli(1800000000000)); err != nil {
		t.Fatal(err)
	}
	if got.String(vaulttest.NextTagLogin) != "passkey-material" {
		t.Fatal("the unknown field was lost in an edit")
	}
	urls, _ := got.URLs()
	if len(urls) != 2 || urls[0].URL != "https://new.example" || urls[0].Match != vault.MatchHost {
		t.Fatalf("urls after edit %+v", urls)
	}
	raw, _ := got.Raw(vault.TagURLs)
	if !bytes.HasSuffix(raw, []byte{7, 1, 'x'}) {
		t.Fatalf("the unknown URL sub-field was lost: %x", raw)
	}
	hist, _ := got.Raw(vault.TagHistory)
	if !bytes.HasPrefix(hist, []byte{6, 1, 2, 'p', 'w', 9, 0}) {
		t.Fatalf("the earlier history item changed: %x", hist)
	}
	h, _ := got.History()
	if len(h) != 2 || string(h[1].Value) != "Tr0ub4dor&3-correct-horse" {
		t.Fatalf("the replaced password is not in the history: %+v", h)
	}
	// The unknown type opens and re-encodes byte for byte.
	want, _ := wifi.MarshalBinary()
	if b, _ := opened[1].Entry.MarshalBinary(); !bytes.Equal(b, want) {
		t.Fatal("an entry of an unknown type changed")
	}
	if err := cur.ApplyEdit(opened[1].Entry, []byte(`{"fields":{}}`), time.Now()); api.CodeOf(err) != api.CodeInvalid {
		t.Fatalf("editing an unknown type: %v", err)
	}
}

func TestArchivedType(t *testing.T) {
	next := vaulttest.NextSchema(t, true)
	note := vault.NewEntry(testEntryID, vault.TypeNote)
	note.SetString(vault.TagName, "n")
	st := next.Status(note)
	if !st.Archived || !st.ReadOnly() || st.Unknown {
		t.Fatalf("status %+v", st)
	}
	if r := next.Report([]*vault.Entry{note, loginEntry(otherID, 1)}); r.Archived != 1 || r.Counted != 1 {
		t.Fatalf("report %+v", r)
	}
	if err := next.ApplyEdit(note, []byte(`{"fields":{"name":"x"}}`), time.Now()); api.CodeOf(err) != api.CodeInvalid {
		t.Fatalf("editing an archived entry: %v", err)
	}
	out := next.AppendJSON(nil, note)
	var v map[string]any
	if err := json.Unmarshal(out, &v); err != nil || v["archived"] != true || v["readOnly"] != true {
		t.Fatalf("JSON %s: %v", out, err)
	}
}

func TestNewSchemaRefuses(t *testing.T) {
	f := []vault.FieldSpec{{Tag: 1, Name: "a", Kind: vault.KindString}}
	tests := []struct {
		name  string
		types []vault.TypeSpec
	}{
		{"type 0", []vault.TypeSpec{{Type: 0, Name: "x", Fields: f}}},
		{"repeated type", []vault.TypeSpec{{Type: 1, Name: "x", Fields: f}, {Type: 1, Name: "y", Fields: f}}},
		{"repeated name", []vault.TypeSpec{{Type: 1, Name: "x", Fields: f}, {Type: 2, Name: "x", Fields: f}}},
		{"tag 0", []vault.TypeSpec{{Type: 1, Name: "x", Fields: []vault.FieldSpec{{Tag: 0, Name: "a", Kind: vault.KindString}}}}},
		{"repeated tag", []vault.TypeSpec{{Type: 1, Name: "x", Fields: append(f, vault.FieldSpec{Tag: 1, Name: "b", Kind: vault.KindString})}}},
		{"repeated field name", []vault.TypeSpec{{Type: 1, Name: "x", Fields: append(f, vault.FieldSpec{Tag: 2, Name: "a", Kind: vault.KindString})}}},
		{"reserved field name", []vault.TypeSpec{{Type: 1, Name: "x", Fields: []vault.FieldSpec{{Tag: 1, Name: "id", Kind: vault.KindString}}}}},
		{"unknown kind", []vault.TypeSpec{{Type: 1, Name: "x", Fields: []vault.FieldSpec{{Tag: 1, Name: "a", Kind: 99}}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := vault.NewSchema(1, tt.types); api.CodeOf(err) != api.CodeInvalid {
				t.Fatalf("NewSchema: %v", err)
			}
		})
	}
}

func TestAppendJSON(t *testing.T) {
	s := vault.DefaultSchema()
	e := vault.NewEntry(testEntryID, vault.TypeLogin)
	e.SetBool(vault.TagFavourite, true)
	e.SetTime(vault.TagCreated, time.UnixMilli(1700000000000))
	e.SetString(vault.TagName, "Quote\" back\\slash <tag> & \n\t\x01 \u2028 bad:\xff\xfe end")
	e.SetURLs([]vault.URL{{URL: "https://example.com", Match: vault.MatchNever}})
	e.SetString(vault.TagUsername, "ü")
	e.AppendHistory(vault.TagPassword, []byte("old"), time.UnixMilli(5))
	e.SetRaw(vault.TagCreated+100, []byte("unknown"))

	out := s.AppendJSON([]byte("prefix:"), e)
	if !bytes.HasPrefix(out, []byte("prefix:")) {
		t.Fatal("AppendJSON did not append")
	}
	out = out[len("prefix:"):]
	var got struct {
		ID           string         `json:"id"`
		Type         *string        `json:"type"`
		TypeID       int            `json:"typeId"`
		HiddenFields bool           `json:"hiddenFields"`
		Fields       map[string]any `json:"fields"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("invalid JSON %s: %v", out, err)
	}
	want := "Quote\" back\\slash <tag> & \n\t\x01 \u2028 bad:\ufffd\ufffd end"
	if got.ID != testEntryID || got.Type == nil || *got.Type != "login" || got.TypeID != 1 || !got.HiddenFields {
		t.Fatalf("header %+v", got)
	}
	checks := map[string]any{
		"name":      want,
		"favourite": true,
		"created":   1700000000000.0,
		"username":  "ü",
		"urls":      []any{map[string]any{"url": "https://example.com", "match": "never"}},
		"history":   []any{map[string]any{"tag": 18.0, "field": "password", "value": "old", "time": 5.0}},
	}
	for k, v := range checks {
		if gv, _ := json.Marshal(got.Fields[k]); string(gv) != mustJSON(t, v) {
			t.Errorf("field %s = %s, want %s", k, gv, mustJSON(t, v))
		}
	}
	if len(got.Fields) != len(checks) {
		t.Errorf("fields %v: the unknown field is shown", got.Fields)
	}
	if bytes.ContainsAny(out, "<>&\u2028") {
		t.Errorf("unescaped HTML or line separator in %s", out)
	}

	unknown := vault.NewEntry(otherID, 77)
	unknown.SetString(1, "x")
	if string(s.AppendJSON(nil, unknown)) != `{"id":"`+otherID+`","type":null,"typeId":77,"unknown":true,"archived":false,"readOnly":true,"hiddenFields":true,"fields":{}}` {
		t.Fatalf("unknown type JSON %s", s.AppendJSON(nil, unknown))
	}
}

func mustJSON(t *testing.T, v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestAppendVaultJSON(t *testing.T) {
	k := testKey(t, testVaultID, 1)
	unknown := vault.NewEntry(entryID(2), 77)
	sealed, err := k.SealEntries([]*vault.Entry{loginEntry(entryID(0), 0), loginEntry(entryID(1), 1), unknown})
	if err != nil {
		t.Fatal(err)
	}
	sealed[1].Ciphertext = sealed[1].Ciphertext[:50]
	out := vault.DefaultSchema().AppendVaultJSON(nil, k.OpenEntries(sealed))
	var got struct {
		Entries []map[string]any `json:"entries"`
		Failed  []struct{ ID, Code string }
		Report  vault.Report `json:"report"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("invalid JSON %s: %v", out, err)
	}
	if len(got.Entries) != 2 || len(got.Failed) != 1 || got.Failed[0].ID != entryID(1) || got.Failed[0].Code != string(api.CodeDecrypt) {
		t.Fatalf("%s", out)
	}
	if got.Report != (vault.Report{Entries: 2, Unknown: 1, Counted: 1}) {
		t.Fatalf("report %+v", got.Report)
	}
}

func TestApplyEdit(t *testing.T) {
	s := vault.DefaultSchema()
	now := time.UnixMilli(1750000000000)
	base := loginEntry(testEntryID, 1)
	base.SetRaw(200, []byte("unknown"))

	tests := []struct {
		name  string
		form  string
		code  api.Code
		check func(t *testing.T, e *vault.Entry)
	}{
		{"set and clear", `{"id":"` + testEntryID + `","type":"login","fields":{"name":"New","notes":"n","username":null,"favourite":true}}`, "", func(t *testing.T, e *vault.Entry) {
			if e.String(vault.TagName) != "New" || e.String(vault.TagNotes) != "n" || e.Has(vault.TagUsername) || !e.Bool(vault.TagFavourite) {
				t.Fatal("fields not applied")
			}
			if h, _ := e.History(); len(h) != 0 {
				t.Fatal("history grew without a secret change")
			}
		}},
		{"password change", `{"fields":{"password":"fresh"}}`, "", func(t *testing.T, e *vault.Entry) {
			h, _ := e.History()
			if e.String(vault.TagPassword) != "fresh" || len(h) != 1 || string(h[0].Value) != "Tr0ub4dor&3-correct-horse" || !h[0].Time.Equal(now) {
				t.Fatalf("history %+v", h)
			}
		}},
		{"same password", `{"fields":{"password":"Tr0ub4dor&3-correct-horse"}}`, "", func(t *testing.T, e *vault.Entry) {
			if e.Has(vault.TagHistory) {
				t.Fatal("an unchanged password went into the history")
			}
		}},
		{"unknown field name", `{"fields":{"passkey":"x"}}`, api.CodeBadRequest, nil},
		{"managed field", `{"fields":{"created":5}}`, api.CodeBadRequest, nil},
		{"history", `{"fields":{"history":[]}}`, api.CodeBadRequest, nil},
		{"wrong kind", `{"fields":{"name":5}}`, api.CodeBadRequest, nil},
		{"bad match", `{"fields":{"urls":[{"url":"https://x","match":"fuzzy"}]}}`, api.CodeBadRequest, nil},
		{"other type", `{"type":"card","fields":{}}`, api.CodeBadRequest, nil},
		{"other id", `{"id":"` + otherID + `","fields":{}}`, api.CodeBadRequest, nil},
		{"unknown key", `{"fields":{},"extra":1}`, api.CodeBadRequest, nil},
		{"not JSON", `{"fields":`, api.CodeBadRequest, nil},
		{"trailing data", `{"fields":{}} {}`, api.CodeBadRequest, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := base.Clone()
			before, _ := e.MarshalBinary()
			err := s.ApplyEdit(e, []byte(tt.form), now)
			if tt.code != "" {
				if api.CodeOf(err) != tt.code {
					t.Fatalf("ApplyEdit: %v, want code %s", err, tt.code)
				}
				if after, _ := e.MarshalBinary(); !bytes.Equal(before, after) {
					t.Fatal("a refused edit changed the entry")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !e.Time(vault.TagModified).Equal(now) || e.String(200) != "unknown" {
				t.Fatal("modified not set or the unknown field lost")
			}
			tt.check(t, e)
		})
	}

	t.Run("new entry", func(t *testing.T) {
		e := vault.NewEntry(testEntryID, vault.TypeDocument)
		if err := s.ApplyEdit(e, []byte(`{"fields":{"name":"scan","mimeType":"image/png","data":"AAEC"}}`), now); err != nil {
			t.Fatal(err)
		}
		if v, _ := e.Raw(vault.TagData); !bytes.Equal(v, []byte{0, 1, 2}) || !e.Time(vault.TagCreated).Equal(now) {
			t.Fatalf("document %x", v)
		}
	})
}

func TestApplyEditHistoryOrder(t *testing.T) {
	e := vault.NewEntry(testEntryID, vault.TypeCard)
	e.SetString(vault.TagCardNumber, "4111111111111111")
	e.SetString(vault.TagSecurityCode, "123")
	e.SetString(vault.TagCardPIN, "0000")
	form := `{"fields":{"pin":null,"securityCode":"456","number":"5500000000000004"}}`
	if err := vault.DefaultSchema().ApplyEdit(e, []byte(form), time.UnixMilli(1)); err != nil {
		t.Fatal(err)
	}
	h, err := e.History()
	if err != nil {
		t.Fatal(err)
	}
	var got []vault.Tag
	for _, it := range h {
		got = append(got, it.Field)
	}
	if want := []vault.Tag{vault.TagCardNumber, vault.TagSecurityCode, vault.TagCardPIN}; !slices.Equal(got, want) {
		t.Fatalf("history fields %v, want %v", got, want)
	}
	if e.Has(vault.TagCardPIN) || string(h[2].Value) != "0000" {
		t.Fatal("a removed secret is not in the history")
	}
}
