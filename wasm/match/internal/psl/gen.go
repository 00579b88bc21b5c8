//go:build ignore

// gen.go writes ../../suffixes/public_suffix_list.txt.gz from the table compiled into the version of
// golang.org/x/net/publicsuffix that go.mod requires. It decodes that table's
// documented layout (see publicsuffix/table.go: 40-bit nodes, 32-bit children
// entries) and fails loudly if the layout constants change.
package main

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

func main() {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "golang.org/x/net").Output()
	if err != nil {
		log.Fatalf("locate golang.org/x/net: %v", err)
	}
	dir := filepath.Join(strings.TrimSpace(string(out)), "publicsuffix")
	table := must(os.ReadFile(filepath.Join(dir, "table.go")))
	want := map[string]int{
		"nodesBits": 40, "nodesBitsChildren": 10, "nodesBitsICANN": 1, "nodesBitsTextOffset": 16,
		"nodesBitsTextLength": 6, "childrenBitsWildcard": 1, "childrenBitsNodeType": 2,
		"childrenBitsHi": 14, "childrenBitsLo": 14,
	}
	for name, v := range want {
		if got := constant(table, name); got != v {
			log.Fatalf("x/net/publicsuffix layout changed: %s = %d, this generator knows %d", name, got, v)
		}
	}
	numTLD := constant(table, "numTLD")
	version := regexp.MustCompile(`const version = "([^"]*)"`).FindSubmatch(table)
	if version == nil {
		log.Fatal("x/net/publicsuffix: no version constant")
	}
	text := string(must(os.ReadFile(filepath.Join(dir, "data", "text"))))
	nodes := must(os.ReadFile(filepath.Join(dir, "data", "nodes")))
	children := must(os.ReadFile(filepath.Join(dir, "data", "children")))

	node := func(i uint32) (label string, icann bool, child uint32) {
		b := nodes[i*5:]
		x := uint64(b[4]) | uint64(b[3])<<8 | uint64(b[2])<<16 | uint64(b[1])<<24 | uint64(b[0])<<32
		length, offset := x&(1<<6-1), (x>>6)&(1<<16-1)
		x >>= 22
		return text[offset : offset+length], x&1 != 0, uint32(x>>1) & (1<<10 - 1)
	}
	child := func(i uint32) (wildcard bool, typ, hi, lo uint32) {
		b := children[i*4:]
		u := uint32(b[3]) | uint32(b[2])<<8 | uint32(b[1])<<16 | uint32(b[0])<<24
		return (u>>30)&1 != 0, (u >> 28) & 3, (u >> 14) & (1<<14 - 1), u & (1<<14 - 1)
	}

	var icannRules, privateRules []string
	var walk func(lo, hi uint32, suffix string)
	walk = func(lo, hi uint32, suffix string) {
		for i := lo; i < hi; i++ {
			label, icann, ci := node(i)
			name := label
			if suffix != "" {
				name += "." + suffix
			}
			wildcard, typ, chi, clo := child(ci)
			add := func(r string) {
				if icann {
					icannRules = append(icannRules, r)
				} else {
					privateRules = append(privateRules, r)
				}
			}
			switch typ {
			case 0: // normal
				add(name)
			case 1: // exception
				add("!" + name)
			case 2: // parent only: not a rule itself
			default:
				log.Fatalf("unknown node type %d at %s", typ, name)
			}
			if wildcard {
				add("*." + name)
			}
			walk(clo, chi, name)
		}
	}
	walk(0, uint32(numTLD), "")
	slices.Sort(icannRules)
	slices.Sort(privateRules)

	var buf bytes.Buffer
	fmt.Fprintf(&buf, "// %s\n// Decoded from golang.org/x/net/publicsuffix by gen.go. DO NOT EDIT.\n", version[1])
	buf.WriteString("// ===BEGIN ICANN DOMAINS===\n")
	buf.WriteString(strings.Join(icannRules, "\n"))
	buf.WriteString("\n// ===END ICANN DOMAINS===\n// ===BEGIN PRIVATE DOMAINS===\n")
	buf.WriteString(strings.Join(privateRules, "\n"))
	buf.WriteString("\n// ===END PRIVATE DOMAINS===\n")

	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	zw.Write(buf.Bytes())
	if err := zw.Close(); err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile("../../suffixes/public_suffix_list.txt.gz", gz.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
	log.Printf("wrote %d ICANN and %d private rules (%d bytes gzipped)", len(icannRules), len(privateRules), gz.Len())
}

func constant(src []byte, name string) int {
	m := regexp.MustCompile(`(?m)^\s*(?:const\s+)?` + name + `\s*=\s*(\d+)`).FindSubmatch(src)
	if m == nil {
		log.Fatalf("x/net/publicsuffix: constant %s not found", name)
	}
	n, _ := strconv.Atoi(string(m[1]))
	return n
}

func must[T any](v T, err error) T {
	if err != nil {
		log.Fatal(err)
	}
	return v
}
