//go:build !js

package policy

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestImports keeps the core-package rule: no JavaScript, network, file or
// database access, so the package builds for the browser and the server
// alike. (Native only: it reads the source files.)
func TestImports(t *testing.T) {
	forbidden := map[string]bool{"syscall/js": true, "net/http": true, "os": true, "database/sql": true}
	for _, dir := range []string{".", "strength"} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil || len(files) == 0 {
			t.Fatalf("no Go files in %s: %v", dir, err)
		}
		for _, name := range files {
			if strings.HasSuffix(name, "_test.go") {
				continue
			}
			src, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			f, err := parser.ParseFile(token.NewFileSet(), name, src, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for _, imp := range f.Imports {
				path, _ := strconv.Unquote(imp.Path.Value)
				if forbidden[path] {
					t.Errorf("%s imports %s", name, path)
				}
			}
		}
	}
}
