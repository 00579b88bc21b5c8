package bridge

import (
	"strings"
	"testing"

	"watchword/wasm/api"
	"watchword/wasm/transfer"
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
