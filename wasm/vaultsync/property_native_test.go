//go:build !js

package vaultsync

import "testing"

// defaultSchedules is the normal run natively; -vaultsync.schedules=10000
// runs more.
const defaultSchedules = 1000

// TestPropertyModelQuick runs a few schedules against the in-memory
// protocol model too, the configuration the browser run uses.
func TestPropertyModelQuick(t *testing.T) {
	if !checksGiven() && !flagGiven("vaultsync.schedules") {
		*schedules = 100
		defer func() { *schedules = defaultSchedules }()
	}
	runProperty(t, memProtocol{})
}
