// Package storetest is the conformance suite every server.Store passes.
//
// An adapter's test calls [Run] with a function that opens a fresh, empty
// store (and registers its Close with t.Cleanup); Run exercises every Store
// method in named subtests: accounts and their cascading deletion, tokens,
// challenges, TOTP replay, recovery codes, counters, sessions and refresh
// reuse, the vault's compare-and-swap, idempotency, paging and isolation,
// and Watch. The concurrency subtests (a token consumed once by many
// goroutines, exact counters, one winner of racing pushes) are the reason
// this suite exists: they hold only if the adapter's atomicity is real.
//
// [BenchmarkPush] and [BenchmarkPull] give the adapters comparable
// benchmarks on a 10,000-entry vault.
package storetest
