package vaultsync

import (
	"bytes"
	"context"
	"slices"
	"testing"
	"time"

	"watchword/wasm/vault"
	"watchword/wasm/vault/vaulttest"
	"watchword/wasm/vaultsync/memserver"
)

func TestEntryMerger(t *testing.T) {
	const id = "00112233445566778899aabbccddeeff"
	type fields = map[vault.Tag]string
	mk := func(typ vault.Type, at time.Duration, fs fields) []byte {
		e := vault.NewEntry(id, typ)
		for tag, v := range fs {
			e.SetRaw(tag, []byte(v))
		}
		e.SetTime(vault.TagModified, t0.Add(at*time.Minute))
		b, err := e.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	const (
		name, pw, unknown = vault.TagName, vault.TagPassword, vault.Tag(77)
	)
	tests := []struct {
		name                string
		base, local, remote []byte
		want                fields
		wantType            vault.Type
		wantHist            map[vault.Tag][]string
		wantModified        time.Duration
	}{
		{
			name:   "one side changed each field",
			base:   mk(vault.TypeLogin, 0, fields{name: "n", pw: "p"}),
			local:  mk(vault.TypeLogin, 1, fields{name: "n-local", pw: "p"}),
			remote: mk(vault.TypeLogin, 2, fields{name: "n", pw: "p-remote"}),
			want:   fields{name: "n-local", pw: "p-remote"}, wantModified: 2,
		},
		{
			name:   "removal on one side is a change",
			base:   mk(vault.TypeLogin, 0, fields{name: "n", pw: "p"}),
			local:  mk(vault.TypeLogin, 1, fields{name: "n"}),
			remote: mk(vault.TypeLogin, 2, fields{name: "n", pw: "p"}),
			want:   fields{name: "n"}, wantModified: 2,
		},
		{
			name:   "both changed: later edit wins, the other goes into history",
			base:   mk(vault.TypeLogin, 0, fields{pw: "p"}),
			local:  mk(vault.TypeLogin, 5, fields{pw: "p-local"}),
			remote: mk(vault.TypeLogin, 3, fields{pw: "p-remote"}),
			want:   fields{pw: "p-local"}, wantHist: map[vault.Tag][]string{pw: {"p-remote"}}, wantModified: 5,
		},
		{
			name:   "both changed an unknown field, kept byte for byte",
			base:   mk(vault.TypeLogin, 0, fields{unknown: "\x00\x01"}),
			local:  mk(vault.TypeLogin, 1, fields{unknown: "\x00\x02"}),
			remote: mk(vault.TypeLogin, 2, fields{unknown: "\xff"}),
			want:   fields{unknown: "\xff"}, wantHist: map[vault.Tag][]string{unknown: {"\x00\x02"}}, wantModified: 2,
		},
		{
			name:   "unknown type and fields carried through",
			base:   mk(vaulttest.NextType, 0, fields{vaulttest.NextTagSSID: "net", vaulttest.NextTagKey: "k"}),
			local:  mk(vaulttest.NextType, 1, fields{vaulttest.NextTagSSID: "net", vaulttest.NextTagKey: "k", name: "home"}),
			remote: mk(vaulttest.NextType, 2, fields{vaulttest.NextTagSSID: "net2", vaulttest.NextTagKey: "k"}),
			want:   fields{vaulttest.NextTagSSID: "net2", vaulttest.NextTagKey: "k", name: "home"}, wantType: vaulttest.NextType, wantModified: 2,
		},
		{
			name:   "no base: differing fields conflict, equal ones do not",
			local:  mk(vault.TypeLogin, 1, fields{name: "same", pw: "a"}),
			remote: mk(vault.TypeLogin, 2, fields{name: "same", pw: "b"}),
			want:   fields{name: "same", pw: "b"}, wantHist: map[vault.Tag][]string{pw: {"a"}}, wantModified: 2,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := [][]byte{bytes.Clone(tc.base), bytes.Clone(tc.local), bytes.Clone(tc.remote)}
			out, err := EntryMerger{}.Merge(id, tc.base, tc.local, tc.remote)
			if err != nil {
				t.Fatal(err)
			}
			for i, b := range [][]byte{tc.base, tc.local, tc.remote} {
				if !bytes.Equal(b, in[i]) {
					t.Fatal("merge modified its input")
				}
			}
			e, err := vault.ParseEntry(id, out)
			if err != nil {
				t.Fatal(err)
			}
			wantType := tc.wantType
			if wantType == 0 {
				wantType = vault.TypeLogin
			}
			if e.Type != wantType {
				t.Errorf("type = %d, want %d", e.Type, wantType)
			}
			for _, tag := range e.Tags() {
				if tag == vault.TagModified || tag == vault.TagHistory {
					continue
				}
				v, _ := e.Raw(tag)
				if w, ok := tc.want[tag]; !ok || w != string(v) {
					t.Errorf("field %d = %q, want %q (present %v)", tag, v, w, ok)
				}
			}
			for tag := range tc.want {
				if !e.Has(tag) {
					t.Errorf("field %d missing", tag)
				}
			}
			for tag := range tc.wantHist {
				if got := historyValues(t, e, tag); !slices.Equal(got, tc.wantHist[tag]) {
					t.Errorf("history of %d = %q, want %q", tag, got, tc.wantHist[tag])
				}
			}
			if len(tc.wantHist) == 0 && e.Has(vault.TagHistory) {
				t.Errorf("unexpected history")
			}
			if got := e.Time(vault.TagModified); !got.Equal(t0.Add(tc.wantModified * time.Minute)) {
				t.Errorf("modified = %v, want %v", got, t0.Add(tc.wantModified*time.Minute))
			}
		})
	}
}

func TestMergeHistoryLists(t *testing.T) {
	item := func(s string) []byte { return append([]byte{byte(len(s))}, s...) }
	list := func(items ...string) []byte {
		var b []byte
		for _, s := range items {
			b = append(b, item(s)...)
		}
		return b
	}
	tests := []struct {
		name                string
		base, local, remote []byte
		want                []byte
	}{
		{"both appended", list("a"), list("a", "l"), list("a", "r"), list("a", "l", "r")},
		{"same item appended on both", list("a"), list("a", "x"), list("a", "x"), list("a", "x")},
		{"duplicate item appended again remotely", list("a"), list("a"), list("a", "a"), list("a", "a")},
		{"remote removed an item", list("a", "b"), list("a", "b", "l"), list("b"), list("b", "l")},
		{"no base", nil, list("l"), list("r"), list("l", "r")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := mergeHistory(tc.base, tc.local, tc.remote)
			if !ok || !bytes.Equal(got, tc.want) {
				t.Fatalf("merged = %q (%v), want %q", got, ok, tc.want)
			}
		})
	}
	if _, ok := mergeHistory(nil, []byte{9, 1}, nil); ok {
		t.Fatal("a truncated list was split")
	}
}

// TestForwardCompatibility: a device of this version and one of the next
// (one more type, one more login field) share a vault. The older device
// edits known fields of the newer entries; nothing of the newer data is
// lost, and the older device reports what it cannot show.
func TestForwardCompatibility(t *testing.T) {
	h, k := testVault(t)
	srv := memserver.New()
	acct := newID(t)
	next := vaulttest.NextSchema(t, false)
	older := newDevice(t, acct, h, k, srv.Transport(), nil, SchemaViewer{vault.DefaultSchema()})
	newer := newDevice(t, acct, h, k, srv.Transport(), nil, SchemaViewer{next})
	ctx := context.Background()

	wifi, lg := newID(t), newID(t)
	w := vault.NewEntry(wifi, vaulttest.NextType)
	w.SetString(vault.TagName, "home wifi")
	w.SetString(vaulttest.NextTagSSID, "home")
	w.SetString(vaulttest.NextTagKey, "secret-key")
	w.SetTime(vault.TagModified, t0)
	l := vault.NewEntry(lg, vault.TypeLogin)
	l.SetString(vault.TagName, "bank")
	l.SetString(vault.TagPassword, "pw")
	l.SetString(vaulttest.NextTagLogin, "passkey-v1")
	l.SetTime(vault.TagModified, t0)
	for _, e := range []*vault.Entry{w, l} {
		b, _ := e.MarshalBinary()
		if err := newer.eng.Put(ctx, e.ID, b); err != nil {
			t.Fatal(err)
		}
	}
	newer.mustSync()
	older.mustSync()

	v := older.eng.View()
	if v.Hidden != 1 || len(v.Items) != 1 || older.eng.Status().Hidden != 1 {
		t.Fatalf("older device shows %d entries and hides %d (status %+v), want 1 and 1", len(v.Items), v.Hidden, older.eng.Status())
	}
	if rep := older.eng.SchemaReport(vault.DefaultSchema()); rep.Entries != 2 || rep.Unknown != 1 || rep.HiddenFields != 1 {
		t.Fatalf("older device reports %v, want 2 entries: 1 unknown, 1 with hidden fields", rep)
	}
	if rep := newer.eng.SchemaReport(next); rep.Unknown != 0 || rep.HiddenFields != 0 {
		t.Fatalf("newer device reports %v", rep)
	}
	// The older device edits known fields of the newer login, while the
	// newer device edits the field the older does not know.
	older.edit(lg, t0.Add(time.Minute), map[vault.Tag]string{vault.TagPassword: "pw-older"})
	newer.edit(lg, t0.Add(2*time.Minute), map[vault.Tag]string{vaulttest.NextTagLogin: "passkey-v2"})
	older.mustSync()
	newer.mustSync()
	older.mustSync()
	for _, d := range []*device{older, newer} {
		e := d.entry(lg)
		if e.String(vault.TagPassword) != "pw-older" || e.String(vaulttest.NextTagLogin) != "passkey-v2" {
			t.Fatalf("merged login lost data: password %q passkey %q", e.String(vault.TagPassword), e.String(vaulttest.NextTagLogin))
		}
		we := d.entry(wifi)
		wb, _ := we.MarshalBinary()
		orig, _ := w.MarshalBinary()
		if !bytes.Equal(wb, orig) {
			t.Fatal("the entry of the newer type changed")
		}
	}
	if nv := newer.eng.View(); nv.Hidden != 0 || len(nv.Items) != 2 {
		t.Fatalf("newer device shows %d, hides %d", len(nv.Items), nv.Hidden)
	}
}
