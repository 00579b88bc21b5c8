// Command manifest writes the browser-specific manifest.json of one build
// target from the single root manifest.json.
//
// The repository keeps one Manifest V3 file for both browsers. Chrome and
// Firefox disagree on the background key (Chrome runs a service worker,
// Firefox an event page with a list of scripts) and on a few vendor keys, so
// build.sh runs
//
//	go run ./scripts/manifest -target chrome  -in manifest.json -out dist/chrome/manifest.json
//	go run ./scripts/manifest -target firefox -in manifest.json -out dist/firefox/manifest.json
//
// The transformation itself is [Transform]; it keeps the key order of the
// source file so the generated manifests diff cleanly against it.
package main
