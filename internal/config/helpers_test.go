package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/pubsubctl/pubsubctl/model"
)

// header is a pubsubctl block most test configurations start with.
const header = `pubsubctl {
  project = "p1"
  stack   = "test"
}
`

// writeDir writes files (name -> content) into a fresh directory.
func writeDir(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// noValidate turns model.Validate (and the compilation of schema
// definitions) off for the rest of the test, so that decoding tests can use
// short names such as topic "t" and project "p1" and definitions such as
// "{}".
func noValidate(t testing.TB) {
	t.Helper()
	prev, prevDefs := validateModel, checkDefinitions
	validateModel = func(*model.Config) hcl.Diagnostics { return nil }
	checkDefinitions = false
	t.Cleanup(func() { validateModel, checkDefinitions = prev, prevDefs })
}

// loadSrc loads a single main.hcl.
func loadSrc(t testing.TB, src string, opts Options) (*Result, hcl.Diagnostics) {
	t.Helper()
	opts.Dir = writeDir(t, map[string]string{"main.hcl": src})
	return Load(opts)
}

// mustLoad loads src and fails on any error diagnostic.
func mustLoad(t testing.TB, src string, opts Options) *Result {
	t.Helper()
	res, diags := loadSrc(t, src, opts)
	if diags.HasErrors() {
		t.Fatalf("unexpected diagnostics:\n%s", diagLines(diags))
	}
	if res == nil || res.Config == nil {
		t.Fatal("no config")
	}
	return res
}

// diagLine renders a diagnostic as "main.hcl:3,5: Summary; Detail" with
// the file's base name.
func diagLine(d *hcl.Diagnostic) string {
	pos := "<no subject>"
	if d.Subject != nil {
		pos = fmt.Sprintf("%s:%d,%d", filepath.Base(d.Subject.Filename), d.Subject.Start.Line, d.Subject.Start.Column)
	}
	sev := "error"
	if d.Severity == hcl.DiagWarning {
		sev = "warning"
	}
	return fmt.Sprintf("%s: %s: %s; %s", pos, sev, d.Summary, d.Detail)
}

func diagLines(diags hcl.Diagnostics) string {
	var b strings.Builder
	for _, d := range diags {
		b.WriteString(diagLine(d))
		b.WriteByte('\n')
	}
	return b.String()
}

// wantDiags checks that every want ("main.hcl:3,5: error: Summary; detail
// fragment") is a prefix-and-substring match of some diagnostic, and that
// there are no other errors.
func wantDiags(t testing.TB, diags hcl.Diagnostics, want ...string) {
	t.Helper()
	used := make([]bool, len(diags))
	for _, w := range want {
		head, frag, ok := strings.Cut(w, "; ")
		if !ok {
			head = strings.TrimSuffix(w, ";")
		}
		found := false
		for i, d := range diags {
			line := diagLine(d)
			if !used[i] && strings.HasPrefix(line, head+";") && strings.Contains(line, frag) {
				used[i], found = true, true
				break
			}
		}
		if !found {
			t.Errorf("missing diagnostic %q; got:\n%s", w, diagLines(diags))
		}
	}
	for i, d := range diags {
		if !used[i] && d.Severity == hcl.DiagError {
			t.Errorf("unexpected diagnostic: %s", diagLine(d))
		}
	}
}
