package report

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/logindoctor/logindoctor/checks/builtin"
)

// codeShape is what a reason code looks like in the checks' source: an
// upper-case AREA_WHAT string of one of the checklist's areas.
var codeShape = regexp.MustCompile(`^(CLOCK|DEVICE|DNS|PROXY|PAC|NET|TLS|HTTP|ACCOUNT|BROWSER|POLICY)_[A-Z0-9_]+$`)

// TestEveryCodeInTheChecksIsListed fails when a check can emit a code (a
// string constant shaped like one, anywhere under checks/) that the public
// code list — and so the catalogs and the README — does not have.
func TestEveryCodeInTheChecksIsListed(t *testing.T) {
	found := 0
	err := filepath.WalkDir("../checks", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		for _, code := range codeConstants(t, path) {
			found++
			if !IsReasonCode(code) {
				t.Errorf("%s declares %s, which is not in ReasonCodes (report/codes.go)", path, code)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if found < 40 {
		t.Fatalf("found only %d code constants under checks/: the scan is broken", found)
	}
}

// codeConstants returns the string constants of one Go file that look like
// reason codes.
func codeConstants(t *testing.T, path string) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	ast.Inspect(f, func(n ast.Node) bool {
		gd, ok := n.(*ast.GenDecl)
		if !ok || gd.Tok != token.CONST {
			return true
		}
		for _, spec := range gd.Specs {
			for _, v := range spec.(*ast.ValueSpec).Values {
				lit, ok := v.(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					continue
				}
				if s, err := strconv.Unquote(lit.Value); err == nil && codeShape.MatchString(s) {
					codes = append(codes, s)
				}
			}
		}
		return false
	})
	return codes
}

// TestCodeRowsAreTheBuiltinChecks keeps the code list's rows and the
// registry in step: every built-in check has a row, every row a check.
func TestCodeRowsAreTheBuiltinChecks(t *testing.T) {
	reg, err := builtin.Registry()
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]bool{}
	for _, row := range ReasonCodes() {
		rows[row.Check] = true
		if row.Check != AnyCheck && !reg.Has(row.Check) {
			t.Errorf("ReasonCodes has a row for %q, which is no built-in check", row.Check)
		}
	}
	for _, id := range reg.IDs() {
		if !rows[id] {
			t.Errorf("built-in check %s has no row in ReasonCodes", id)
		}
	}
}

// TestREADMEListsEveryCheck: the README's reason-code table names every
// built-in check, so a new check cannot land undocumented.
func TestREADMEListsEveryCheck(t *testing.T) {
	data, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	reg, err := builtin.Registry()
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range reg.IDs() {
		if !strings.Contains(string(data), "| `"+id+"` |") {
			t.Errorf("README.md's reason-code table has no row for %s", id)
		}
	}
}
