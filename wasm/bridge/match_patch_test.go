package bridge

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"watchword/wasm/api"
	"watchword/wasm/vaultsync"
)

// localEngine starts the sync engine of a local-only vault on c.
func localEngine(t testing.TB, c *Core, kr keyResult) {
	t.Helper()
	if _, err := c.StartSync(context.Background(), SyncConfig{Account: vaultsync.LocalAccount, Header: kr.Header},
		SyncHost{Storage: vaultsync.NewMemoryStorage()}); err != nil {
		t.Fatalf("start sync: %v", err)
	}
	t.Cleanup(func() { c.sync.stop() })
}

func syncSave(t *testing.T, c *Core, form string) string {
	t.Helper()
	var r struct{ ID string }
	decodeResult(t, call(t, c, "syncSave", form), &r)
	return r.ID
}

// matchedIDs answers the ids matchDecide lists for url, as id:verdict.
func matchedIDs(t *testing.T, c *Core, url string) string {
	t.Helper()
	d := decide(t, c, fmt.Sprintf(`{"frame":{"url":%q}}`, url))
	var out []string
	for _, m := range d.Matches {
		out = append(out, m.ID+":"+m.Verdict)
	}
	return strings.Join(out, " ")
}

// The index patched with the entries a save, an edit and a delete touched
// answers exactly what a full load of the same vault answers.
func TestSyncMatchPatch(t *testing.T) {
	c, kr := newVault(t)
	localEngine(t, c, kr)
	site := syncSave(t, c, loginForm("Site", "ann", "pw-1", "https://site.test/"))
	other := syncSave(t, c, loginForm("Other", "bob", "pw-2", "https://other.test/"))
	var loaded loadResult
	decodeResult(t, call(t, c, "syncMatchLoad"), &loaded)
	if loaded.Logins != 2 {
		t.Fatalf("syncMatchLoad = %+v, want 2 logins", loaded)
	}

	added := syncSave(t, c, loginForm("Second", "cat", "pw-3", "https://www.site.test/"))
	movedForm := fmt.Sprintf(`{"id":%q,"type":"login","fields":{"name":"Other","username":"bob","password":"pw-2","urls":[{"url":"https://moved.test/","match":"domain"}]}}`, other)
	syncSave(t, c, movedForm)
	note := syncSave(t, c, `{"type":"note","fields":{"name":"Note","notes":"https://site.test/"}}`)
	call(t, c, "syncDelete", site)

	tests := []struct {
		name, url string
		want      string
	}{
		{"deleted login gone, new one in", "https://site.test/", added + ":allow"},
		{"edited login left its old site", "https://other.test/", ""},
		{"edited login found at its new site", "https://moved.test/", other + ":allow"},
	}
	// Before the patch the index still answers as loaded.
	if got := matchedIDs(t, c, "https://site.test/"); got != site+":allow" {
		t.Fatalf("before the patch: %q", got)
	}
	ids, _ := json.Marshal([]string{added, other, note, site, "00000000000000000000000000000000"})
	decodeResult(t, call(t, c, "syncMatchPatch", string(ids)), &loaded)
	if loaded.Logins != 2 || loaded.Failed != 0 {
		t.Fatalf("syncMatchPatch = %+v, want 2 logins", loaded)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := matchedIDs(t, c, tt.url); got != tt.want {
				t.Fatalf("matches = %q, want %q", got, tt.want)
			}
		})
	}
	t.Run("same answers as a full load", func(t *testing.T) {
		var patched []string
		for _, tt := range tests {
			patched = append(patched, matchedIDs(t, c, tt.url))
		}
		call(t, c, "syncMatchLoad")
		for i, tt := range tests {
			if got := matchedIDs(t, c, tt.url); got != patched[i] {
				t.Fatalf("%s: loaded %q, patched %q", tt.url, got, patched[i])
			}
		}
	})
}

func TestSyncMatchPatchRefuses(t *testing.T) {
	c, kr := newVault(t)
	tests := []struct {
		name string
		core *Core
		arg  string
		code api.Code
	}{
		{"locked", NewCore(), `[]`, api.CodeLocked},
		{"no engine", c, `[]`, api.CodeLocked},
		{"not a list", c, `{"id":1}`, api.CodeBadRequest},
		{"bad id", c, `["../x"]`, api.CodeBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if code := callErr(t, tt.core, "syncMatchPatch", tt.arg); code != tt.code {
				t.Fatalf("code = %s, want %s", code, tt.code)
			}
		})
	}
	t.Run("nothing loaded yet", func(t *testing.T) {
		localEngine(t, c, kr)
		if code := callErr(t, c, "syncMatchPatch", `[]`); code != api.CodeNotFound {
			t.Fatalf("code = %s, want not_found", code)
		}
	})
}
