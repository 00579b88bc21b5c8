// Package api holds the types that cross a boundary: the JSON wire types shared
// by the sync server and every client, the closed set of error codes used by
// the server's HTTP answers and by the JavaScript bridge, and the key-derivation
// parameters (with their floors) that both sides validate.
//
// Nothing here is declared twice: the server (package server and below) and
// the core (vault, vaultsync, bridge) import these types. The package uses the
// standard library only, so it builds natively and under GOOS=js GOARCH=wasm.
//
// Start with [Error] and [Code] for failures, [KDFParams] for the vault's
// key-derivation settings, and [Entry], [PullResponse], [PushRequest] for sync.
package api
