package meter

import (
	"encoding/json"
	"testing"
)

func TestEstimate(t *testing.T) {
	tests := []struct {
		name      string
		password  string
		email     string
		maxScore  int
		minScore  int
		wantNotes bool
	}{
		{"common password", "password", "", 0, 0, true},
		{"tied to the email", "janedoe1987", "jane.doe@example.org", 1, 0, true},
		{"long passphrase", "violet anchor drizzle fortune lamp", "", 4, 3, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s struct {
				Score     int               `json:"score"`
				CrackTime string            `json:"crack_time"`
				Warnings  []json.RawMessage `json:"warnings"`
			}
			b := Estimate(tt.password, tt.email)
			if err := json.Unmarshal(b, &s); err != nil {
				t.Fatalf("%s: %v", b, err)
			}
			if s.Score < tt.minScore || s.Score > tt.maxScore {
				t.Errorf("score %d, want %d–%d (%s)", s.Score, tt.minScore, tt.maxScore, b)
			}
			if s.CrackTime == "" {
				t.Errorf("no crack time in %s", b)
			}
			if tt.wantNotes != (len(s.Warnings) > 0) {
				t.Errorf("warnings %s, want some: %v", b, tt.wantNotes)
			}
		})
	}
}
