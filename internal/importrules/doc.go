// Package importrules holds no code: its test keeps the module's import
// rules true, with `go list` over the whole module, natively and for
// GOOS=js GOARCH=wasm.
//
//   - The core packages (wasm/api, wasm/vault, wasm/policy, wasm/vaultsync,
//     wasm/match) use only the standard library, golang.org/x/*, and (policy
//     only) zxcvbn-go. Neither they nor a non-standard package they reach
//     imports syscall/js or os, and nothing they reach, standard or not,
//     is net/http or database/sql.
//   - Nothing under server/ or cmd/watchword-server reaches wasm/vault or
//     wasm/vaultsync: the server cannot read vault contents by construction.
//   - Only wasm/bridge and wasm/cmd/core import syscall/js or the bridge's jsvalue.
//   - core.wasm (wasm/cmd/core for js/wasm) does not link net/http, which
//     would add megabytes and slow every service-worker start.
//
// When a rule fails, move the code, don't loosen the rule.
package importrules
