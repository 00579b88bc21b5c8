package bridge

import (
	"encoding/json"
	"math/rand"
	"testing"

	"watchword/wasm/api"
	"watchword/wasm/jsonwire"
	"watchword/wasm/jsonwire/jsonwiretest"
	"watchword/wasm/policy"
	"watchword/wasm/vaultsync"
)

// TestWireMatchesEncodingJSON holds the bridge's own arguments and results
// to the bytes encoding/json gives for the same struct tags.
func TestWireMatchesEncodingJSON(t *testing.T) {
	jsonwiretest.CheckWrite(t, loadResult.WriteJSON, nil)
	jsonwiretest.CheckWrite(t, decideResult.WriteJSON, nil, decideResult{Matches: []decided{}})
	jsonwiretest.CheckWrite(t, sealedJSON.WriteJSON, nil)
	jsonwiretest.CheckRead(t, (*decideRequest).readJSON, nil, decideRequest{IDs: []string{}})
	jsonwiretest.CheckRead(t, (*SyncConfig).ReadJSON, nil)
	genOptions := func(r *rand.Rand) generateOptions {
		// testing/quick cannot fill a Rule's unexported members: the
		// policy is a built-in one or none.
		o := generateOptions{Email: jsonwiretest.Any[string](r)}
		if r.Intn(2) == 0 {
			o.Password = jsonwiretest.Any[*policy.PasswordOptions](r)
		}
		if r.Intn(2) == 0 {
			o.Passphrase = jsonwiretest.Any[*policy.PassphraseOptions](r)
		}
		if r.Intn(2) == 0 {
			p := policy.Account()
			o.Policy = &p
		}
		return o
	}
	jsonwiretest.CheckRead(t, (*generateOptions).readJSON, genOptions)
}

func TestStatusJSONMatchesEncodingJSON(t *testing.T) {
	type syncStatus struct {
		vaultsync.Status
		Account string `json:"account"`
	}
	r := rand.New(rand.NewSource(2))
	for i := 0; i < jsonwiretest.Values; i++ {
		st := vaultsync.Status{State: vaultsync.StateAttention, SyncedAt: jsonwiretest.Time(r),
			Reason: jsonwiretest.Any[string](r), Code: api.Code(jsonwiretest.Any[string](r)), Pending: r.Int()}
		account := jsonwiretest.Any[string](r)
		want, _ := json.Marshal(syncStatus{st, account})
		if got := statusJSON(account, st); string(got) != string(want) {
			t.Fatalf("status written as\n%s\nencoding/json writes\n%s", got, want)
		}
	}
}

func TestArgumentsRefuseUnknownMembers(t *testing.T) {
	jsonwiretest.Strictness(t, (*decideRequest).readJSON, `{"frame":{"url":"https://a.example/"},"consent":{"insecure":true},"ids":["x"]}`)
	jsonwiretest.Strictness(t, (*SyncConfig).ReadJSON, `{"account":"local","enabled":false,"debounce_ms":5}`)
	jsonwiretest.Strictness(t, (*generateOptions).readJSON, `{"password":{"length":20},"email":"a@b.example"}`)
	for _, in := range []string{`{"frame":{"URL":"x"}}`, `{"consent":{"insecure":"yes"}}`, `{"ids":"x"}`} {
		var r decideRequest
		if err := jsonwire.Decode([]byte(in), true, r.readJSON); err == nil {
			t.Errorf("decideRequest accepted %s", in)
		}
	}
}

func TestFormHead(t *testing.T) {
	h, err := readFormHead([]byte(`{"fields":{"name":"x"},"type":"login","id":"ab"}`))
	if err != nil || h.ID != "ab" || h.Type != "login" {
		t.Fatalf("readFormHead = %+v, %v", h, err)
	}
	for _, bad := range []string{`{"id":1}`, `[]`, `{"id":"a"} x`, `{`} {
		if _, err := readFormHead([]byte(bad)); err == nil {
			t.Errorf("readFormHead accepted %s", bad)
		}
	}
}
