package importrules

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "watchword"

// corePackages are the pure-Go core: they build and run both natively and in
// the browser, with no I/O of their own.
var corePackages = []string{
	"watchword/wasm/api",
	"watchword/wasm/vault",
	"watchword/wasm/policy",
	"watchword/wasm/vaultsync",
	"watchword/wasm/match",
	"watchword/wasm/jsonwire",
	"watchword/wasm/weburl",
	"watchword/wasm/transfer",
	"watchword/wasm/wrap",
}

// coreThirdParty are the non-standard, non-golang.org/x modules a core
// package may reach, by the core package (prefix) allowed to reach them.
var coreThirdParty = map[string][]string{
	// Password strength estimation.
	"watchword/wasm/policy": {"github.com/ccojocar/zxcvbn-go"},
}

// forbiddenImports may not be imported by a core package, nor by any
// non-standard package a core package reaches. (The standard library itself
// imports both: crypto/rand reaches syscall/js under js/wasm, fmt reaches os.)
var forbiddenImports = []string{"syscall/js", "os", jsValue}

// forbiddenDeps may not be reached at all, through any path.
var forbiddenDeps = []string{"net/http", "database/sql"}

// allowedImports are the exceptions to forbiddenImports: a package outside
// this module that imports a forbidden package, and why that is harmless.
var allowedImports = map[[2]string]string{
	// golang.org/x/crypto reaches x/sys/cpu for CPU feature detection, which
	// reads /proc/self/auxv on some platforms; under js/wasm it does no I/O.
	{"golang.org/x/sys/cpu", "os"}: "CPU feature detection",
	// zxcvbn-go's data package embeds its word lists and imports os for a
	// helper the core never calls; it opens no file on the path policy uses.
	{"github.com/ccojocar/zxcvbn-go/data", "os"}: "unused file helper",
}

// nativeAdapters are packages under the core that adapt it to a native host
// (a server, a file system) for tools and tests. They are exempt from the
// core rules but must never be linked into core.wasm, where the bridge
// supplies JavaScript's fetch and chrome.storage instead.
var nativeAdapters = map[string]string{
	"watchword/wasm/vaultsync/httptransport": "vaultsync.Transport over net/http",
	"watchword/wasm/vaultsync/filestore":     "vaultsync.Storage in an os file",
}

// serverRoots may not reach vaultClosed.
var (
	serverRoots = []string{"watchword/server", "watchword/cmd/watchword-server"}
	vaultClosed = []string{"watchword/wasm/vault", "watchword/wasm/vaultsync"}
)

// jsValue is the bridge's way into JavaScript (syscall/js with errors).
const jsValue = "watchword/wasm/bridge/jsvalue"

// jsImporters are the only packages allowed to import syscall/js or jsvalue:
// the bridge (and its hosts for the single-purpose modules) and the wasm
// programs.
var jsImporters = []string{"watchword/wasm/bridge", "watchword/wasm/cmd"}

type pkg struct {
	ImportPath string
	Standard   bool
	Imports    []string
	Deps       []string
	Error      *struct{ Err string }
}

// list runs `go list -deps` over the module for the environment env and
// returns every package it reached, by import path.
func list(t *testing.T, env []string) map[string]*pkg {
	t.Helper()
	cmd := exec.Command("go", "list", "-e", "-deps", "-json=ImportPath,Standard,Imports,Deps,Error", module+"/...")
	cmd.Env = append(os.Environ(), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list %v: %v\n%s", env, err, stderr.String())
	}
	pkgs := map[string]*pkg{}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		p := new(pkg)
		if err := dec.Decode(p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("parse go list output: %v", err)
		}
		pkgs[p.ImportPath] = p
	}
	return pkgs
}

func under(path string, roots ...string) bool {
	for _, r := range roots {
		if path == r || strings.HasPrefix(path, r+"/") {
			return true
		}
	}
	return false
}

var envs = []struct {
	name string
	env  []string
}{
	{"native", []string{"CGO_ENABLED=0"}},
	{"js-wasm", []string{"GOOS=js", "GOARCH=wasm"}},
}

func TestImportRules(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list over the whole module")
	}
	for _, e := range envs {
		t.Run(e.name, func(t *testing.T) {
			pkgs := list(t, e.env)
			if len(pkgs) == 0 {
				t.Fatal("go list found no packages")
			}
			t.Run("core", func(t *testing.T) { checkCore(t, pkgs) })
			t.Run("server cannot read vaults", func(t *testing.T) { checkServer(t, pkgs) })
			t.Run("only the bridge touches JavaScript", func(t *testing.T) { checkJS(t, pkgs) })
		})
	}
}

func checkCore(t *testing.T, pkgs map[string]*pkg) {
	for path, p := range pkgs {
		if !under(path, corePackages...) || isAdapter(path) {
			continue
		}
		for _, d := range append([]string{path}, p.Deps...) {
			if slices.Contains(forbiddenDeps, d) {
				t.Errorf("%s reaches %s via %s", path, d, strings.Join(importPath(pkgs, path, d), " → "))
				continue
			}
			dp, ok := pkgs[d]
			if !ok || dp.Standard {
				continue
			}
			switch {
			case under(d, module):
				if !under(d, corePackages...) {
					t.Errorf("%s reaches %s: core packages import only other core packages", path, d)
				}
			case strings.HasPrefix(d, "golang.org/x/"), allowedThirdParty(path, d):
			default:
				t.Errorf("%s reaches %s: core packages use only the standard library and golang.org/x", path, d)
			}
			checkImports(t, path, dp)
		}
	}
}

func isAdapter(path string) bool {
	for a := range nativeAdapters {
		if under(path, a) {
			return true
		}
	}
	return false
}

// importPath returns a shortest chain of imports from one package to another.
func importPath(pkgs map[string]*pkg, from, to string) []string {
	prev := map[string]string{from: ""}
	queue := []string{from}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		if cur == to {
			var chain []string
			for ; cur != ""; cur = prev[cur] {
				chain = append(chain, cur)
			}
			slices.Reverse(chain)
			return chain
		}
		if p, ok := pkgs[cur]; ok {
			for _, imp := range p.Imports {
				if _, seen := prev[imp]; !seen {
					prev[imp] = cur
					queue = append(queue, imp)
				}
			}
		}
	}
	return []string{from, "?", to}
}

func allowedThirdParty(core, dep string) bool {
	for prefix, mods := range coreThirdParty {
		if under(core, prefix) && under(dep, mods...) {
			return true
		}
	}
	return false
}

// checkImports reports the forbidden direct imports of p, a non-standard
// package that the core package core reaches.
func checkImports(t *testing.T, core string, p *pkg) {
	for _, imp := range p.Imports {
		if !slices.Contains(forbiddenImports, imp) {
			continue
		}
		if _, ok := allowedImports[[2]string{p.ImportPath, imp}]; ok {
			continue
		}
		t.Errorf("%s imports %s (reached from %s)", p.ImportPath, imp, core)
	}
}

func checkServer(t *testing.T, pkgs map[string]*pkg) {
	for path, p := range pkgs {
		if !under(path, serverRoots...) {
			continue
		}
		for _, d := range p.Deps {
			if under(d, vaultClosed...) {
				t.Errorf("%s reaches %s: the server must not be able to open vaults", path, d)
			}
		}
	}
}

func checkJS(t *testing.T, pkgs map[string]*pkg) {
	for path, p := range pkgs {
		if p.Standard {
			continue
		}
		for _, imp := range p.Imports {
			if (imp == "syscall/js" || imp == jsValue) && !under(path, jsImporters...) {
				t.Errorf("%s imports %s: only %v may", path, imp, jsImporters)
			}
		}
	}
}

// coreWasmExcludes are packages core.wasm must not link, and why.
var coreWasmExcludes = map[string]string{
	"net/http":                       "about 7 MB, and start-up doubles",
	"database/sql":                   "the server's, not the core's",
	"encoding/json":                  "reflection JSON is 0.75 MB of core.wasm; the core's codecs are in wasm/jsonwire",
	"log":                            "formatting the console does anyway; the bridge's logLine writes to standard error",
	"os/exec":                        "no processes in a browser",
	"net/url":                        "with net/netip, ~170 KB and an interning init at every start; wasm/weburl splits URLs as it does",
	"net/netip":                      "its init interns through package unique at every start; wasm/weburl reads addresses as it does",
	"watchword/wasm/policy/lists":    "the lists are shipped beside core.wasm and loaded on first use",
	"watchword/wasm/policy/strength": "zxcvbn lives in strength.wasm",
	"golang.org/x/net/idna":          "with its Unicode tables ~250 KB; the browser's URL parser maps host names (bridge.browserHostToASCII)",
	"watchword/wasm/match/goidna":    "x/net/idna for native tests; the extension asks the browser",
	"github.com/ccojocar/zxcvbn-go":  "zxcvbn lives in strength.wasm",
}

// wasmPrograms are the wasm programs coreWasmExcludes apply to, each with a
// package it must reach (so a renamed program cannot pass by linking
// nothing): core.wasm, and kdf.wasm, which every unlock starts before the
// core, so each megabyte it links is waited for.
var wasmPrograms = map[string]string{
	"wasm/cmd/core": "wasm/bridge",
	"wasm/cmd/kdf":  "wasm/bridge/kdfhost",
}

// TestCoreWasmHasNoNetHTTP keeps core.wasm and kdf.wasm small: net/http
// alone adds about 7 MB and doubles the start-up of every service worker.
func TestCoreWasmHasNoNetHTTP(t *testing.T) {
	for prog, reach := range wasmPrograms {
		cmd := exec.Command("go", "list", "-deps", module+"/"+prog)
		cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("go list %s: %v", prog, err)
		}
		deps := strings.Fields(string(out))
		if !slices.Contains(deps, module+"/"+reach) {
			t.Fatalf("%s does not reach %s; is it still that program? deps: %v", prog, reach, deps)
		}
		for bad, why := range coreWasmExcludes {
			if slices.Contains(deps, bad) {
				t.Errorf("%s links %s: %s", prog, bad, why)
			}
		}
		for _, d := range deps {
			if isAdapter(d) {
				t.Errorf("%s links %s, a native adapter (%s)", prog, d, nativeAdapters[d])
			}
		}
	}
}

// coreWasmNeverLinks are functions core.wasm must not reach although its
// packages hold them: the master password is kdf.wasm's alone (package
// kdfhost), so the core links no Argon2id and no NFKC, and a host name is
// mapped by the browser, not by x/net/idna. The linker's dependency dump
// is what it keeps, so a method registered again, or a new caller, fails
// here rather than adding a quarter of a megabyte unseen.
var coreWasmNeverLinks = map[string]string{
	"watchword/wasm/vault.deriveWrappingKey": "the core is never handed a master password",
	"golang.org/x/crypto/argon2.":            "Argon2id runs in kdf.wasm",
	"watchword/wasm/bridge/argon2host.":      "Argon2id runs in kdf.wasm",
	"golang.org/x/text/unicode/norm.Form.":   "NFKC is applied to the master password, in kdf.wasm",
	"golang.org/x/net/idna.":                 "the browser's URL parser maps host names",
}

// formattingNeverLinked are what core.wasm and kdf.wasm must not reach:
// fmt and the reflection it brings were 0.31 MB of core.wasm. The
// modules' messages are joined with + and strconv (package wrap gives
// errors their context), and the bridge reaches JavaScript through
// jsvalue, which formats nothing. encoding/csv's and encoding/hex's error
// types format with fmt: transfer reads CSV itself, held to encoding/csv by
// its tests, and vault decodes ids itself.
var formattingNeverLinked = map[string]string{
	"fmt.":                           "formatting with fmt links 0.31 MB of fmt and reflect",
	"reflect.Value.":                 "formatting with fmt links 0.31 MB of fmt and reflect",
	"encoding/csv.":                  "its errors format with fmt; transfer reads and writes CSV itself",
	"encoding/hex.InvalidByteError.": "it formats with fmt; ids are decoded by vault.parseID",
}

func TestWasmProgramsLinkNoFormatting(t *testing.T) {
	for prog, reach := range map[string]string{
		"wasm/cmd/core": "watchword/wasm/bridge.(*Core).vaultLoad",
		"wasm/cmd/kdf":  "watchword/wasm/bridge/kdfhost.KDFLocal",
	} {
		reached := linked(t, prog)
		if !reached[reach] {
			t.Fatalf("the dependency dump of %s does not reach %s; is it still that program? (%d symbols)", prog, reach, len(reached))
		}
		for sym := range reached {
			for bad, why := range formattingNeverLinked {
				if strings.HasPrefix(sym, bad) {
					t.Errorf("%s links %s: %s", prog, sym, why)
				}
			}
		}
	}
}

func TestCoreWasmLinksNoPasswordDerivation(t *testing.T) {
	reached := linked(t, "wasm/cmd/core")
	if !reached["watchword/wasm/bridge.(*Core).vaultLoad"] {
		t.Fatalf("the dependency dump does not reach bridge.(*Core).vaultLoad; is it still core.wasm's? (%d symbols)", len(reached))
	}
	for sym := range reached {
		for bad, why := range coreWasmNeverLinks {
			if strings.HasPrefix(sym, bad) {
				t.Errorf("core.wasm links %s: %s", sym, why)
			}
		}
	}
}

// linked answers the symbols the linker keeps in the js/wasm build of
// prog, read from its dependency dump.
func linked(t *testing.T, prog string) map[string]bool {
	t.Helper()
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-dumpdep", "-o", os.DevNull, "./"+prog)
	cmd.Dir = "../.."
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	var dump bytes.Buffer
	cmd.Stderr = &dump
	if err := cmd.Run(); err != nil {
		t.Fatalf("go build %s: %v\n%s", prog, err, dump.Bytes())
	}
	reached := map[string]bool{}
	for _, line := range strings.Split(dump.String(), "\n") {
		_, to, ok := strings.Cut(line, " -> ")
		if !ok {
			continue
		}
		sym := strings.Fields(to)[0]
		// Read-only metadata of identical content is one symbol under the
		// name of whichever package the linker saw first: not code.
		if meta := sym[strings.LastIndexByte(sym, '.')+1:]; strings.HasPrefix(meta, "arginfo") || strings.HasPrefix(meta, "argliveinfo") || meta == "stkobj" || meta == "opendefer" {
			continue
		}
		reached[sym] = true
	}
	return reached
}
