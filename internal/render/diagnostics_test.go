package render

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/pubsubctl/pubsubctl/internal/config"
	"github.com/pubsubctl/pubsubctl/model"
)

// TestDiagnosticsLikeHCL checks that Diagnostics writes what HCL's own
// writer writes (plus the one-line header), for every golden diagnostics
// case: the linear-time writer must not change the output.
func TestDiagnosticsLikeHCL(t *testing.T) {
	root := filepath.Join("..", "config", "testdata", "diagnostics")
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	compared := 0
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		res, diags := config.Load(config.Options{Dir: filepath.Join(root, e.Name())})
		if len(diags) == 0 || len(diags) > MaxDiagnostics {
			continue
		}
		var files map[string]*hcl.File
		if res != nil {
			files = res.Files
		}
		for _, color := range []bool{false, true} {
			var got, want bytes.Buffer
			if err := Diagnostics(&got, files, diags, Options{Color: color}); err != nil {
				t.Fatal(err)
			}
			for _, d := range diags {
				want.WriteString(likeHCL(t, files, d, color))
			}
			if strings.Contains(got.String(), "…") {
				continue // cut on purpose
			}
			if got.String() != want.String() {
				t.Errorf("%s (color %v): output differs from HCL's writer\n--- got\n%s\n--- want\n%s", e.Name(), color, got.String(), want.String())
			}
		}
		compared++
	}
	if compared < 50 {
		t.Fatalf("compared only %d cases", compared)
	}
}

// likeHCL is what Diagnostics writes for d, made with HCL's own writer:
// the one-line form, then HCL's block less its "Error: SUMMARY" header
// (the one-line form says that once).
func likeHCL(t *testing.T, files map[string]*hcl.File, d *hcl.Diagnostic, color bool) string {
	t.Helper()
	var block bytes.Buffer
	if err := hcl.NewDiagnosticTextWriter(&block, files, 0, color).WriteDiagnostic(d); err != nil {
		t.Fatal(err)
	}
	line := DiagnosticLine(d)
	if color {
		line = colorSeverity(line, d.Severity)
	}
	_, rest, _ := strings.Cut(block.String(), "\n")
	return line + "\n" + rest
}

// TestDiagnosticsMultiLineAndContext covers snippets over several lines,
// context ranges, CRLF line ends and a subject at the end of the file.
func TestDiagnosticsMultiLineAndContext(t *testing.T) {
	src := []byte("a = 1\r\nb = [\r\n  1,\r\n  2,\r\n]\r\n\r\nc = 3")
	f, ds := hclsyntax.ParseConfig(src, "x.hcl", hcl.InitialPos)
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	files := map[string]*hcl.File{"x.hcl": f}
	rng := func(s, e int) *hcl.Range {
		return &hcl.Range{Filename: "x.hcl", Start: hcl.Pos{Byte: s, Line: 1, Column: 1}, End: hcl.Pos{Byte: e, Line: 1, Column: 1}}
	}
	var diags hcl.Diagnostics
	for _, r := range [][4]int{{0, 1, -1, -1}, {11, 30, -1, -1}, {14, 15, 7, 30}, {6, 7, -1, -1}, {31, 32, -1, -1}, {len(src) - 1, len(src), -1, -1}, {len(src), len(src), -1, -1}} {
		d := &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "S", Detail: "D", Subject: rng(r[0], r[1])}
		if r[2] >= 0 {
			d.Context = rng(r[2], r[3])
		}
		diags = append(diags, d)
	}
	var got, want bytes.Buffer
	if err := Diagnostics(&got, files, diags, Options{}); err != nil {
		t.Fatal(err)
	}
	for _, d := range diags {
		want.WriteString(likeHCL(t, files, d, false))
	}
	if got.String() != want.String() {
		t.Errorf("--- got\n%s\n--- want\n%s", got.String(), want.String())
	}
}

// TestDiagnosticsBounded: at most MaxDiagnostics are written, quoted
// values and long lines are cut, and thousands of diagnostics on a large
// file take linear time.
func TestDiagnosticsBounded(t *testing.T) {
	long := strings.Repeat("x", 1<<20)
	src := []byte("topic \"t\" {\n  labels = { a = \"" + long + "\" }\n}\n" + strings.Repeat("# filler line\n", 20000))
	f, _ := hclsyntax.ParseConfig(src, "big.hcl", hcl.InitialPos)
	files := map[string]*hcl.File{"big.hcl": f}
	var diags hcl.Diagnostics
	detail := fmt.Sprintf("The value %q of label %q is not valid.", long, "a")
	for i := 0; i < 5000; i++ {
		off := 12 + 17 // inside the long value
		if i%2 == 1 {
			off = len(src) - 5
		}
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid label value",
			Detail:   detail,
			Subject:  &hcl.Range{Filename: "big.hcl", Start: hcl.Pos{Byte: off, Line: 2, Column: off - 11}, End: hcl.Pos{Byte: off + 10, Line: 2, Column: off - 1}},
		})
	}
	diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagWarning, Summary: "W"})
	var out bytes.Buffer
	start := time.Now()
	if err := Diagnostics(&out, files, diags, Options{}); err != nil {
		t.Fatal(err)
	}
	t.Logf("5001 diagnostics on a %d-byte file: %v, %d bytes of output", len(src), time.Since(start), out.Len())
	s := out.String()
	if n := strings.Count(s, "error: Invalid label value"); n != MaxDiagnostics {
		t.Errorf("%d diagnostics written, want %d", n, MaxDiagnostics)
	}
	if !strings.Contains(s, "... and 4900 more errors and 1 more warning not shown") {
		t.Errorf("no closing count line:\n%s", s[len(s)-300:])
	}
	if !strings.Contains(s, `"…(1048376 more characters)`) {
		t.Errorf("quoted value not cut:\n%.600s", s)
	}
	if out.Len() > 200*MaxDiagnostics*10 {
		t.Errorf("%d bytes of output for %d diagnostics", out.Len(), MaxDiagnostics)
	}
}

func TestCutQuoted(t *testing.T) {
	long := strings.Repeat("é", 250)
	for _, tc := range []struct{ in, want string }{
		{`short "value" here`, `short "value" here`},
		{`a "` + long + `" b "c"`, `a "` + strings.Repeat("é", 200) + `"…(50 more characters) b "c"`},
		{`esc "` + strings.Repeat(`\"`, 201) + `" end`, `esc "` + strings.Repeat(`\"`, 200) + `"…(1 more characters) end`},
		{`unbalanced "` + long, `unbalanced "` + long},
	} {
		if got := CutQuoted(tc.in); got != tc.want {
			t.Errorf("CutQuoted(%.40q...) = %.300q, want %.300q", tc.in, got, tc.want)
		}
	}
}

// groupWarning is a "Dead-lettering disabled" warning about subscription
// name, declared on line n of main.hcl, as model.Validate makes it.
func groupWarning(name string, n int) *hcl.Diagnostic {
	res := "subscription." + name
	return &hcl.Diagnostic{
		Severity: hcl.DiagWarning,
		Summary:  "Dead-lettering disabled",
		Detail:   res + " has no dead-letter topic. Name " + res + " again.",
		Subject:  &hcl.Range{Filename: "main.hcl", Start: hcl.Pos{Line: n, Column: 3, Byte: 0}, End: hcl.Pos{Line: n, Column: 5, Byte: 2}},
		Extra:    &model.ResourceDiagnostic{Kind: model.KindSubscription, Resource: res},
	}
}

// TestDiagnosticsGroupsWarnings: the same warning about many resources is
// written once, with the count and the first three resources (all of them
// with Verbose); errors, and warnings that differ in more than the
// resource, are not grouped; the 100-diagnostic cap counts a group once.
func TestDiagnosticsGroupsWarnings(t *testing.T) {
	var diags hcl.Diagnostics
	for i := range 1000 {
		diags = append(diags, groupWarning(fmt.Sprintf("s%04d", i), i+1))
		if i == 1 {
			// An error about a resource in between, twice: never grouped.
			for range 2 {
				e := groupWarning("s0001", 2)
				e.Severity = hcl.DiagError
				diags = append(diags, e)
			}
		}
	}
	other := groupWarning("x", 2000)
	other.Detail = "subscription.x has something else."
	diags = append(diags, other)
	render := func(verbose bool) string {
		var out bytes.Buffer
		if err := Diagnostics(&out, nil, diags, Options{Verbose: verbose}); err != nil {
			t.Fatal(err)
		}
		return out.String()
	}
	s := render(false)
	if s != render(false) {
		t.Fatal("output differs between two runs")
	}
	for _, want := range []string{
		"main.hcl:1,3: warning: Dead-lettering disabled (1,000 subscriptions)\n",
		"subscription.s0000 has no dead-letter topic. Name subscription.s0000 again.\n",
		"The same warning applies to 1,000 subscriptions: subscription.s0000, subscription.s0001, subscription.s0002 ... and 997 more subscriptions; -v lists them all.\n",
		"main.hcl:2000,3: warning: Dead-lettering disabled\n",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %q:\n%s", want, s)
		}
	}
	if n := strings.Count(s, "warning: "); n != 2 {
		t.Errorf("%d warnings written, want 2 (the group and the different one):\n%s", n, s)
	}
	if n := strings.Count(s, "error: "); n != 2 {
		t.Errorf("%d errors written, want 2:\n%s", n, s)
	}
	if strings.Contains(s, "s0003") {
		t.Errorf("the fourth resource is listed without -v:\n%s", s)
	}
	if strings.Index(s, "error: ") < strings.Index(s, "(1,000 subscriptions)") {
		t.Errorf("the group is not where its first warning was:\n%s", s)
	}

	v := render(true)
	for _, want := range []string{
		"The same warning applies to 1,000 subscriptions:\n  subscription.s0000 (main.hcl:1,3)\n  subscription.s0001 (main.hcl:2,3)\n",
		"  subscription.s0999 (main.hcl:1000,3)\n\n",
	} {
		if !strings.Contains(v, want) {
			t.Errorf("verbose output lacks %q", want)
		}
	}
	if n := strings.Count(v, "subscription.s"); n != 1000+2+2*2 {
		t.Errorf("verbose output names resources %d times, want 1,006 (all; the first in its detail twice; the errors' details)", n)
	}

	// Warnings about the same place (a for_each instance, a value from the
	// defaults block) are listed without their position; a small group is
	// listed whole.
	var same hcl.Diagnostics
	for _, name := range []string{`s["a"]`, `s["b"]`} {
		d := groupWarning(name, 7)
		same = append(same, d)
	}
	var out bytes.Buffer
	if err := Diagnostics(&out, nil, same, Options{}); err != nil {
		t.Fatal(err)
	}
	if want := "The same warning applies to 2 subscriptions: subscription.s[\"a\"] and subscription.s[\"b\"].\n"; !strings.Contains(out.String(), want) {
		t.Errorf("output lacks %q:\n%s", want, out.String())
	}
	out.Reset()
	if err := Diagnostics(&out, nil, same, Options{Verbose: true}); err != nil {
		t.Fatal(err)
	}
	if want := "The same warning applies to 2 subscriptions:\n  subscription.s[\"a\"]\n  subscription.s[\"b\"]\n\n"; !strings.Contains(out.String(), want) {
		t.Errorf("verbose output lacks %q:\n%s", want, out.String())
	}
}

// TestDiagnosticsGroupsCapped: a group counts as one of the MaxDiagnostics
// written, and the closing line counts the warnings of the groups not
// shown.
func TestDiagnosticsGroupsCapped(t *testing.T) {
	var diags hcl.Diagnostics
	for i := range MaxDiagnostics + 5 {
		// Each summary its own group of three.
		for j := range 3 {
			d := groupWarning(fmt.Sprintf("s%d-%d", i, j), i+1)
			d.Summary = fmt.Sprintf("Warning %d", i)
			diags = append(diags, d)
		}
	}
	var out bytes.Buffer
	if err := Diagnostics(&out, nil, diags, Options{}); err != nil {
		t.Fatal(err)
	}
	s := out.String()
	if n := strings.Count(s, "(3 subscriptions)"); n != MaxDiagnostics {
		t.Errorf("%d groups written, want %d", n, MaxDiagnostics)
	}
	if want := "... and 15 more warnings not shown (only the first 100 diagnostics are written).\n"; !strings.Contains(s, want) {
		t.Errorf("output lacks %q:\n%s", want, s[len(s)-300:])
	}
}
