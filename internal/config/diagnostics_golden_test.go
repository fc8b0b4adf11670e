package config_test

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/pubsubctl/pubsubctl/internal/config"
)

var updateDiagnostics = flag.Bool("update", false, "rewrite testdata/diagnostics/*/want.txt from the current output")

// TestDiagnosticsGolden loads every testdata/diagnostics/<case> directory
// and compares its diagnostics, one "file:line,col: severity: summary" line
// each, with the case's want.txt. Each case is a small configuration that is
// valid except for the one rule it breaks (ok_* cases are fully valid and
// want no diagnostics). Run with -update to rewrite want.txt, then review
// every changed position by eye.
func TestDiagnosticsGolden(t *testing.T) {
	root := filepath.Join("testdata", "diagnostics")
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		n++
		dir := filepath.Join(root, e.Name())
		t.Run(e.Name(), func(t *testing.T) {
			_, diags := config.Load(config.Options{Dir: dir})
			got := formatDiagnostics(t, dir, diags)
			wantFile := filepath.Join(dir, "want.txt")
			if *updateDiagnostics {
				if err := os.WriteFile(wantFile, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(wantFile)
			if err != nil {
				t.Fatalf("%v (run go test -run TestDiagnosticsGolden -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("diagnostics differ\n--- got\n%s--- want\n%s\nfull diagnostics:\n%s", got, want, details(diags))
			}
		})
	}
	if n == 0 {
		t.Fatalf("no cases in %s", root)
	}
}

func formatDiagnostics(t *testing.T, dir string, diags hcl.Diagnostics) string {
	var b strings.Builder
	for _, d := range diags {
		sev := "error"
		if d.Severity == hcl.DiagWarning {
			sev = "warning"
		}
		pos := "-"
		if s := d.Subject; s != nil {
			file := s.Filename
			if rel, err := filepath.Rel(dir, file); err == nil && !strings.HasPrefix(rel, "..") {
				file = rel
			}
			pos = fmt.Sprintf("%s:%d,%d", filepath.ToSlash(file), s.Start.Line, s.Start.Column)
		}
		fmt.Fprintf(&b, "%s: %s: %s\n", pos, sev, d.Summary)
	}
	return b.String()
}

func details(diags hcl.Diagnostics) string {
	var b strings.Builder
	for _, d := range diags {
		fmt.Fprintf(&b, "  %s\n", d.Error())
		if d.Detail != "" {
			fmt.Fprintf(&b, "    %s\n", d.Detail)
		}
	}
	return b.String()
}
