#!/usr/bin/env bash
# Build, run, test and benchmark Watchword.
#
#   ./build.sh          build core.wasm, dist/chrome, dist/firefox and bin/watchword-server
#   ./build.sh run      build, then start the server on 127.0.0.1:8080 with SQLite under ./data
#   ./build.sh test     install what the tests need (when missing), then run every suite
#   ./build.sh bench    build, then run the benchmarks into bench/results.json
#
# Works from a fresh clone on Debian with Go and Node installed; `test` and
# `bench` install Debian packages (chromium, firefox-esr, binaryen, postgresql)
# when run as root and they are missing.
#
# Layout of dist/<browser>/: the generated manifest.json, core.wasm,
# wasm_exec.js, and the contents of extension/ and static/ merged at the top
# level (so the manifest names "background.js", not "extension/background.js").
# A file present in both extension/ and static/ is an error.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$ROOT"

# Pinned so every machine runs the same browser test runner.
WASMBROWSERTEST="github.com/agnivade/wasmbrowsertest@v0.11.0"
DEFAULT_TEST_POSTGRES="postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

log() { printf '==> %s\n' "$*" >&2; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die() {
	printf 'error: %s\n' "$*" >&2
	exit 1
}
in_ci() { [[ "${CI:-}" == "true" || "${CI:-}" == "1" ]]; }
has_go_files() { compgen -G "$1/*.go" >/dev/null; }

if ! command -v go >/dev/null && [[ -x /usr/local/go/bin/go ]]; then
	PATH="/usr/local/go/bin:$PATH"
fi
command -v go >/dev/null || die "Go is not installed (need the version in go.mod)"

# ---------------------------------------------------------------------------
# build

# build_wasm NAME builds wasm/cmd/NAME into dist/NAME.wasm.
build_wasm() {
	local name="$1"
	if ! has_go_files "wasm/cmd/$name"; then
		die "wasm/cmd/$name has no Go files: cannot build $name.wasm"
	fi
	mkdir -p dist
	log "$name.wasm (GOOS=js GOARCH=wasm)"
	GOOS=js GOARCH=wasm go build -trimpath -ldflags="-s -w" -o "dist/$name.raw.wasm" "./wasm/cmd/$name"
	if command -v wasm-opt >/dev/null; then
		# -Oz shrinks the module; the feature flags let wasm-opt use the
		# bulk-memory and conversion instructions Go's output relies on,
		# which measurably speeds up Argon2 in the browser.
		log "wasm-opt -Oz $name.wasm"
		wasm-opt -Oz --enable-bulk-memory --enable-sign-ext --enable-nontrapping-float-to-int \
			"dist/$name.raw.wasm" -o "dist/$name.wasm"
		rm -f "dist/$name.raw.wasm"
	else
		warn "binaryen's wasm-opt is not installed: $name.wasm is unoptimised (apt-get install binaryen)"
		mv "dist/$name.raw.wasm" "dist/$name.wasm"
	fi
	# Half a megabyte of core.wasm is Go's find-function table, stored as
	# one data segment per bucket; wasmslim has a start function write it
	# instead (see scripts/wasmslim). It also drops what only tracebacks
	# read: the tables of source files and line numbers, and the inline
	# trees (0.33 MB of core.wasm, 0.15 MB of its gzip). A shipped module's
	# traceback names the functions it passes through, without lines and
	# without the calls inlined into them. WATCHWORD_WASM_TRACEBACKS=1
	# keeps them, for debugging; the code is the same either way, so a
	# trace's functions and offsets read the same in both builds. A module
	# it cannot rewrite is shipped as it is; any other failure stops the
	# build.
	#
	# The modules in WASM_PACKED also have their data stored compressed
	# (0.8 → 0.3 MB for core.wasm), which the start function unpacks in
	# about 2 ms. kdf.wasm is not packed: it is instantiated for every
	# unlock, and that is where the 2 ms would be paid.
	local rc=0 keep=false pack=false
	[[ "${WATCHWORD_WASM_TRACEBACKS:-}" == 1 ]] && keep=true
	[[ " ${WASM_PACKED[*]} " == *" $name "* ]] && pack=true
	go run ./scripts/wasmslim -lines="$keep" -inlining="$keep" -pack="$pack" -in "dist/$name.wasm" -out "dist/$name.wasm" || rc=$?
	if ((rc == 3)); then
		warn "$name.wasm: no find-function table to rewrite (a new Go linker layout?); shipped as wasm-opt left it"
	elif ((rc != 0)); then
		die "wasmslim failed on $name.wasm"
	fi
	log "dist/$name.wasm: $(wc -c <"dist/$name.wasm") bytes"
}

# The wasm programs: core.wasm (the long-lived core in the service worker),
# kdf.wasm (one master-password derivation per instance, dropped after the
# call so the core never grows by Argon2's memory) and strength.wasm (the
# zxcvbn meter, loaded only by the popup's password screens).
WASM_PROGRAMS=(core kdf strength)
# gofloor, the benchmark's floor for core-ready-ms, is packed as core.wasm is
# so that the two compare like with like.
WASM_PACKED=(core strength gofloor)

build_core() {
	local name
	for name in "${WASM_PROGRAMS[@]}"; do build_wasm "$name"; done
	local goroot
	goroot="$(go env GOROOT)"
	if [[ -f "$goroot/lib/wasm/wasm_exec.js" ]]; then
		cp "$goroot/lib/wasm/wasm_exec.js" dist/wasm_exec.js
	elif [[ -f "$goroot/misc/wasm/wasm_exec.js" ]]; then
		cp "$goroot/misc/wasm/wasm_exec.js" dist/wasm_exec.js
	else
		die "wasm_exec.js not found under $goroot"
	fi
}

# copy_tree SRC DST copies the files under SRC into DST, refusing to overwrite
# a file an earlier copy put there.
copy_tree() {
	local src="$1" dst="$2" f rel
	[[ -d "$src" ]] || return 0
	while IFS= read -r -d '' f; do
		rel="${f#"$src"/}"
		if [[ -e "$dst/$rel" ]]; then
			die "$src/$rel clashes with a file already in $dst (extension/ and static/ are merged)"
		fi
		mkdir -p "$dst/$(dirname "$rel")"
		cp -p "$f" "$dst/$rel"
	done < <(find "$src" -type f ! -name '.*' -print0)
}

build_extension() {
	local target dir
	for target in chrome firefox; do
		dir="dist/$target"
		rm -rf "$dir"
		mkdir -p "$dir"
		cp dist/core.wasm dist/kdf.wasm dist/strength.wasm dist/wasm_exec.js "$dir/"
		# The lists the core loads on first use (wasm/bridge/resources.go).
		mkdir -p "$dir/lists"
		cp wasm/policy/lists/*.txt.gz wasm/match/suffixes/*.txt.gz "$dir/lists/"
		copy_tree extension "$dir"
		copy_tree static "$dir"
		if [[ -f manifest.json ]]; then
			go run ./scripts/manifest -target "$target" -in manifest.json -out "$dir/manifest.json"
		else
			warn "manifest.json does not exist yet: $dir has no manifest and cannot be loaded as an extension"
		fi
	done
	if [[ -z "$(find extension static -type f ! -name '.*' 2>/dev/null | head -1)" ]]; then
		warn "extension/ and static/ are empty: dist/ holds only the core"
	fi
	log "dist/chrome and dist/firefox assembled"
}

# The server, and the two stand-ins the end-to-end tests run beside it: an
# SMTP sink that captures mail and a loopback-only identity provider.
SERVER_PROGRAMS=(watchword-server watchword-smtpsink watchword-idp)

build_server() {
	local name
	mkdir -p bin
	for name in "${SERVER_PROGRAMS[@]}"; do
		has_go_files "cmd/$name" || die "cmd/$name has no Go files: cannot build bin/$name"
		log "bin/$name"
		go build -trimpath -o "bin/$name" "./cmd/$name"
	done
}

build_all() {
	build_core
	build_extension
	build_server
}

# ---------------------------------------------------------------------------
# tools (test and bench)

APT_UPDATED=0
apt_install() {
	if [[ $EUID -ne 0 ]]; then
		die "missing Debian packages: $* (run as root, or: sudo apt-get install $*)"
	fi
	command -v apt-get >/dev/null || die "missing packages $* and no apt-get to install them"
	if [[ $APT_UPDATED -eq 0 ]]; then
		log "apt-get update"
		DEBIAN_FRONTEND=noninteractive apt-get update -qq
		APT_UPDATED=1
	fi
	log "apt-get install $*"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

ensure_browsers() {
	local missing=()
	[[ -x /usr/bin/chromium ]] || missing+=(chromium)
	command -v firefox-esr >/dev/null || missing+=(firefox-esr)
	command -v wasm-opt >/dev/null || missing+=(binaryen)
	if ((${#missing[@]})); then apt_install "${missing[@]}"; fi
}

ensure_node_modules() {
	command -v node >/dev/null && command -v npm >/dev/null || die "Node.js and npm are not installed"
	# npm ci is skipped when node_modules already matches the lock file.
	if [[ ! -f node_modules/.package-lock.json ]] || [[ package-lock.json -nt node_modules/.package-lock.json ]]; then
		log "npm ci (test tooling; no browser downloads)"
		PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
	fi
}

ensure_wasmbrowsertest() {
	local gobin
	gobin="$(go env GOBIN)"
	[[ -n "$gobin" ]] || gobin="$(go env GOPATH)/bin"
	WBT="$gobin/wasmbrowsertest"
	if [[ ! -x "$WBT" ]]; then
		log "go install $WASMBROWSERTEST"
		GOBIN="$gobin" GOFLAGS=-mod=mod go install "$WASMBROWSERTEST"
	fi
	# go test -exec runs go_js_wasm_exec <binary>; wasmbrowsertest answers to
	# that name.
	mkdir -p "$WORK/bin"
	ln -sf "$WBT" "$WORK/bin/go_js_wasm_exec"
}

# Per-run scratch space: browser profiles, the exec shim. Removed on exit.
setup_work() {
	WORK="$(mktemp -d "${TMPDIR:-/tmp}/watchword-build.XXXXXX")"
	trap 'rm -rf "$WORK"' EXIT
	mkdir -p "$WORK/tmp"
	# The chromium wrapper first on PATH: wasmbrowsertest (chromedp) and the
	# Node suites start "chromium" with the flags this machine needs.
	export PATH="$ROOT/scripts/browser:$PATH"
	export TMPDIR="$WORK/tmp"
	export WATCHWORD_CHROMIUM_BIN="$ROOT/scripts/browser/chromium"
	export WATCHWORD_FIREFOX_BIN="${WATCHWORD_FIREFOX_BIN:-$(command -v firefox-esr || echo /usr/bin/firefox-esr)}"
	export WATCHWORD_DIST="$ROOT/dist"
	export WATCHWORD_SERVER_BIN="$ROOT/bin/watchword-server"
}

pg_answers() { # pg_answers URL
	psql "$1" -tAqc 'select 1' >/dev/null 2>&1
}

pg_port_open() {
	(exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null
}

# ensure_postgres makes WATCHWORD_TEST_POSTGRES point at a database that
# answers, starting (and if need be installing) Debian's PostgreSQL. It
# returns non-zero when that is impossible.
ensure_postgres() {
	if [[ -n "${WATCHWORD_TEST_POSTGRES:-}" ]]; then
		command -v psql >/dev/null || apt_install postgresql-client
		pg_answers "$WATCHWORD_TEST_POSTGRES" && return 0
		warn "WATCHWORD_TEST_POSTGRES is set but does not answer"
		return 1
	fi
	if ! pg_port_open; then
		command -v pg_ctlcluster >/dev/null || apt_install postgresql
		local ver started=0
		for ver in $(pg_lsclusters -h 2>/dev/null | awk '$2 == "main" {print $1}'); do
			log "starting PostgreSQL $ver"
			pg_ctlcluster --skip-systemctl-redirect "$ver" main start 2>/dev/null || true
			started=1
		done
		if [[ $started -eq 0 ]]; then
			ver="$(ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -1)"
			[[ -n "$ver" ]] || return 1
			log "creating PostgreSQL $ver cluster"
			pg_createcluster "$ver" main >/dev/null
			pg_ctlcluster --skip-systemctl-redirect "$ver" main start
		fi
		local i
		for i in $(seq 1 30); do
			pg_port_open && break
			sleep 1
		done
		pg_port_open || return 1
	fi
	command -v psql >/dev/null || apt_install postgresql-client

	local admin="postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	local url="$DEFAULT_TEST_POSTGRES"
	if ! pg_answers "$admin"; then
		# Debian's default asks for a password over TCP. Give the postgres
		# role a known one through the local socket (peer authentication).
		[[ $EUID -eq 0 ]] || return 1
		runuser -u postgres -- psql -qc "alter role postgres password 'postgres'" >/dev/null || return 1
		admin="postgres://postgres:postgres@127.0.0.1:5432/postgres?sslmode=disable"
		url="postgres://postgres:postgres@127.0.0.1:5432/test?sslmode=disable"
		pg_answers "$admin" || return 1
	fi
	if [[ "$(psql "$admin" -tAqc "select 1 from pg_database where datname = 'test'")" != "1" ]]; then
		log "creating database test"
		psql "$admin" -qc 'create database test' >/dev/null || return 1
	fi
	export WATCHWORD_TEST_POSTGRES="$url"
	pg_answers "$WATCHWORD_TEST_POSTGRES"
}

# ---------------------------------------------------------------------------
# test

PASSED=()
FAILED=()
step() { # step NAME CMD...: run one suite, record the outcome, keep going
	local name="$1"
	shift
	log "$name"
	if "$@"; then
		PASSED+=("$name")
	else
		FAILED+=("$name")
		printf '%s\n' "--- $name FAILED" >&2
	fi
}

# chromedp logs CDP events newer than it knows about; they are noise.
quiet_cdp() { grep -v 'could not unmarshal event' || true; }

# Packages under wasm/ that cannot run in a browser: native adapters of the
# sync engine (a file store needs a real file system; the net/http transport
# is for native tools). internal/importrules keeps them out of core.wasm.
WASM_NATIVE_ONLY=(
	watchword/wasm/vaultsync/filestore
	watchword/wasm/vaultsync/httptransport
)

wasm_packages() {
	GOOS=js GOARCH=wasm go list ./wasm/... | grep -vxF -f <(printf '%s\n' "${WASM_NATIVE_ONLY[@]}")
}

run_wasm_tests() {
	local pkgs
	mapfile -t pkgs < <(wasm_packages)
	GOOS=js GOARCH=wasm go vet "${pkgs[@]}" || return 1
	GOOS=js GOARCH=wasm go test -exec "$WORK/bin/go_js_wasm_exec" -timeout 10m "${pkgs[@]}" 2>&1 | quiet_cdp
}

e2e_tests_exist() {
	[[ -d test/e2e ]] && [[ -n "$(find test/e2e -type f \( -name '*.test.*js' -o -name '*-test.*js' -o -name '*_test.*js' -o -name 'test-*.*js' \) -not -path '*/node_modules/*' | head -1)" ]]
}

cmd_test() {
	setup_work
	ensure_browsers
	ensure_wasmbrowsertest
	ensure_node_modules
	if ensure_postgres; then
		log "PostgreSQL: $WATCHWORD_TEST_POSTGRES"
	elif in_ci; then
		die "PostgreSQL is not available on 127.0.0.1:5432; CI runs the PostgreSQL store tests and cannot skip them"
	else
		warn "PostgreSQL is not available: the PostgreSQL store tests will be skipped"
		unset WATCHWORD_TEST_POSTGRES
	fi

	local start=$SECONDS
	step "build" "$0" build
	step "go vet" go vet ./...
	step "go test (native)" go test -timeout 10m ./...
	step "go test (wasm, headless Chromium)" run_wasm_tests
	if e2e_tests_exist; then
		step "e2e (node --test test/e2e/)" node --test test/e2e/
	else
		log "test/e2e has no tests yet"
	fi

	local s
	for s in "${PASSED[@]}"; do printf 'ok    %s\n' "$s"; done
	for s in "${FAILED[@]+"${FAILED[@]}"}"; do printf 'FAIL  %s\n' "$s"; done
	printf 'took %ds\n' $((SECONDS - start))
	printf 'suites: %d passed, %d failed\n' "${#PASSED[@]}" "${#FAILED[@]}"
	((${#FAILED[@]} == 0))
}

# ---------------------------------------------------------------------------
# run, bench

cmd_run() {
	build_all
	if [[ ! -x bin/watchword-server ]]; then
		die "the server (cmd/watchword-server) does not exist yet: nothing to run. The extension is in dist/chrome and dist/firefox."
	fi
	mkdir -p data
	cat <<EOF

Extension builds:
  Chrome:  $ROOT/dist/chrome
           chrome://extensions -> Developer mode -> Load unpacked -> pick that folder
  Firefox: $ROOT/dist/firefox
           about:debugging#/runtime/this-firefox -> Load Temporary Add-on -> pick its manifest.json

Server: http://127.0.0.1:8080 (data in $ROOT/data; Ctrl-C stops it)

EOF
	exec bin/watchword-server -addr 127.0.0.1:8080 -data ./data
}

cmd_bench() {
	setup_work
	ensure_browsers
	ensure_node_modules
	# The rows here need only the core; a producer that needs the server or
	# the extension builds them itself (./build.sh), so one broken part does
	# not stop the others from being measured.
	build_core
	# The floor core-ready-ms is read against (wasm/cmd/gofloor): not shipped.
	build_wasm gofloor
	# Server sync load rows (bench/server/run.sh): SQLite, then PostgreSQL
	# with two instances when a database can be had.
	if ensure_postgres; then
		log "PostgreSQL: $WATCHWORD_TEST_POSTGRES"
	else
		unset WATCHWORD_TEST_POSTGRES
	fi
	bench/server/run.sh "$@"
	node bench/run.mjs "$@"
}

case "${1:-build}" in
build) build_all ;;
run) cmd_run ;;
test) cmd_test ;;
bench)
	shift
	cmd_bench "$@"
	;;
-h | --help | help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//' ;;
*) die "unknown command $1 (want: build, run, test, bench)" ;;
esac
