#!/usr/bin/env bash
# Server sync load rows for bench/results.json (server-sync-p99-ms/...):
# 1,000 simulated devices against the real server on SQLite, then on
# PostgreSQL with two instances when WATCHWORD_TEST_POSTGRES names a
# database that answers (./build.sh bench sets it up).
#
#   bench/server/run.sh [filter...]
#
# With filters (as for bench/run.mjs), it runs only if one of them is part
# of "server-sync". Extra loadtest flags can be given in LOADTEST_FLAGS.
# To see where the time goes, run the load test itself with a profile of
# its load phase (servers and devices share the process):
#
#   go run ./cmd/loadtest -store sqlite -cpuprofile cpu.out -blockprofile block.out
#   go tool pprof -top -cum cpu.out
#
# It prints the process CPU per request too: on a shared machine that is
# steadier than the latencies.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

if (($#)); then
	match=0
	for f in "$@"; do
		[[ "server-sync" == *"$f"* ]] && match=1
	done
	((match)) || exit 0
fi

results=bench/results.json
bin="$(mktemp -d "${TMPDIR:-/tmp}/watchword-loadtest.XXXXXX")"
trap 'rm -rf "$bin"' EXIT
go build -o "$bin/loadtest" ./cmd/loadtest

# shellcheck disable=SC2086 # LOADTEST_FLAGS is a list of flags
"$bin/loadtest" -store sqlite -devices 1000 -results "$results" ${LOADTEST_FLAGS:-}
if [[ -n "${WATCHWORD_TEST_POSTGRES:-}" ]]; then
	# shellcheck disable=SC2086
	"$bin/loadtest" -store postgres -instances 2 -devices 1000 -postgres "$WATCHWORD_TEST_POSTGRES" -results "$results" ${LOADTEST_FLAGS:-}
else
	echo "bench/server: WATCHWORD_TEST_POSTGRES is not set: no PostgreSQL rows" >&2
	[[ "${CI:-}" != "true" ]] || exit 1
fi
