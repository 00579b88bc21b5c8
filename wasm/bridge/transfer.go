package bridge

import (
	"context"
	"strings"
	"time"

	"watchword/wasm/api"
	"watchword/wasm/jsonwire"
	"watchword/wasm/transfer"
	"watchword/wasm/vault"
	"watchword/wasm/vaultsync"
)

// Import and export methods (the vault unlocked and its engine started):
//
//	transferImportCSV(text) → {imported, ids, duplicates, skipped: [{line, reason}]}
//	transferExportCSV()     → {csv, logins, others}
//	transferExportSealed(exportKey, paramsJSON) → {file, entries, damaged}
//	transferExportInfo(file)                    → {kdf, entries, created}
//	transferImportSealed(file, exportKey)       → {imported, ids, duplicates}
//
// transferImportCSV reads a browser's or another manager's password CSV
// (package transfer) and saves every login in it as a new entry, in one
// journal write. A login already in the vault, or earlier in the file, with
// the same web address, username and password is counted as a duplicate
// and not saved again, so importing the same file twice adds nothing. A
// file that cannot be read as a whole saves nothing; rows left out are
// named by line and reason, never by content.
//
// transferExportCSV writes every login in Chrome's CSV layout (the first
// web address of each), and counts the entries of other types, which a CSV
// file cannot hold. The text is every password in the clear: the page that
// asks for it must have said so.
//
// The sealed methods write and read an encrypted Watchword export (package
// transfer's file, sealed by vault.ExportKey): every live entry, of every
// type, in its own encoding. The key comes from kdf.wasm (op export-key),
// which derives it from the password the person chose for the file: for a
// new file with fresh settings (paramsJSON, which the file then holds), for
// an existing one with the settings transferExportInfo read from it. An
// import saves each entry under a new id; one whose content is already in
// the vault is a duplicate and is not saved again. A password that does not
// open the file is wrong_password, and nothing is saved.
func init() {
	register("transferImportCSV", (*Core).transferImportCSV)
	register("transferExportCSV", (*Core).transferExportCSV)
	register("transferExportSealed", (*Core).transferExportSealed)
	register("transferExportInfo", (*Core).transferExportInfo)
	register("transferImportSealed", (*Core).transferImportSealed)
}

func (c *Core) transferImportCSV(a Args) (Result, error) {
	e, _, err := c.engine()
	if err != nil {
		return nil, err
	}
	text, err := argBytes(a, 0)
	if err != nil {
		return nil, err
	}
	logins, skipped, err := transfer.ReadCSV(text)
	if err != nil {
		return nil, err
	}
	seen := existingLogins(e)
	now := time.Now()
	var puts []vaultsync.Plain
	duplicates := 0
	for _, l := range logins {
		k := keyOf(l)
		if seen[k] {
			duplicates++
			continue
		}
		seen[k] = true
		p, err := newLogin(l, now)
		if err != nil {
			return nil, err
		}
		puts = append(puts, p)
	}
	return putImported(e, puts, duplicates, func(w *jsonwire.Writer) {
		w.Key("skipped")
		w.BeginArray()
		for _, s := range skipped {
			w.BeginObject()
			w.IntField("line", int64(s.Line))
			w.StringField("reason", s.Reason)
			w.EndObject()
		}
		w.EndArray()
	})
}

// putImported saves an import's new entries in one journal write and
// answers {imported, ids, duplicates} and the members more writes.
func putImported(e *vaultsync.Engine, puts []vaultsync.Plain, duplicates int, more func(w *jsonwire.Writer)) (Result, error) {
	if err := e.PutMany(context.Background(), puts); err != nil {
		return nil, err
	}
	return writeJSON(func(w *jsonwire.Writer) {
		w.BeginObject()
		w.IntField("imported", int64(len(puts)))
		w.Key("ids")
		w.BeginArray()
		for _, p := range puts {
			w.String(p.ID)
		}
		w.EndArray()
		w.IntField("duplicates", int64(duplicates))
		more(w)
		w.EndObject()
	})
}

// loginKey is what makes two logins the same for an import.
type loginKey struct{ url, username, password string }

func keyOf(l transfer.Login) loginKey {
	return loginKey{strings.ToLower(strings.TrimSpace(l.URL)), l.Username, l.Password}
}

// newLogin makes a new login entry from an imported one.
func newLogin(l transfer.Login, now time.Time) (vaultsync.Plain, error) {
	id, err := vault.NewEntryID()
	if err != nil {
		return vaultsync.Plain{}, err
	}
	en := vault.NewEntry(id, vault.TypeLogin)
	for _, f := range [...]struct {
		tag vault.Tag
		v   string
	}{{vault.TagName, l.Name}, {vault.TagUsername, l.Username}, {vault.TagPassword, l.Password}, {vault.TagNotes, l.Notes}, {vault.TagTOTP, l.TOTP}} {
		if f.v != "" {
			en.SetString(f.tag, f.v)
		}
	}
	if l.URL != "" {
		en.SetURLs([]vault.URL{{URL: l.URL, Match: vault.MatchDomain}})
	}
	en.SetTime(vault.TagCreated, now)
	en.SetTime(vault.TagModified, now)
	pt, err := en.MarshalBinary()
	return vaultsync.Plain{ID: id, Plaintext: pt}, err
}

// existingLogins is the key of every live login of the vault under each of
// its web addresses (or none), so a row is a duplicate whichever of them
// the file names.
func existingLogins(e *vaultsync.Engine) map[loginKey]bool {
	keys := map[loginKey]bool{}
	logins, _ := liveLogins(e)
	for _, en := range logins {
		l := transfer.Login{Username: en.String(vault.TagUsername), Password: en.String(vault.TagPassword)}
		urls, _ := en.URLs()
		if len(urls) == 0 {
			keys[keyOf(l)] = true
		}
		for _, u := range urls {
			l.URL = u.URL
			keys[keyOf(l)] = true
		}
	}
	return keys
}

// exportLogins is every live login (with its first web address) and the
// number of live entries of other types.
func exportLogins(e *vaultsync.Engine) (logins []transfer.Login, others int) {
	entries, others := liveLogins(e)
	for _, en := range entries {
		l := transfer.Login{Name: en.String(vault.TagName), Username: en.String(vault.TagUsername),
			Password: en.String(vault.TagPassword), Notes: en.String(vault.TagNotes), TOTP: en.String(vault.TagTOTP)}
		if urls, err := en.URLs(); err == nil && len(urls) > 0 {
			l.URL = urls[0].URL
		}
		logins = append(logins, l)
	}
	return logins, others
}

// liveLogins opens every live login of the vault, and counts the live
// entries that are not logins (other types, ones this build cannot show,
// damaged ones).
func liveLogins(e *vaultsync.Engine) (logins []*vault.Entry, others int) {
	v := e.View()
	others = v.Hidden + len(v.Damaged)
	for _, it := range v.Items {
		en, err := vault.ParseEntry(it.ID, it.Plaintext)
		if err != nil || en.Type != vault.TypeLogin {
			others++
			continue
		}
		logins = append(logins, en)
	}
	return logins, others
}

func (c *Core) transferExportCSV(Args) (Result, error) {
	e, _, err := c.engine()
	if err != nil {
		return nil, err
	}
	logins, others := exportLogins(e)
	csv := transfer.WriteCSV(logins)
	return writeJSON(func(w *jsonwire.Writer) {
		w.BeginObject()
		w.StringField("csv", string(csv))
		w.IntField("logins", int64(len(logins)))
		w.IntField("others", int64(others))
		w.EndObject()
	})
}

// argExportKey reads an export key in base64.
func argExportKey(a Args, i int) (*vault.ExportKey, error) {
	raw, err := argBase64(a, i)
	if err != nil {
		return nil, err
	}
	defer clear(raw)
	return vault.NewExportKey(raw)
}

func (c *Core) transferExportSealed(a Args) (Result, error) {
	e, _, err := c.engine()
	if err != nil {
		return nil, err
	}
	k, err := argExportKey(a, 0)
	if err != nil {
		return nil, err
	}
	var kdf api.KDFParams
	if err := argJSON(a, 1, kdf.ReadJSON); err != nil {
		return nil, err
	}
	if err := kdf.Validate(); err != nil {
		return nil, err
	}
	v := e.All()
	entries := make([]transfer.Entry, len(v.Items))
	for i, it := range v.Items {
		entries[i] = transfer.Entry{ID: it.ID, Plaintext: it.Plaintext}
	}
	f := transfer.ExportFile{Created: time.Now(), Entries: len(entries), KDF: kdf}
	if f.Sealed, err = k.Seal(f.AD(), transfer.AppendPayload(nil, entries)); err != nil {
		return nil, err
	}
	file := transfer.WriteExport(f)
	return writeJSON(func(w *jsonwire.Writer) {
		w.BeginObject()
		w.StringField("file", string(file))
		w.IntField("entries", int64(len(entries)))
		w.IntField("damaged", int64(len(v.Damaged)))
		w.EndObject()
	})
}

func (c *Core) transferExportInfo(a Args) (Result, error) {
	data, err := argBytes(a, 0)
	if err != nil {
		return nil, err
	}
	f, err := transfer.ReadExport(data)
	if err != nil {
		return nil, err
	}
	return writeJSON(func(w *jsonwire.Writer) {
		w.BeginObject()
		w.Key("kdf")
		f.KDF.WriteJSON(w)
		w.IntField("entries", int64(f.Entries))
		w.TimeField("created", f.Created)
		w.EndObject()
	})
}

func (c *Core) transferImportSealed(a Args) (Result, error) {
	e, _, err := c.engine()
	if err != nil {
		return nil, err
	}
	data, err := argBytes(a, 0)
	if err != nil {
		return nil, err
	}
	k, err := argExportKey(a, 1)
	if err != nil {
		return nil, err
	}
	f, err := transfer.ReadExport(data)
	if err != nil {
		return nil, err
	}
	payload, err := k.Open(f.AD(), f.Sealed)
	if err != nil {
		return nil, err
	}
	entries, err := transfer.ParsePayload(payload, f.Entries)
	if err != nil {
		return nil, err
	}
	have := map[string]bool{}
	for _, it := range e.All().Items {
		have[string(it.Plaintext)] = true
	}
	var puts []vaultsync.Plain
	duplicates, damaged := 0, 0
	for _, en := range entries {
		if have[string(en.Plaintext)] {
			duplicates++
			continue
		}
		if _, err := vault.ParseEntry(en.ID, en.Plaintext); err != nil {
			damaged++ // sealed whole, so written damaged: kept out of the vault
			continue
		}
		have[string(en.Plaintext)] = true
		id, err := vault.NewEntryID()
		if err != nil {
			return nil, err
		}
		puts = append(puts, vaultsync.Plain{ID: id, Plaintext: en.Plaintext})
	}
	return putImported(e, puts, duplicates, func(w *jsonwire.Writer) {
		w.IntField("damaged", int64(damaged))
	})
}
