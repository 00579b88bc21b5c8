package main

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

const rootManifest = `{
  "manifest_version": 3,
  "name": "Watchword",
  "version": "0.1.0",
  "minimum_chrome_version": "120",
  "background": {"service_worker": "background.js"},
  "content_security_policy": {"extension_pages": "script-src 'self' 'wasm-unsafe-eval'; object-src 'self'"},
  "permissions": ["storage", "alarms"]
}`

func decode(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, b)
	}
	return m
}

func TestTransform(t *testing.T) {
	tests := []struct {
		name   string
		src    string
		target Target
		want   map[string]any // top-level keys checked for equality
		absent []string       // top-level keys that must not be there
	}{
		{
			name:   "chrome gets a service worker",
			src:    rootManifest,
			target: Chrome,
			want: map[string]any{
				"background":             map[string]any{"service_worker": "background.js"},
				"minimum_chrome_version": "120",
			},
			absent: []string{"browser_specific_settings"},
		},
		{
			name:   "firefox gets scripts with wasm_exec first and gecko settings",
			src:    rootManifest,
			target: Firefox,
			want: map[string]any{
				"background": map[string]any{"scripts": []any{"wasm_exec.js", "background.js"}},
				"browser_specific_settings": map[string]any{"gecko": map[string]any{
					"id":                          DefaultGeckoID,
					"strict_min_version":          geckoMinVersion,
					"data_collection_permissions": map[string]any{"required": []any{"none"}},
				}},
			},
			absent: []string{"minimum_chrome_version"},
		},
		{
			name: "firefox keeps the root's own gecko id and scripts",
			src: `{"manifest_version":3,"background":{"scripts":["a.js","bg.js"]},
				"browser_specific_settings":{"gecko":{"id":"x@example.org"}}}`,
			target: Firefox,
			want: map[string]any{
				"background": map[string]any{"scripts": []any{"a.js", "bg.js"}},
				"browser_specific_settings": map[string]any{"gecko": map[string]any{
					"id":                          "x@example.org",
					"strict_min_version":          geckoMinVersion,
					"data_collection_permissions": map[string]any{"required": []any{"none"}},
				}},
			},
		},
		{
			name: "chrome takes the last listed script as its worker and drops gecko settings",
			src: `{"manifest_version":3,"background":{"scripts":["wasm_exec.js","bg.js"]},
				"browser_specific_settings":{"gecko":{"id":"x@example.org"}}}`,
			target: Chrome,
			want:   map[string]any{"background": map[string]any{"service_worker": "bg.js"}},
			absent: []string{"browser_specific_settings"},
		},
		{
			name:   "firefox drops the offscreen permission, chrome keeps it",
			src:    `{"manifest_version":3,"background":{"scripts":["bg.js"]},"permissions":["storage","offscreen","clipboardRead"]}`,
			target: Firefox,
			want:   map[string]any{"permissions": []any{"storage", "clipboardRead"}},
		},
		{
			name:   "chrome keeps the offscreen permission",
			src:    `{"manifest_version":3,"background":{"scripts":["bg.js"]},"permissions":["storage","offscreen"]}`,
			target: Chrome,
			want:   map[string]any{"permissions": []any{"storage", "offscreen"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := Transform([]byte(tt.src), tt.target)
			if err != nil {
				t.Fatalf("Transform: %v", err)
			}
			got := decode(t, out)
			for k, want := range tt.want {
				if !reflect.DeepEqual(got[k], want) {
					t.Errorf("%s = %#v, want %#v", k, got[k], want)
				}
			}
			for _, k := range tt.absent {
				if _, ok := got[k]; ok {
					t.Errorf("%s is present, want it removed", k)
				}
			}
		})
	}
}

func TestTransformKeepsKeyOrder(t *testing.T) {
	out, err := Transform([]byte(rootManifest), Firefox)
	if err != nil {
		t.Fatal(err)
	}
	s := string(out)
	order := []string{`"manifest_version"`, `"name"`, `"version"`, `"background"`, `"content_security_policy"`, `"permissions"`, `"browser_specific_settings"`}
	last := -1
	for _, k := range order {
		i := strings.Index(s, k)
		if i < 0 || i < last {
			t.Fatalf("key %s out of order in:\n%s", k, s)
		}
		last = i
	}
}

func TestTransformRejects(t *testing.T) {
	tests := []struct {
		name   string
		src    string
		target Target
		want   string
	}{
		{"unknown target", rootManifest, "safari", "unknown target"},
		{"not JSON", `{"manifest_version":`, Chrome, "parse manifest"},
		{"not an object", `[1,2]`, Chrome, "not a JSON object"},
		{"trailing data", `{"manifest_version":3} {}`, Chrome, "trailing data"},
		{"duplicate key", `{"manifest_version":3,"manifest_version":3}`, Chrome, "duplicate key"},
		{"manifest v2", `{"manifest_version":2}`, Chrome, "manifest_version must be 3"},
		{"background without a script", `{"manifest_version":3,"background":{}}`, Firefox, "names no service_worker"},
		{"background of the wrong type", `{"manifest_version":3,"background":"bg.js"}`, Chrome, "parse background"},
		{"gecko of the wrong type", `{"manifest_version":3,"browser_specific_settings":{"gecko":1}}`, Firefox, "parse browser_specific_settings.gecko"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Transform([]byte(tt.src), tt.target)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Transform error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}
