package vault_test

import (
	"encoding/json"
	"strings"
	"testing"

	"watchword/wasm/vault"
	"watchword/wasm/vault/vaulttest"
)

type listRow struct {
	ID       string `json:"id"`
	Type     string `json:"type"`
	Name     string `json:"name"`
	Sub      string `json:"sub"`
	Find     string `json:"find"`
	Fav      bool   `json:"fav"`
	Archived bool   `json:"archived"`
}

func rowOf(t *testing.T, s *vault.Schema, e *vault.Entry) (listRow, string) {
	t.Helper()
	b, ok := s.AppendListRowJSON(nil, e)
	if !ok {
		t.Fatalf("no row for an entry of type %d", e.Type)
	}
	var r listRow
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("row %q is not JSON: %v", b, err)
	}
	return r, string(b)
}

func TestListRow(t *testing.T) {
	s := vault.DefaultSchema()
	secrets := []string{"hunter2-secret", "JBSWY3DPEHPK3PXP", "4111111111111234", "4111 1111 1111 1234", "735", "8642"}

	login := vault.NewEntry(testEntryID, vault.TypeLogin)
	login.SetString(vault.TagName, "Mail — Ünïcode")
	login.SetString(vault.TagUsername, "Ann@Example.org")
	login.SetString(vault.TagPassword, secrets[0])
	login.SetString(vault.TagTOTP, secrets[1])
	login.SetBool(vault.TagFavourite, true)
	login.SetURLs([]vault.URL{{URL: "https://Mail.Example.org:8443/login"}})

	bare := vault.NewEntry(otherID, vault.TypeLogin)
	bare.SetURLs([]vault.URL{{URL: "https://Shop.Example.com/x"}, {URL: "not a url"}})

	card := vault.NewEntry(testEntryID, vault.TypeCard)
	card.SetString(vault.TagName, "Visa")
	card.SetString(vault.TagCardholder, "Ann Smith")
	card.SetString(vault.TagCardNumber, secrets[3])
	card.SetString(vault.TagSecurityCode, secrets[4])
	card.SetString(vault.TagCardPIN, secrets[5])

	holderOnly := vault.NewEntry(testEntryID, vault.TypeCard)
	holderOnly.SetString(vault.TagCardholder, "Bob")

	identity := vault.NewEntry(testEntryID, vault.TypeIdentity)
	identity.SetString(vault.TagGivenName, "Ann")
	identity.SetString(vault.TagFamilyName, "Smith")
	identity.SetString(vault.TagEmail, "ann@example.org")

	emailOnly := vault.NewEntry(testEntryID, vault.TypeIdentity)
	emailOnly.SetString(vault.TagEmail, "zed@example.org")

	note := vault.NewEntry(testEntryID, vault.TypeNote)
	note.SetString(vault.TagNotes, "first line\nsecond line")

	doc := vault.NewEntry(testEntryID, vault.TypeDocument)
	doc.SetString(vault.TagMIMEType, "application/pdf")

	for _, tc := range []struct {
		e    *vault.Entry
		want listRow
	}{
		{login, listRow{ID: testEntryID, Type: "login", Name: "Mail — Ünïcode", Sub: "Ann@Example.org", Fav: true, Find: "https://mail.example.org:8443/login"}},
		{bare, listRow{ID: otherID, Type: "login", Sub: "shop.example.com", Find: "https://shop.example.com/x not a url"}},
		{card, listRow{ID: testEntryID, Type: "card", Name: "Visa", Sub: "•••• 1234", Find: "ann smith"}},
		{holderOnly, listRow{ID: testEntryID, Type: "card", Sub: "Bob"}},
		{identity, listRow{ID: testEntryID, Type: "identity", Sub: "Ann Smith", Find: "ann@example.org"}},
		{emailOnly, listRow{ID: testEntryID, Type: "identity", Sub: "zed@example.org"}},
		{note, listRow{ID: testEntryID, Type: "note", Sub: "first line"}},
		{doc, listRow{ID: testEntryID, Type: "document", Sub: "application/pdf"}},
	} {
		got, raw := rowOf(t, s, tc.e)
		if got != tc.want {
			t.Errorf("row %+v, want %+v", got, tc.want)
		}
		// What is false or empty is left out, not written.
		for _, absent := range []string{`"fav":false`, `"archived":false`, `"find":""`} {
			if strings.Contains(raw, absent) {
				t.Errorf("row %s holds %s", raw, absent)
			}
		}
		for _, secret := range secrets {
			if strings.Contains(raw, secret) {
				t.Errorf("row %s holds the secret %q", raw, secret)
			}
		}
	}
}

// An archived type's rows say so; an unknown type has no row.
func TestListRowArchivedAndUnknown(t *testing.T) {
	next := vaulttest.NextSchema(t, true)
	note := vault.NewEntry(testEntryID, vault.TypeNote)
	note.SetString(vault.TagName, "n")
	if got, _ := rowOf(t, next, note); !got.Archived || got.Name != "n" {
		t.Fatalf("archived note row %+v", got)
	}
	unknown := vault.NewEntry(testEntryID, vault.Type(99))
	unknown.SetString(vault.TagName, "wifi")
	if b, ok := vault.DefaultSchema().AppendListRowJSON([]byte("x"), unknown); ok || string(b) != "x" {
		t.Fatalf("an unknown type gave a row: %q", b)
	}
}

// Text that is not valid UTF-8 still gives a JSON row.
func TestListRowInvalidUTF8(t *testing.T) {
	e := vault.NewEntry(testEntryID, vault.TypeLogin)
	e.SetString(vault.TagName, "bad \xff name \"quoted\"")
	b, _ := vault.DefaultSchema().AppendListRowJSON(nil, e)
	if !json.Valid(b) {
		t.Fatalf("row %q is not valid JSON", b)
	}
}
