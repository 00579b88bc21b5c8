package httpapi_test

import (
	"fmt"
	"testing"

	"watchword/wasm/api"
)

// TestNotifyAcrossInstances: two servers share one PostgreSQL database; a
// push through either reaches event streams held open on the other, and the
// revision probe agrees on both.
func TestNotifyAcrossInstances(t *testing.T) {
	requirePostgres(t)
	schema := freshSchema(t)
	a := newEnvOn(t, openPostgres(t, schema), "")
	b := newEnvOn(t, openPostgres(t, schema), "")

	// Registered and confirmed through a; sessions live in the database, so
	// b accepts a's tokens and signs in too.
	onA := a.activeAccount("nina@example.org", "Nina7Password")
	onB := b.signIn("nina@example.org", "Nina7Password")
	a.must(a.do("PUT", "/api/v1/vault", onA.AccessToken, testHeader()), 200, nil)
	b.must(b.do("GET", "/api/v1/vault", onA.AccessToken, nil), 200, nil)

	streamB := b.openEvents(onB.AccessToken)
	streamA := a.openEvents(onA.AccessToken)
	if r := streamB.next(t); r != 0 {
		t.Fatalf("first revision on b: %d", r)
	}
	if r := streamA.next(t); r != 0 {
		t.Fatalf("first revision on a: %d", r)
	}

	var pr api.PushResponse
	a.must(a.do("POST", "/api/v1/vault/entries", onA.AccessToken, api.PushRequest{IdempotencyKey: "a-1",
		Changes: []api.Change{{ID: hexID(1), Ciphertext: []byte("from a")}}}), 200, &pr)
	if r := streamB.next(t); r != pr.Revision {
		t.Fatalf("b's stream announced %d after a's push to %d", r, pr.Revision)
	}
	if r := streamA.next(t); r != pr.Revision {
		t.Fatalf("a's stream announced %d, want %d", r, pr.Revision)
	}

	// And the other way round, with a pull on a to see b's write.
	var pr2 api.PushResponse
	b.must(b.do("POST", "/api/v1/vault/entries", onB.AccessToken, api.PushRequest{IdempotencyKey: "b-1",
		Changes: []api.Change{{ID: hexID(1), BaseRevision: pr.Revision, Ciphertext: []byte("from b")}}}), 200, &pr2)
	if !pr2.Results[0].Accepted {
		t.Fatalf("b's push on a's base: %s", mustJSON(pr2))
	}
	if r := streamA.next(t); r != pr2.Revision {
		t.Fatalf("a's stream announced %d after b's push to %d", r, pr2.Revision)
	}
	if r := streamB.next(t); r != pr2.Revision {
		t.Fatalf("b's stream announced %d, want %d", r, pr2.Revision)
	}
	var pull api.PullResponse
	a.must(a.do("GET", "/api/v1/vault/entries?since="+itoa(pr.Revision), onA.AccessToken, nil), 200, &pull)
	if len(pull.Entries) != 1 || string(pull.Entries[0].Ciphertext) != "from b" {
		t.Fatalf("pull on a: %s", mustJSON(pull))
	}
	for _, e := range []*env{a, b} {
		var rev api.RevisionResponse
		e.must(e.do("GET", "/api/v1/vault/revision", onA.AccessToken, nil), 200, &rev)
		if rev.Revision != pr2.Revision {
			t.Fatalf("%s: revision %d, want %d", e.url, rev.Revision, pr2.Revision)
		}
	}
	// The same idempotency key on the other instance is not applied twice.
	var again api.PushResponse
	b.must(b.do("POST", "/api/v1/vault/entries", onB.AccessToken, api.PushRequest{IdempotencyKey: "a-1",
		Changes: []api.Change{{ID: hexID(1), Ciphertext: []byte("from a")}}}), 200, &again)
	if mustJSON(again) != mustJSON(pr) {
		t.Fatalf("repeated key on b answered %s, first answer %s", mustJSON(again), mustJSON(pr))
	}
}

func itoa(n int64) string { return fmt.Sprint(n) }
