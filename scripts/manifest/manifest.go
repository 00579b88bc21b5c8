package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
)

// Target names a browser build.
type Target string

const (
	Chrome  Target = "chrome"
	Firefox Target = "firefox"
)

// DefaultGeckoID is the Firefox add-on id used when the root manifest does not
// name one. It must stay stable: Firefox keys stored data and the test
// profile's fixed moz-extension UUID (extensions.webextensions.uuids) by it.
const DefaultGeckoID = "watchword@watchword.app"

// geckoMinVersion is the first Firefox release that understands
// data_collection_permissions; older releases would reject the key.
const geckoMinVersion = "140.0"

// wasmExec is the Go runtime glue that build.sh copies next to core.wasm.
// Chrome's service worker loads it itself with importScripts; Firefox's
// event page has no importScripts, so it is listed before the worker script.
const wasmExec = "wasm_exec.js"

// Keys that only one browser understands; the other would warn or refuse.
var (
	chromeOnly  = []string{"minimum_chrome_version", "key", "update_url"}
	firefoxOnly = []string{"browser_specific_settings"}
	// Chrome's offscreen documents (used for the clipboard, which its
	// service worker cannot reach); Firefox's background page has a
	// document of its own and warns about the unknown permission.
	chromeOnlyPermissions = []string{"offscreen"}
)

// Transform returns the manifest for target, made from the root manifest src.
//
// The root manifest names its background script either as
// background.service_worker (a string) or background.scripts (a list whose
// last element is the worker script). Chrome gets background.service_worker;
// Firefox gets background.scripts (wasm_exec.js first, unless the root lists
// scripts itself) and browser_specific_settings.gecko with an id and the
// data-collection declaration (Watchword collects nothing).
func Transform(src []byte, target Target) ([]byte, error) {
	if target != Chrome && target != Firefox {
		return nil, fmt.Errorf("unknown target %q (want chrome or firefox)", target)
	}
	m, err := parseObject(src)
	if err != nil {
		return nil, fmt.Errorf("parse manifest: %w", err)
	}
	if v, ok := m.get("manifest_version"); !ok || string(v) != "3" {
		return nil, errors.New("manifest_version must be 3")
	}

	if raw, ok := m.get("background"); ok {
		var bg struct {
			ServiceWorker string   `json:"service_worker"`
			Scripts       []string `json:"scripts"`
			Type          string   `json:"type"`
		}
		if err := json.Unmarshal(raw, &bg); err != nil {
			return nil, fmt.Errorf("parse background: %w", err)
		}
		worker := bg.ServiceWorker
		if worker == "" && len(bg.Scripts) > 0 {
			worker = bg.Scripts[len(bg.Scripts)-1]
		}
		if worker == "" {
			return nil, errors.New("background names no service_worker or scripts")
		}
		out := object{}
		switch target {
		case Chrome:
			out.set("service_worker", mustJSON(worker))
		case Firefox:
			scripts := bg.Scripts
			if len(scripts) == 0 {
				scripts = []string{wasmExec, worker}
			}
			out.set("scripts", mustJSON(scripts))
		}
		if bg.Type != "" {
			out.set("type", mustJSON(bg.Type))
		}
		m.set("background", out.marshal())
	}

	switch target {
	case Chrome:
		for _, k := range firefoxOnly {
			m.del(k)
		}
	case Firefox:
		for _, k := range chromeOnly {
			m.del(k)
		}
		if err := dropPermissions(m, chromeOnlyPermissions); err != nil {
			return nil, err
		}
		bss, err := geckoSettings(m)
		if err != nil {
			return nil, err
		}
		m.set("browser_specific_settings", bss)
	}

	var buf bytes.Buffer
	if err := json.Indent(&buf, m.marshal(), "", "  "); err != nil {
		return nil, err
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}

// geckoSettings returns browser_specific_settings for Firefox: the root's
// settings if it has any, with gecko.id, gecko.strict_min_version and
// gecko.data_collection_permissions filled in where missing.
func geckoSettings(m object) (json.RawMessage, error) {
	bss := object{}
	if raw, ok := m.get("browser_specific_settings"); ok {
		var err error
		if bss, err = parseObject(raw); err != nil {
			return nil, fmt.Errorf("parse browser_specific_settings: %w", err)
		}
	}
	gecko := object{}
	if raw, ok := bss.get("gecko"); ok {
		var err error
		if gecko, err = parseObject(raw); err != nil {
			return nil, fmt.Errorf("parse browser_specific_settings.gecko: %w", err)
		}
	}
	if _, ok := gecko.get("id"); !ok {
		gecko.set("id", mustJSON(DefaultGeckoID))
	}
	if _, ok := gecko.get("strict_min_version"); !ok {
		gecko.set("strict_min_version", mustJSON(geckoMinVersion))
	}
	if _, ok := gecko.get("data_collection_permissions"); !ok {
		// The vault reaches the server only end-to-end encrypted, which
		// Firefox's policy does not count as data collection.
		gecko.set("data_collection_permissions", json.RawMessage(`{"required":["none"]}`))
	}
	bss.set("gecko", gecko.marshal())
	return bss.marshal(), nil
}

// object is a JSON object that remembers the order of its keys.
type object struct {
	keys []string
	vals map[string]json.RawMessage
}

func parseObject(src []byte) (object, error) {
	dec := json.NewDecoder(bytes.NewReader(src))
	tok, err := dec.Token()
	if err != nil {
		return object{}, err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return object{}, errors.New("not a JSON object")
	}
	o := object{vals: map[string]json.RawMessage{}}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return object{}, err
		}
		key := tok.(string) // object keys are always strings
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return object{}, fmt.Errorf("key %q: %w", key, err)
		}
		if _, dup := o.vals[key]; dup {
			return object{}, fmt.Errorf("duplicate key %q", key)
		}
		o.set(key, v)
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return object{}, err
	}
	if _, err := dec.Token(); err == nil {
		return object{}, errors.New("trailing data after the object")
	}
	return o, nil
}

func (o *object) get(k string) (json.RawMessage, bool) {
	v, ok := o.vals[k]
	return v, ok
}

func (o *object) set(k string, v json.RawMessage) {
	if o.vals == nil {
		o.vals = map[string]json.RawMessage{}
	}
	if _, ok := o.vals[k]; !ok {
		o.keys = append(o.keys, k)
	}
	o.vals[k] = v
}

func (o *object) del(k string) {
	if _, ok := o.vals[k]; !ok {
		return
	}
	delete(o.vals, k)
	for i, key := range o.keys {
		if key == k {
			o.keys = append(o.keys[:i], o.keys[i+1:]...)
			break
		}
	}
}

func (o object) marshal() json.RawMessage {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range o.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(mustJSON(k))
		b.WriteByte(':')
		b.Write(o.vals[k])
	}
	b.WriteByte('}')
	return b.Bytes()
}

// mustJSON marshals values that cannot fail to marshal (strings, string slices).
func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // programmer error: only called with plain strings and slices
	}
	return b
}

// dropPermissions removes names from the manifest's "permissions" list.
func dropPermissions(m object, names []string) error {
	raw, ok := m.get("permissions")
	if !ok {
		return nil
	}
	var perms []string
	if err := json.Unmarshal(raw, &perms); err != nil {
		return fmt.Errorf("parse permissions: %w", err)
	}
	kept := perms[:0]
	for _, p := range perms {
		if !slices.Contains(names, p) {
			kept = append(kept, p)
		}
	}
	m.set("permissions", mustJSON(kept))
	return nil
}
