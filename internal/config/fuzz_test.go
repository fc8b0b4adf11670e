package config

import (
	"bytes"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/pubsubctl/pubsubctl/internal/render"
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
	// Every limit, in inputs small enough to be fast: deep nesting of each
	// kind, long operator chains, a string doubled past 1 MiB, huge
	// numbers, a for_each over 10,000 keys, too many iterations, random
	// bytes, a sensitive value in every place.
	for _, seed := range []string{
		header + "locals {\n  x = " + strings.Repeat("(", 150) + "1" + strings.Repeat(")", 150) + "\n}\n",
		header + "locals {\n  x = " + strings.Repeat("[", 1000) + "\n}\n",
		header + "locals {\n  x = " + strings.Repeat("{a = ", 120) + "1" + strings.Repeat("}", 120) + "\n}\n",
		header + "locals {\n  x = " + strings.Repeat(`"${`, 60) + "1" + strings.Repeat(`}"`, 60) + "\n}\n",
		header + "locals {\n  x = <<EOT\n" + strings.Repeat("%{ if true }", 120) + "\nEOT\n}\n",
		header + "locals {\n  x = " + strings.Repeat("1 + ", 1001) + "1\n}\n",
		header + "locals {\n  x = a" + strings.Repeat("[0]", 1001) + "\n}\n",
		header + "locals {\n  x = " + strings.Repeat("!", 1001) + "true\n}\n",
		fuzzDoubling(21),
		header + `locals { n = "x${1e400}" }` + "\n",
		header + "locals {\n  n = [for a in [1e300] : [for b in [a * a] : \"${b}\"]]\n}\n",
		header + `topic "t" {
  for_each = toset(flatten([for a in range(101) : [for b in range(100) : "${a}-${b}"]]))
  name     = "t-${each.key}"
}
`,
		header + "locals {\n  grid = [for a in range(1000) : [for b in range(1000) : b]]\n}\n",
		header + `locals { j = jsondecode("` + strings.Repeat("[", 150) + `") }` + "\n",
		header + `locals { r = replace("aaaa", "/a/", "$0$0$0") }` + "\n",
		string(fuzzRandom(4096)),
		header + `variable "token" {
  type      = string
  sensitive = true
  default   = "S3cretValue"
  validation {
    condition     = length(var.token) > 20
    error_message = "bad ${var.token}"
  }
}
topic "t" {
  for_each = toset([var.token])
  name     = var.token
  labels   = { a = var.token, b = tonumber(var.token) }
}
`,
	} {
		f.Add([]byte(seed))
	}
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
		// The diagnostics printer must cope with every diagnostic (it
		// prints render.MaxDiagnostics per call, so in batches).
		var files map[string]*hcl.File
		if res != nil {
			files = res.Files
		}
		var buf bytes.Buffer
		for i := 0; i < len(diags); i += render.MaxDiagnostics {
			buf.Reset()
			if err := render.Diagnostics(&buf, files, diags[i:min(i+render.MaxDiagnostics, len(diags))], render.Options{}); err != nil {
				t.Fatal(err)
			}
		}
		if CheckSource(src, name) == nil {
			_ = Format(src)
		}
	})
}

// fuzzDoubling is a configuration whose locals double a string n times.
func fuzzDoubling(n int) string {
	var b strings.Builder
	b.WriteString(header + "locals {\n  l0 = \"xx\"\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "  l%d = \"${local.l%d}${local.l%d}\"\n", i, i-1, i-1)
	}
	fmt.Fprintf(&b, "}\ntopic \"t\" {\n  labels = { a = local.l%d }\n}\n", n)
	return b.String()
}

// fuzzRandom is n reproducible random bytes.
func fuzzRandom(n int) []byte {
	b := make([]byte, n)
	rand.New(rand.NewSource(64)).Read(b)
	return b
}
