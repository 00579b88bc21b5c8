package transfer

import (
	"strings"
	"testing"

	"watchword/wasm/api"
)

func TestReadCSVChrome(t *testing.T) {
	in := "\xef\xbb\xbfname,url,username,password,note\r\n" +
		"Site,https://site.example/login,ann,\"pw, with comma\",\"two\r\nlines\"\r\n" +
		",https://www.other.example:8443/x,bob,pw2,\r\n" +
		"App,android://hash@com.example.app/,carol,pw3,\r\n" +
		"Empty,https://e.example/,,,\r\n" +
		",,,,\r\n" +
		"Short,https://s.example/,dan\r\n"
	logins, skipped, err := ReadCSV([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []Login{
		{Name: "Site", URL: "https://site.example/login", Username: "ann", Password: "pw, with comma", Notes: "two\nlines"},
		{Name: "other.example", URL: "https://www.other.example:8443/x", Username: "bob", Password: "pw2"},
		{Name: "App", URL: "android://hash@com.example.app/", Username: "carol", Password: "pw3"},
	}
	if len(logins) != len(want) {
		t.Fatalf("logins = %+v", logins)
	}
	for i := range want {
		if logins[i] != want[i] {
			t.Errorf("login %d = %+v, want %+v", i, logins[i], want[i])
		}
	}
	if len(skipped) != 2 || skipped[0].Line != 6 || skipped[1].Line != 8 {
		t.Fatalf("skipped = %+v, want lines 6 (no username or password) and 8 (short)", skipped)
	}
	for _, s := range skipped {
		if strings.Contains(s.Reason, "dan") || strings.Contains(s.Reason, "e.example") {
			t.Errorf("a reason quotes the row: %q", s.Reason)
		}
	}
}

func TestReadCSVFirefox(t *testing.T) {
	in := `"url","username","password","httpRealm","formActionOrigin","guid","timeCreated","timeLastUsed","timePasswordChanged"
"https://www.site.example","ann@site.example","S3cret!",,"https://www.site.example","{a1}","1700000000000","1700000000000","1700000000000"
"https://x.example:8080","","only-password",,"","{a2}","1","1","1"
`
	logins, skipped, err := ReadCSV([]byte(in))
	if err != nil || len(skipped) != 0 {
		t.Fatalf("err %v, skipped %+v", err, skipped)
	}
	want := []Login{
		{Name: "site.example", URL: "https://www.site.example", Username: "ann@site.example", Password: "S3cret!"},
		{Name: "x.example", URL: "https://x.example:8080", Password: "only-password"},
	}
	for i := range want {
		if i >= len(logins) || logins[i] != want[i] {
			t.Fatalf("logins = %+v, want %+v", logins, want)
		}
	}
}

// Other managers' column names, in another order and case; a second column
// of the same meaning is ignored.
func TestReadCSVOtherLayouts(t *testing.T) {
	in := "folder,favorite,type,Name,Notes,fields,reprompt,Login_URI,Login_Username,Login_Password,Login_TOTP,Password\n" +
		",,login,Bank,memo,,0,https://bank.example/,me,pw,otpauth://totp/x?secret=JBSWY3DPEHPK3PXP,ignored\n"
	logins, _, err := ReadCSV([]byte(in))
	if err != nil || len(logins) != 1 {
		t.Fatalf("%+v, %v", logins, err)
	}
	want := Login{Name: "Bank", URL: "https://bank.example/", Username: "me", Password: "pw", Notes: "memo", TOTP: "otpauth://totp/x?secret=JBSWY3DPEHPK3PXP"}
	if logins[0] != want {
		t.Fatalf("got %+v, want %+v", logins[0], want)
	}
}

// A spreadsheet's semicolons or tabs, and the KeePass and Dashlane headers.
func TestReadCSVDelimitersAndMoreLayouts(t *testing.T) {
	for name, in := range map[string]string{
		"semicolons": "name;url;username;password\nBank;https://bank.example/;me;\"p;w\"\n",
		"tabs":       "name\turl\tusername\tpassword\nBank\thttps://bank.example/\tme\tp;w\n",
		"KeePass":    "\"Account\",\"Login Name\",\"Password\",\"Web Site\",\"Comments\"\n\"Bank\",\"me\",\"p;w\",\"https://bank.example/\",\"\"\n",
	} {
		logins, skipped, err := ReadCSV([]byte(in))
		want := Login{Name: "Bank", URL: "https://bank.example/", Username: "me", Password: "p;w"}
		if err != nil || len(skipped) != 0 || len(logins) != 1 || logins[0] != want {
			t.Errorf("%s: %+v %+v %v", name, logins, skipped, err)
		}
	}
	want := Login{Name: "Bank", URL: "https://b.example/", Username: "me", Password: "pw", Notes: "memo", TOTP: "JBSWY3DPEHPK3PXP"}
	for name, in := range map[string]string{
		"Dashlane": "username,username2,title,password,note,url,otpSecret\nme,other,Bank,pw,memo,https://b.example/,JBSWY3DPEHPK3PXP\n",
		"Safari":   "Title,URL,Username,Password,Notes,OTPAuth\nBank,https://b.example/,me,pw,memo,JBSWY3DPEHPK3PXP\n",
		"LastPass": "url,username,password,totp,extra,name,grouping,fav\nhttps://b.example/,me,pw,JBSWY3DPEHPK3PXP,memo,Bank,Finance,0\n",
	} {
		logins, _, err := ReadCSV([]byte(in))
		if err != nil || len(logins) != 1 || logins[0] != want {
			t.Errorf("%s: %+v %v", name, logins, err)
		}
	}
}

// Files that are not password CSVs, or broken ones, are refused whole, by
// line number, with nothing read.
func TestReadCSVRefusals(t *testing.T) {
	tests := []struct {
		name, in string
		code     api.Code
		says     string
	}{
		{"empty", "", api.CodeInvalid, "empty"},
		{"no login columns", "a,b,c\n1,2,3\n", api.CodeInvalid, "does not look like"},
		{"an open quote", "name,url,username,password\nA,https://a.example/,u,\"secret-never-echoed\n", api.CodeInvalid, "line 2"},
		{"a bare quote", "name,url,username,password\nA,https://a.example/,u\"x,pw\n", api.CodeInvalid, "line 2"},
		{"not UTF-8", "name,username,password\nA,u,\xff\xfe\n", api.CodeInvalid, "UTF-8"},
		{"too large", "name,username,password\n" + strings.Repeat("x", MaxFileBytes), api.CodeTooLarge, "larger"},
		{"too many rows", "username,password\n" + strings.Repeat("u,p\n", MaxRows+1), api.CodeTooLarge, "rows"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			logins, skipped, err := ReadCSV([]byte(tt.in))
			if err == nil || api.CodeOf(err) != tt.code || !strings.Contains(err.Error(), tt.says) {
				t.Fatalf("err = %v (code %s), want %s saying %q", err, api.CodeOf(err), tt.code, tt.says)
			}
			if logins != nil || skipped != nil {
				t.Fatalf("read %d logins and %d skipped rows from a refused file", len(logins), len(skipped))
			}
			if strings.Contains(err.Error(), "secret-never-echoed") {
				t.Fatalf("the error quotes the file: %v", err)
			}
		})
	}
}

func TestReadCSVLongCell(t *testing.T) {
	in := "name,username,password,note\nA,u,p," + strings.Repeat("n", MaxCellBytes+1) + "\nB,u,p,ok\n"
	logins, skipped, err := ReadCSV([]byte(in))
	if err != nil || len(logins) != 1 || logins[0].Name != "B" || len(skipped) != 1 || skipped[0].Line != 2 {
		t.Fatalf("logins %+v skipped %+v err %v", logins, skipped, err)
	}
}

// What WriteCSV writes, ReadCSV reads back the same, whatever the cells
// hold (commas, quotes, line breaks, leading "=", spaces inside).
func TestWriteCSVRoundTrip(t *testing.T) {
	in := []Login{
		{Name: "Site", URL: "https://site.example/", Username: "ann", Password: `p"w,1`, Notes: "a\nb", TOTP: "JBSWY3DPEHPK3PXP"},
		{Name: "Formula", URL: "https://f.example/", Username: "=cmd", Password: "=1+1", Notes: ""},
		{Name: "Spaces", URL: "", Username: " padded ", Password: " pw "},
	}
	out := WriteCSV(in)
	if !strings.HasPrefix(string(out), "name,url,username,password,note,totp\r\n") {
		t.Fatalf("header: %q", out)
	}
	back, skipped, err := ReadCSV(out)
	if err != nil || len(skipped) != 0 || len(back) != len(in) {
		t.Fatalf("read back %+v, skipped %+v, %v", back, skipped, err)
	}
	for i := range in {
		if back[i] != in[i] {
			t.Errorf("login %d came back as %+v, want %+v", i, back[i], in[i])
		}
	}
}

func FuzzReadCSV(f *testing.F) {
	f.Add([]byte("name,url,username,password,note\nA,https://a.example/,u,p,n\n"))
	f.Add([]byte(`"url","username","password"` + "\n" + `"https://x","a","b"`))
	f.Add([]byte("username,password\n\"a\nb\",c\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		logins, _, err := ReadCSV(data)
		if err != nil {
			if api.CodeOf(err) != api.CodeInvalid && api.CodeOf(err) != api.CodeTooLarge {
				t.Fatalf("code %s: %v", api.CodeOf(err), err)
			}
			return
		}
		for _, l := range logins {
			if l.Username == "" && l.Password == "" {
				t.Fatalf("a login with neither username nor password: %+v", l)
			}
		}
		// What was read writes out and reads back the same.
		again, _, err := ReadCSV(WriteCSV(logins))
		if err != nil || len(again) != len(logins) {
			t.Fatalf("round trip: %d logins, %v; want %d", len(again), err, len(logins))
		}
		for i := range logins {
			if again[i] != logins[i] {
				t.Fatalf("round trip changed %+v into %+v", logins[i], again[i])
			}
		}
	})
}
