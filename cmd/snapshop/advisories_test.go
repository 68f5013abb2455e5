package main

import (
	"bufio"
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/mod/semver"
)

// advisory is one line of testdata/advisories.txt.
type advisory struct {
	Module, Fixed, ID, Source, Why string
	Symbols                        []string // importpath.Name; nil: any use
	Line                           int
}

// TestDependenciesAreFreeOfKnownAdvisories stands in for govulncheck, whose
// database cannot be reached from here: it reads the module graph as the
// build sees it (go list -m all, replacements applied) and fails for every
// module below the first version free of an advisory in
// testdata/advisories.txt. Version alone decides, unless the advisory names
// its symbols, in which case it fails only when Snapshop's own code refers
// to one of them. The Go toolchain's own advisories are not covered: CI
// uses the toolchain it is given.
func TestDependenciesAreFreeOfKnownAdvisories(t *testing.T) {
	advisories := readAdvisories(t, filepath.Join("testdata", "advisories.txt"))
	graph := moduleGraph(t)
	uses := func(sym string) []string { return symbolUses(t, moduleRoot(t), sym) }
	for _, f := range findings(graph, advisories, uses) {
		t.Error(f)
	}
	for _, a := range advisories {
		v, ok := graph[a.Module]
		switch {
		case !ok:
			t.Logf("%s: not in the module graph (advisory %s kept for when it returns)", a.Module, a.ID)
		case semver.Compare(v, a.Fixed) < 0 && a.Symbols != nil:
			t.Logf("%s %s is below %s (%s) but none of its affected symbols is used: %s", a.Module, v, a.Fixed, a.ID, a.Why)
		}
	}
}

// TestAdvisoryCheckFindsVulnerableVersions checks the checker on a made-up
// graph, so that the real test cannot pass by never finding anything.
func TestAdvisoryCheckFindsVulnerableVersions(t *testing.T) {
	advisories := []advisory{
		{Module: "golang.org/x/image", Fixed: "v0.43.0", ID: "GO-A", Why: "a"},
		{Module: "github.com/labstack/echo/v4", Fixed: "v4.16.1", ID: "GO-B", Why: "b", Symbols: []string{"github.com/labstack/echo/v4/middleware.Decompress"}},
		{Module: "github.com/labstack/echo/v4", Fixed: "v4.16.1", ID: "GO-C", Why: "c", Symbols: []string{"github.com/labstack/echo/v4/middleware.BodyDump"}},
		{Module: "golang.org/x/net", Fixed: "v0.61.0", ID: "GO-D", Why: "d"},
	}
	graph := map[string]string{
		"golang.org/x/image":          "v0.42.9",
		"github.com/labstack/echo/v4": "v4.16.0",
		"golang.org/x/net":            "v0.61.0",
	}
	src := map[string]string{"a.go": `package a
import mw "github.com/labstack/echo/v4/middleware"
var _ = mw.Decompress
`}
	dir := t.TempDir()
	for name, body := range src {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	got := findings(graph, advisories, func(sym string) []string { return symbolUses(t, dir, sym) })
	want := []string{"GO-A", "GO-B"}
	if len(got) != len(want) {
		t.Fatalf("findings %q, want %v", got, want)
	}
	for i, id := range want {
		if !strings.Contains(got[i], id) {
			t.Errorf("finding %d is %q, want %s", i, got[i], id)
		}
	}
	if !strings.Contains(got[1], "a.go:3") {
		t.Errorf("finding %q does not say where the symbol is used", got[1])
	}
}

// findings lists the advisories the graph is exposed to, in table order.
func findings(graph map[string]string, advisories []advisory, uses func(string) []string) []string {
	var out []string
	for _, a := range advisories {
		v, ok := graph[a.Module]
		if !ok || semver.Compare(v, a.Fixed) >= 0 {
			continue
		}
		if a.Symbols == nil {
			out = append(out, fmt.Sprintf("%s %s: %s (%s); upgrade to %s or later", a.Module, v, a.ID, a.Why, a.Fixed))
			continue
		}
		var where []string
		for _, s := range a.Symbols {
			where = append(where, uses(s)...)
		}
		if len(where) > 0 {
			out = append(out, fmt.Sprintf("%s %s: %s (%s), reached from %s; upgrade to %s or later", a.Module, v, a.ID, a.Why, strings.Join(where, ", "), a.Fixed))
		}
	}
	return out
}

var advisoryLine = regexp.MustCompile(`^(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(https://\S+)\s+--\s+(.+)$`)

func readAdvisories(t *testing.T, name string) []advisory {
	t.Helper()
	b, err := os.ReadFile(name) // #nosec G304 -- a test's own table
	if err != nil {
		t.Fatal(err)
	}
	var out []advisory
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		m := advisoryLine.FindStringSubmatch(line)
		if m == nil || !semver.IsValid(m[2]) {
			t.Fatalf("%s:%d: want module, fixed version, advisory, symbols, https source, -- why: %q", name, n, line)
		}
		a := advisory{Module: m[1], Fixed: m[2], ID: m[3], Source: m[5], Why: m[6], Line: n}
		if m[4] != "*" {
			a.Symbols = strings.Split(m[4], ",")
		}
		out = append(out, a)
	}
	if len(out) < 10 {
		t.Fatalf("%s: only %d advisories read", name, len(out))
	}
	return out
}

// moduleGraph returns every module of the build list with the version the
// build uses (a replacement's, when replaced).
func moduleGraph(t *testing.T) map[string]string {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), "go", "list", "-m", "-f", "{{.Path}} {{.Version}}{{with .Replace}} {{.Version}}{{end}}", "all")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -m all: %v", err)
	}
	graph := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		switch len(f) {
		case 2:
			graph[f[0]] = f[1]
		case 3:
			graph[f[0]] = f[2]
		}
	}
	if len(graph) < 20 {
		t.Fatalf("go list -m all gave %d modules", len(graph))
	}
	return graph
}

func moduleRoot(t *testing.T) string {
	t.Helper()
	out, err := exec.CommandContext(t.Context(), "go", "list", "-m", "-f", "{{.Dir}}").Output()
	if err != nil {
		t.Fatalf("go list -m: %v", err)
	}
	return strings.TrimSpace(string(out))
}

// symbolUses finds where the non-test Go files under root refer to sym
// ("import/path.Name"), as file:line.
func symbolUses(t *testing.T, root, sym string) []string {
	t.Helper()
	dot := strings.LastIndex(sym, ".")
	pkgPath, name := sym[:dot], sym[dot+1:]
	var where []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || d.Name() == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, p, nil, parser.SkipObjectResolution)
		if err != nil {
			return fmt.Errorf("parse %s: %w", p, err)
		}
		local := ""
		for _, imp := range f.Imports {
			ip, _ := strconv.Unquote(imp.Path.Value)
			if ip != pkgPath {
				continue
			}
			local = defaultName(ip)
			if imp.Name != nil {
				local = imp.Name.Name
			}
		}
		if local == "" {
			return nil
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if sel, ok := n.(*ast.SelectorExpr); ok {
				if x, ok := sel.X.(*ast.Ident); ok && x.Name == local && sel.Sel.Name == name {
					rel, _ := filepath.Rel(root, p)
					where = append(where, fmt.Sprintf("%s:%d", rel, fset.Position(sel.Pos()).Line))
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return where
}

// defaultName is the name an import path is used by without an explicit
// one: its last element, or the one before a major-version suffix.
func defaultName(importPath string) string {
	base := path.Base(importPath)
	if regexp.MustCompile(`^v[0-9]+$`).MatchString(base) {
		base = path.Base(path.Dir(importPath))
	}
	return base
}
