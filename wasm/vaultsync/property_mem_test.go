package vaultsync

import (
	"watchword/wasm/vaultsync/memserver"
)

// memProtocol serves each account from a fresh in-memory model. Its state
// lives outside any process, so a restart changes nothing by construction.
type memProtocol struct{}

func (memProtocol) newAccount(t tester) Transport { return memserver.New().Transport() }
func (memProtocol) restart(t tester)              {}
