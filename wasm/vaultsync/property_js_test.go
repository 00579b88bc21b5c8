//go:build js

package vaultsync

import "testing"

// defaultSchedules is smaller in the browser, where the engine and the
// in-memory server share one thread.
const defaultSchedules = 100

// TestPropertyModel runs the property test against the in-memory protocol
// model: a browser runs no HTTP server. The model is held to the real
// server's answers by TestModelMatchesServer, run natively.
func TestPropertyModel(t *testing.T) { runProperty(t, memProtocol{}) }
