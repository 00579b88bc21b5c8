package api

import (
	"testing"

	"watchword/wasm/jsonwire"
	"watchword/wasm/jsonwire/jsonwiretest"
)

func TestWireMatchesEncodingJSON(t *testing.T) {
	jsonwiretest.Check(t, KDFParams.WriteJSON, (*KDFParams).ReadJSON, nil)
	jsonwiretest.Check(t, VaultHeader.WriteJSON, (*VaultHeader).ReadJSON, nil)
	jsonwiretest.Check(t, Entry.WriteJSON, (*Entry).ReadJSON, nil, Entry{ID: "x", Ciphertext: []byte{}})
	jsonwiretest.Check(t, PullResponse.WriteJSON, (*PullResponse).ReadJSON, nil, PullResponse{Entries: []Entry{}})
	jsonwiretest.Check(t, Change.WriteJSON, (*Change).ReadJSON, nil)
	jsonwiretest.Check(t, PushRequest.WriteJSON, (*PushRequest).ReadJSON, nil, PushRequest{Changes: []Change{}})
	jsonwiretest.Check(t, ChangeResult.WriteJSON, (*ChangeResult).ReadJSON, nil)
	jsonwiretest.Check(t, PushResponse.WriteJSON, (*PushResponse).ReadJSON, nil, PushResponse{Results: []ChangeResult{}})
	jsonwiretest.CheckRead(t, (*RevisionResponse).ReadJSON, nil)
	jsonwiretest.CheckRead(t, (*ErrorResponse).ReadJSON, nil, ErrorResponse{Error: Error{Details: []string{}}})
}

func TestWireStrictness(t *testing.T) {
	jsonwiretest.Strictness(t, (*VaultHeader).ReadJSON, `{"vault_id":"v","kdf":{"alg":"argon2id","m":1}}`)
	jsonwiretest.Strictness(t, (*KDFParams).ReadJSON, `{"alg":"argon2id","p":4}`)
	jsonwiretest.Strictness(t, (*PullResponse).ReadJSON, `{"revision":3,"entries":[{"id":"a","rev":3,"ct":"AQI="}],"more":true}`)
	jsonwiretest.Strictness(t, (*PushResponse).ReadJSON, `{"revision":3,"results":[{"id":"a","accepted":false,"current":{"id":"a","rev":2}}]}`)
	jsonwiretest.Strictness(t, (*ErrorResponse).ReadJSON, `{"error":{"code":"invalid","message":"m","details":["a"]},"request_id":"r"}`)
	jsonwiretest.Strictness(t, (*RevisionResponse).ReadJSON, `{"revision":9}`)
	jsonwiretest.Strictness(t, (*PushRequest).ReadJSON, `{"idempotency_key":"k","changes":[{"id":"a","base_rev":1,"deleted":true}]}`)
}

// TestWireRefusesWrongTypes: a server that lies about types gets an error,
// never a half-read value taken as good.
func TestWireRefusesWrongTypes(t *testing.T) {
	for _, in := range []string{
		`{"revision":"3"}`, `{"revision":1.5}`, `{"entries":{}}`, `{"entries":[{"id":1}]}`,
		`{"entries":[{"ct":"***"}]}`, `{"more":"yes"}`, `[]`, `{"revision":3`, `{"revision":99999999999999999999}`,
	} {
		var r PullResponse
		if err := jsonwire.Decode([]byte(in), false, r.ReadJSON); err == nil {
			t.Errorf("PullResponse accepted %s", in)
		}
	}
	var k KDFParams
	if err := jsonwire.Decode([]byte(`{"p":256}`), false, k.ReadJSON); err == nil {
		t.Error("KDFParams accepted p=256 (it is a uint8)")
	}
	if err := jsonwire.Decode([]byte(`{"m":-1}`), false, k.ReadJSON); err == nil {
		t.Error("KDFParams accepted m=-1")
	}
}
