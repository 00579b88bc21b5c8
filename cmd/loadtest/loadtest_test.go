package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPercentile(t *testing.T) {
	for _, tc := range []struct {
		name string
		xs   []float64
		p    float64
		want float64
	}{
		{"one", []float64{7}, 99, 7},
		{"median of odd", []float64{3, 1, 2}, 50, 2},
		{"p99 of 100", seq(100), 99, 99},
		{"p99 of 1000", seq(1000), 99, 990},
		{"max", []float64{5, 9, 1}, 100, 9},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := percentile(tc.xs, tc.p); got != tc.want {
				t.Fatalf("percentile %v = %v, want %v", tc.p, got, tc.want)
			}
		})
	}
}

func seq(n int) []float64 {
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = float64(n - i) // descending: percentile must sort
	}
	return xs
}

func TestMergeRows(t *testing.T) {
	path := filepath.Join(t.TempDir(), "results.json")
	old := `[{"name":"core-ready-ms","value":40,"unit":"ms","reference":"goal","reference_value":60,"ratio":0.667},
	{"name":"server-sync-p99-ms/sqlite","value":999,"unit":"ms","reference":"goal","reference_value":100,"ratio":9.99}]`
	if err := os.WriteFile(path, []byte(old), 0o644); err != nil {
		t.Fatal(err)
	}
	rows := []row{newRow("server-sync-p99-ms/sqlite", 42.5, "ms", "goal", ptr(100)), newRow("server-sync-errors/sqlite", 0, "count", "goal", ptr(0))}
	if err := mergeRows(path, rows); err != nil {
		t.Fatal(err)
	}
	var got []map[string]any
	b, _ := os.ReadFile(path)
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0]["name"] != "core-ready-ms" || got[1]["value"] != 42.5 || got[1]["ratio"] != 0.425 || got[2]["ratio"] != nil {
		t.Fatalf("merged %s", b)
	}
	t.Run("not a list", func(t *testing.T) {
		bad := filepath.Join(t.TempDir(), "results.json")
		os.WriteFile(bad, []byte(`{"rows":[]}`), 0o644)
		if err := mergeRows(bad, rows); err == nil {
			t.Fatal("merged into an object")
		}
		if b, _ := os.ReadFile(bad); string(b) != `{"rows":[]}` {
			t.Fatal("the file was changed")
		}
	})
}

func TestFlags(t *testing.T) {
	for name, args := range map[string][]string{
		"unknown store":             {"-store", "mysql"},
		"two instances on sqlite":   {"-instances", "2"},
		"more per account than all": {"-devices", "3", "-per-account", "4"},
		"no requests":               {"-requests", "0"},
		"stray argument":            {"now"},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := parseFlags(args, &bytes.Buffer{}); err == nil {
				t.Fatalf("%q accepted", args)
			}
		})
	}
}

// TestSmallRun runs the whole measurement with a handful of devices on
// SQLite: set-up through the API, the load phase, the rows.
func TestSmallRun(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server and signs devices in with Argon2id")
	}
	var out, log bytes.Buffer
	err := run(context.Background(), []string{"-devices", "6", "-per-account", "3", "-requests", "8", "-think", "5ms", "-entries", "5", "-json"}, &out, &log)
	if err != nil {
		t.Fatalf("%v\n%s", err, log.String())
	}
	var rows []row
	if err := json.Unmarshal(out.Bytes(), &rows); err != nil {
		t.Fatalf("rows: %v\n%s", err, out.String())
	}
	if len(rows) != 4 || rows[0].Name != "server-sync-p99-ms/sqlite" || rows[0].Value <= 0 || rows[3].Value != 0 {
		t.Fatalf("rows %s\nlog:\n%s", out.String(), log.String())
	}
	if !strings.Contains(log.String(), "48 requests") {
		t.Fatalf("not every request ran:\n%s", log.String())
	}
}
