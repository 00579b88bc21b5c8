package vaultsync_test

import (
	"testing"

	"watchword/wasm/vaultsync"
	"watchword/wasm/vaultsync/storagetest"
)

func TestMemoryStorage(t *testing.T) {
	storagetest.Run(t, func(*testing.T) vaultsync.Storage { return vaultsync.NewMemoryStorage() }, nil)
}
