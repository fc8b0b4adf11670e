package config

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/hashicorp/hcl/v2"
)

// FuzzLoad loads arbitrary bytes as main.hcl: Load must never panic (a
// recovered panic shows up as an internal-error diagnostic), and every
// diagnostic about main.hcl must point inside it.
func FuzzLoad(f *testing.F) {
	for _, dir := range exampleDirs(f) {
		src, err := os.ReadFile(filepath.Join(dir, "main.hcl"))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(src)
	}
	for _, file := range exampleFiles(f) {
		src, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(src)
	}
	f.Add([]byte(header + `topic "t" { for_each = toset(["a"]) name = "t-${each.key}" }`))
	f.Add([]byte(header + `locals { a = local.b
b = local.a }`))
	f.Add([]byte(header + `subscription "s" { topic = topic.x dead_letter = true retry_policy { minimum_backoff = 5 } }`))
	f.Add([]byte(header + `variable "v" { type = list(string) validation { condition = length(var.v) > 0 error_message = "x" } }`))
	f.Add([]byte("pubsubctl {\n"))
	// One directory per process: the fuzz function runs sequentially within
	// a worker, and a fresh TempDir per input would dominate the run time.
	dir := f.TempDir()
	name := filepath.Join(dir, "main.hcl")
	f.Fuzz(func(t *testing.T, src []byte) {
		if err := os.WriteFile(name, src, 0o644); err != nil {
			t.Fatal(err)
		}
		res, diags := Load(Options{Dir: dir, Project: "fuzz-project", Vars: map[string]string{}})
		lines := bytes.Count(src, []byte("\n")) + 1
		for _, d := range diags {
			if d.Summary == internalErrorText {
				t.Fatalf("panic: %s", d.Detail)
			}
			if d.Subject == nil {
				t.Fatalf("diagnostic without subject: %s", diagLine(d))
			}
			if d.Subject.Filename != name {
				continue
			}
			s := d.Subject
			if s.Start.Line < 1 || s.End.Line < s.Start.Line || s.End.Line > lines {
				t.Fatalf("subject %v outside the file's %d lines: %s", s, lines, diagLine(d))
			}
			if s.Start.Byte < 0 || s.End.Byte > len(src) || s.Start.Byte > s.End.Byte {
				t.Fatalf("subject bytes %d-%d outside the file's %d bytes: %s", s.Start.Byte, s.End.Byte, len(src), diagLine(d))
			}
		}
		if res != nil && len(diags) <= 20 {
			// The snippet printer must cope with every diagnostic. (It is
			// quadratic in the number of diagnostics, so it is skipped for
			// inputs that produce thousands, which only shows hcl's cost.)
			var buf bytes.Buffer
			_ = hcl.NewDiagnosticTextWriter(&buf, res.Files, 80, false).WriteDiagnostics(diags)
		}
		_ = Format(src)
	})
}
