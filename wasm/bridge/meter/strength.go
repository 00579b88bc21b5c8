package meter

import (
	"encoding/json"

	"watchword/wasm/policy"
	"watchword/wasm/policy/strength"
)

// Estimate returns the JSON of the strength estimate (policy.Strength: score
// 0–4, crack time in words, warnings and suggestions) of password, with the
// parts of email as words tied to the user. It never fails: zxcvbn looks at
// no more than policy.MaxEstimateLength characters, and a failed estimate is
// the lowest score with a note.
func Estimate(password, email string) []byte {
	res := policy.Check(policy.Policy{}, password, policy.Context{Email: email, Estimator: strength.Estimator{}})
	b, err := json.Marshal(res.Strength)
	if err != nil {
		// policy.Strength is plain data and strength.Estimator refuses
		// non-finite numbers, so this cannot happen; a meter that says
		// nothing is the safe answer if it ever did.
		return []byte("null")
	}
	return b
}
