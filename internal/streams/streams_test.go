package streams

import (
	"go/ast"
	"go/constant"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// stream is one declared stream and the consecutive values it spans.
type stream struct {
	name        string
	first, span uint64
}

// declared type-checks streams.go and returns every constant it declares
// but Classes, with its span.
func declared(t *testing.T) []stream {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "streams.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	pkg, err := (&types.Config{Importer: importer.Default()}).Check("streams", fset, []*ast.File{f}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var out []stream
	for _, name := range pkg.Scope().Names() {
		c, ok := pkg.Scope().Lookup(name).(*types.Const)
		if !ok || name == "Classes" {
			continue
		}
		v, exact := constant.Uint64Val(c.Val())
		if !exact {
			t.Fatalf("%s = %v is not a uint64", name, c.Val())
		}
		s := stream{name: name, first: v, span: 1}
		if n, ok := spans[name]; ok {
			s.span = n
		}
		out = append(out, s)
	}
	return out
}

// TestDistinct checks that no two streams share a value, counting every
// value a per-class stream spans.
func TestDistinct(t *testing.T) {
	all := declared(t)
	if len(all) < 20 {
		t.Fatalf("found %d streams in streams.go, want every one of them", len(all))
	}
	for name := range spans {
		found := false
		for _, s := range all {
			found = found || s.name == name
		}
		if !found {
			t.Errorf("spans names %s, which is not a stream", name)
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].first < all[j].first })
	for i := 1; i < len(all); i++ {
		a, b := all[i-1], all[i]
		if a.first+a.span > b.first {
			t.Errorf("streams %s (%#x, %d values) and %s (%#x) overlap", a.name, a.first, a.span, b.name, b.first)
		}
	}
}

// TestOnlyHere checks that no file of the flows, their data, studies and
// command seeds a generator with a stream written as a number: every
// stream comes from this package. Tests may draw from streams of their
// own; the kernels' benchmarks draw their operands as they please.
func TestOnlyHere(t *testing.T) {
	root := filepath.Join("..", "..")
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("module root not found from %s: %v", root, err)
	}
	calls := 0
	walk := func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) != 2 {
				return true
			}
			if sel, ok := call.Fun.(*ast.SelectorExpr); !ok || sel.Sel.Name != "NewPCG" {
				return true
			}
			calls++
			ast.Inspect(call.Args[1], func(m ast.Node) bool {
				if lit, ok := m.(*ast.BasicLit); ok {
					t.Errorf("%s: a generator's stream is written as the number %s; declare it in internal/streams", fset.Position(lit.Pos()), lit.Value)
				}
				return true
			})
			return true
		})
		return nil
	}
	for _, dir := range []string{"cnf", "cmd", "internal"} {
		if err := filepath.WalkDir(filepath.Join(root, dir), walk); err != nil {
			t.Fatal(err)
		}
	}
	if calls < 10 {
		t.Errorf("found %d calls of NewPCG in the module, fewer than the code makes", calls)
	}
}
