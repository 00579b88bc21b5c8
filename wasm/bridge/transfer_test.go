package bridge

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"watchword/wasm/api"
	"watchword/wasm/transfer"
	"watchword/wasm/vault"
	"watchword/wasm/vault/vaulttest"
)

type importResult struct {
	Imported   int      `json:"imported"`
	IDs        []string `json:"ids"`
	Duplicates int      `json:"duplicates"`
	Skipped    []struct {
		Line   int    `json:"line"`
		Reason string `json:"reason"`
	} `json:"skipped"`
}

type exportResult struct {
	CSV    string `json:"csv"`
	Logins int    `json:"logins"`
	Others int    `json:"others"`
}

const chromeCSV = "name,url,username,password,note\r\n" +
	"Site,https://site.test/login,ann,pw-1,first\r\n" +
	"Bank,https://bank.test/,bob,pw-2,\r\n" +
	"Nothing,https://n.test/,,,\r\n"

// An import saves each login as a new entry the vault shows and syncs,
// names the rows it left out, and a second import of the same file adds
// nothing; the export writes them back as a CSV that reads the same.
func TestTransferImportExport(t *testing.T) {
	c, kr := newVault(t)
	localEngine(t, c, kr)
	syncSave(t, c, loginForm("Already", "ann", "pw-1", "https://site.test/login"))
	syncSave(t, c, `{"type":"note","fields":{"name":"A note"}}`)

	var r importResult
	decodeResult(t, call(t, c, "transferImportCSV", chromeCSV), &r)
	if r.Imported != 1 || len(r.IDs) != 1 || r.Duplicates != 1 || len(r.Skipped) != 1 || r.Skipped[0].Line != 4 {
		t.Fatalf("import = %+v, want Bank imported, Site a duplicate of Already, line 4 skipped", r)
	}
	var bank struct {
		Type   string         `json:"type"`
		Fields map[string]any `json:"fields"`
	}
	decodeResult(t, call(t, c, "syncEntry", r.IDs[0]), &bank)
	if bank.Type != "login" || bank.Fields["name"] != "Bank" || bank.Fields["username"] != "bob" || bank.Fields["password"] != "pw-2" {
		t.Fatalf("the imported entry is %+v", bank)
	}
	var again importResult
	decodeResult(t, call(t, c, "transferImportCSV", chromeCSV), &again)
	if again.Imported != 0 || again.Duplicates != 2 {
		t.Fatalf("a second import = %+v, want nothing new", again)
	}

	var x exportResult
	decodeResult(t, call(t, c, "transferExportCSV"), &x)
	if x.Logins != 2 || x.Others != 1 {
		t.Fatalf("export counts %d logins and %d others, want 2 and 1", x.Logins, x.Others)
	}
	logins, skipped, err := transfer.ReadCSV([]byte(x.CSV))
	if err != nil || len(skipped) != 0 || len(logins) != 2 {
		t.Fatalf("the export reads back as %+v, %+v, %v", logins, skipped, err)
	}
	got := map[string]transfer.Login{}
	for _, l := range logins {
		got[l.Name] = l
	}
	if b := got["Bank"]; b.URL != "https://bank.test/" || b.Username != "bob" || b.Password != "pw-2" {
		t.Fatalf("Bank exported as %+v", b)
	}
	if a := got["Already"]; a.Password != "pw-1" || a.URL != "https://site.test/login" {
		t.Fatalf("Already exported as %+v", a)
	}
}

// The imported entries are ordinary logins: listed, and matched on their site.
func TestTransferImportedLoginsAreListed(t *testing.T) {
	c, kr := newVault(t)
	localEngine(t, c, kr)
	var r importResult
	decodeResult(t, call(t, c, "transferImportCSV", "url,username,password\nhttps://www.site.test/,ann,pw\n"), &r)
	if r.Imported != 1 {
		t.Fatalf("import = %+v", r)
	}
	res := call(t, c, "syncListIndex")
	if j, _ := res.(JSON); !strings.Contains(string(j), `"site.test"`) || strings.Contains(string(j), `"pw"`) {
		t.Fatalf("the list is %s; want the imported login named site.test, and no password", j)
	}
}

// A file that is not a password CSV, or a broken one, saves nothing and
// says why without quoting it; import and export need an unlocked vault
// with its engine.
func TestTransferRefusals(t *testing.T) {
	c, kr := newVault(t)
	localEngine(t, c, kr)
	for _, in := range []string{"", "a,b\n1,2\n", "name,username,password\nX,u,\"secret-in-file\n"} {
		res, err := c.Call("transferImportCSV", goArgs([]any{in}))
		if err == nil || err.Code != api.CodeInvalid || strings.Contains(err.Message, "secret-in-file") {
			t.Fatalf("import of %q = %v, %v; want an invalid-file error that quotes nothing", in, res, err)
		}
	}
	var x exportResult
	decodeResult(t, call(t, c, "transferExportCSV"), &x)
	if x.Logins != 0 || x.CSV != "name,url,username,password,note,totp\r\n" {
		t.Fatalf("after refused imports the vault exports %+v", x)
	}
	if code := callErr(t, c, "transferImportCSV"); code != api.CodeBadRequest {
		t.Fatalf("no argument: %s", code)
	}
	locked := NewCore()
	for _, m := range []string{"transferImportCSV", "transferExportCSV"} {
		if code := callErr(t, locked, m, chromeCSV); code != api.CodeLocked {
			t.Errorf("%s on a locked core: %s, want locked", m, code)
		}
	}
}

// exportKeyFor derives an export key as kdf.wasm does, at the cheapest cost.
func exportKeyFor(t *testing.T, password string, kdf *api.KDFParams) (string, string) {
	t.Helper()
	if kdf == nil {
		p, err := vault.NewKDFParams()
		if err != nil {
			t.Fatal(err)
		}
		p.MemoryKiB, p.Time, p.Threads = api.MinKDFMemoryKiB, api.MinKDFTime, api.MinKDFThreads
		kdf = &p
	}
	raw, err := vault.DeriveExportKey(password, *kdf)
	if err != nil {
		t.Fatal(err)
	}
	kj, _ := json.Marshal(kdf)
	return base64.StdEncoding.EncodeToString(raw), string(kj)
}

type sealedExport struct {
	File    string `json:"file"`
	Entries int    `json:"entries"`
	Damaged int    `json:"damaged"`
}

type sealedImport struct {
	Imported   int      `json:"imported"`
	IDs        []string `json:"ids"`
	Duplicates int      `json:"duplicates"`
	Damaged    int      `json:"damaged"`
}

// An encrypted export carries every entry, a type this version does not
// know included, into another vault unchanged; the same file again adds
// nothing; a wrong password or an altered file saves nothing.
func TestTransferSealedExportImport(t *testing.T) {
	c, kr := newVault(t)
	localEngine(t, c, kr)
	syncSave(t, c, loginForm("Site", "ann", "pw-1", "https://site.test/"))
	syncSave(t, c, `{"type":"card","fields":{"name":"Visa","number":"4111111111111111"}}`)
	// An entry of a type from a later version, put straight into the engine.
	e, _, err := c.engine()
	if err != nil {
		t.Fatal(err)
	}
	futureID, _ := vault.NewEntryID()
	future := vault.NewEntry(futureID, vaulttest.NextType)
	future.SetString(vault.TagName, "Home wifi")
	future.SetString(vaulttest.NextTagKey, "wifi-secret")
	pt, err := future.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Put(context.Background(), futureID, pt); err != nil {
		t.Fatal(err)
	}

	key, kdf := exportKeyFor(t, "an export passphrase", nil)
	var x sealedExport
	decodeResult(t, call(t, c, "transferExportSealed", key, kdf), &x)
	if x.Entries != 3 || x.Damaged != 0 {
		t.Fatalf("export = %d entries, %d damaged; want 3 and 0", x.Entries, x.Damaged)
	}
	for _, secret := range []string{"pw-1", "4111111111111111", "ann", "wifi-secret"} {
		if strings.Contains(x.File, secret) {
			t.Fatalf("the export file holds %q in the clear", secret)
		}
	}
	var info struct {
		KDF     api.KDFParams `json:"kdf"`
		Entries int           `json:"entries"`
	}
	decodeResult(t, call(t, c, "transferExportInfo", x.File), &info)
	if info.Entries != 3 {
		t.Fatalf("info = %+v", info)
	}

	// Into another vault.
	c2, kr2 := newVault(t)
	localEngine(t, c2, kr2)
	if code := callErr(t, c2, "transferImportSealed", x.File, mustKey(t, "the wrong passphrase", &info.KDF)); code != api.CodeWrongPassword {
		t.Fatalf("a wrong password: %s", code)
	}
	altered := strings.Replace(x.File, `"entries":3`, `"entries":2`, 1)
	if code := callErr(t, c2, "transferImportSealed", altered, mustKey(t, "an export passphrase", &info.KDF)); code != api.CodeWrongPassword {
		t.Fatalf("an altered header: %s", code)
	}
	var none exportResult
	decodeResult(t, call(t, c2, "transferExportCSV"), &none)
	if none.Logins != 0 || none.Others != 0 {
		t.Fatalf("refused imports saved something: %+v", none)
	}
	var in sealedImport
	decodeResult(t, call(t, c2, "transferImportSealed", x.File, mustKey(t, "an export passphrase", &info.KDF)), &in)
	if in.Imported != 3 || in.Duplicates != 0 || len(in.IDs) != 3 {
		t.Fatalf("import = %+v", in)
	}
	e2, _, _ := c2.engine()
	got := map[string]bool{}
	for _, it := range e2.All().Items {
		got[string(it.Plaintext)] = true
	}
	for _, it := range e.All().Items {
		if !got[string(it.Plaintext)] {
			t.Fatalf("entry %s did not arrive byte for byte", it.ID)
		}
	}
	var again sealedImport
	decodeResult(t, call(t, c2, "transferImportSealed", x.File, mustKey(t, "an export passphrase", &info.KDF)), &again)
	if again.Imported != 0 || again.Duplicates != 3 {
		t.Fatalf("a second import = %+v", again)
	}
}

func mustKey(t *testing.T, password string, kdf *api.KDFParams) string {
	t.Helper()
	k, _ := exportKeyFor(t, password, kdf)
	return k
}

func TestTransferSealedRefusals(t *testing.T) {
	c, kr := newVault(t)
	localEngine(t, c, kr)
	key, kdf := exportKeyFor(t, "pw", nil)
	for name, args := range map[string][]any{
		"a short key":        {base64.StdEncoding.EncodeToString([]byte("short")), kdf},
		"not base64":         {"!!", kdf},
		"settings too low":   {key, `{"alg":"argon2id","salt":"AAAAAAAAAAAAAAAAAAAAAA==","m":1024,"t":1,"p":1}`},
		"an unknown setting": {key, `{"alg":"argon2id","mem":1}`},
	} {
		if res, err := c.Call("transferExportSealed", goArgs(args)); err == nil {
			t.Errorf("%s: exported %v", name, res)
		}
	}
	for name, file := range map[string]string{"a CSV": chromeCSV, "not JSON": "{", "empty": ""} {
		if code := callErr(t, c, "transferExportInfo", file); code != api.CodeInvalid {
			t.Errorf("%s: %s", name, code)
		}
		if code := callErr(t, c, "transferImportSealed", file, key); code != api.CodeInvalid {
			t.Errorf("import %s: %s", name, code)
		}
	}
}
