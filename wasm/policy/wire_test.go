package policy

import (
	"encoding/json"
	"math"
	"math/rand"
	"testing"

	"watchword/wasm/jsonwire"
	"watchword/wasm/jsonwire/jsonwiretest"
)

func TestWireMatchesEncodingJSON(t *testing.T) {
	finite := func(f float64) float64 {
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return 0
		}
		return f
	}
	genResult := func(r *rand.Rand) Result {
		res := jsonwiretest.Any[Result](r)
		if s := res.Strength; s != nil {
			s.Guesses, s.EntropyBits, s.CrackSeconds = finite(s.Guesses), finite(s.EntropyBits), finite(s.CrackSeconds)
		}
		return res
	}
	p := Account()
	jsonwiretest.CheckWrite(t, Result.WriteJSON, genResult,
		Check(p, "Short1", Context{}),
		Result{Rules: []RuleResult{}, Strength: &Strength{Guesses: 1e22, EntropyBits: 1e-7, Warnings: []Note{}}})
	jsonwiretest.CheckRead(t, (*PasswordOptions).ReadJSON, nil)
	jsonwiretest.CheckRead(t, (*PassphraseOptions).ReadJSON, nil)
	jsonwiretest.Strictness(t, (*PasswordOptions).ReadJSON, `{"length":20,"symbols":true}`)
	jsonwiretest.Strictness(t, (*PassphraseOptions).ReadJSON, `{"words":6,"separator":"-"}`)
}

// TestPolicyWireMatchesEncodingJSON: the core's writer gives the bytes the
// server's encoding/json gives for the built-in policies and for a policy
// from a newer server carrying members and kinds this version keeps
// verbatim (with white space and HTML-unsafe characters to compact).
func TestPolicyWireMatchesEncodingJSON(t *testing.T) {
	newer, err := Parse([]byte(`{"id":"newer","rules":[
		{"id":"a","kind":"char_class","label":"L <b>","class":"digit","min":2,"weight": [ 1, "x&y" ]},
		{"id":"b","kind":"from_the_future","label":"F","min":"not a number","z":{ "k" : null }}],
		"published":"2026"}`))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []Policy{Account(), Master(), newer, {ID: "empty"}} {
		want, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		w := jsonwire.NewWriter(nil)
		p.WriteJSON(w)
		if string(w.Bytes()) != string(want) {
			t.Errorf("policy %s written as\n%s\nencoding/json writes\n%s", p.ID, w.Bytes(), want)
		}
		// Each rule as encoding/json writes the same members as a map.
		for _, r := range p.Rules {
			m := map[string]any{"id": r.ID, "kind": r.Kind, "label": r.Label}
			for k, v := range r.extra {
				m[k] = json.RawMessage(v)
			}
			for _, k := range params[r.Kind] {
				m[k] = map[string]any{"min": r.Min, "max": r.Max, "class": r.Class}[k]
			}
			want, err := json.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			if got, _ := r.MarshalJSON(); string(got) != string(want) {
				t.Errorf("rule %s written as\n%s\nencoding/json writes\n%s", r.ID, got, want)
			}
		}
	}
	if got := newer.Rules[1]; got.Supported() || got.extra["min"] == nil {
		t.Errorf("a rule of an unknown kind lost its members: %+v", got)
	}
}
