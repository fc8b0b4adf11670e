package config

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

func TestScanSource(t *testing.T) {
	deep := func(open, close string, n int) string {
		return strings.Repeat(open, n) + "1" + strings.Repeat(close, n)
	}
	tests := []struct {
		name, src string
		want      string // "" = accepted, else the summary and "@line,col"
	}{
		{"100 parentheses", "x = " + deep("(", ")", 100), ""},
		{"101 parentheses", "x = " + deep("(", ")", 101), "Nesting too deep@1,105"},
		{"101 brackets", "x = " + deep("[", "]", 101), "Nesting too deep@1,105"},
		{"unclosed brackets", "x = " + strings.Repeat("[", 1000), "Nesting too deep@1,105"},
		{"brackets in a string", `x = "` + strings.Repeat("(", 500) + `"`, ""},
		{"brackets in comments", "# " + strings.Repeat("(", 500) + "\n// " + strings.Repeat("[", 500) + "\n/* " + strings.Repeat("{", 500) + " */\nx = 1", ""},
		{"brackets in a heredoc", "x = <<EOT\n" + strings.Repeat("(", 500) + "\n  EOT\ny = 1\n", ""},
		{"escaped template", `x = "` + strings.Repeat("$${", 500) + `"`, ""},
		{"nested templates", "x = " + strings.Repeat(`"${`, 51) + "1" + strings.Repeat(`}"`, 51), "Nesting too deep@1,155"},
		{"nested directives", "x = <<EOT\n" + strings.Repeat("%{ if true }", 101) + "\nEOT\n", "Nesting too deep@2,1"},
		{"closed directives do not add up", "x = <<EOT\n" + strings.Repeat("%{ if true }a%{ endif }", 500) + "\nEOT\n", ""},
		{"interpolation in a heredoc", "x = <<-EOT\n  ${" + deep("(", ")", 100) + "}\n  EOT\n", "Nesting too deep@2,"},
		{"1000 operators", "x = " + strings.Repeat("1 + ", 1000) + "1", ""},
		{"1001 operators", "x = " + strings.Repeat("1 + ", 1001) + "1", "Expression too long@1,4007"},
		{"operators in separate items", "x = [" + strings.Repeat("1 + 1, ", 2000) + "]", ""},
		{"operators on separate lines", strings.Repeat("x = 1 + 1\n", 2000), ""},
		{"unary chain", "x = " + strings.Repeat("!", 1001) + "true", "Expression too long@1,"},
		{"index chain", "x = a" + strings.Repeat("[b]", 1001), "Expression too long@1,"},
		{"dashes in names are not operators", "x = a" + strings.Repeat("-b", 2000), ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, d := scanSource([]byte(tc.src), "f.hcl", hcl.InitialPos, scanHCL, MaxFileTokens)
			got := ""
			if d != nil {
				got = fmt.Sprintf("%s@%d,%d", d.Summary, d.Subject.Start.Line, d.Subject.Start.Column)
			}
			if tc.want == "" && got != "" || tc.want != "" && !strings.HasPrefix(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
			if d == nil {
				// Accepted text parses (without running out of stack).
				hclsyntax.ParseConfig([]byte(tc.src), "f.hcl", hcl.InitialPos)
			}
		})
	}
	t.Run("json", func(t *testing.T) {
		_, d := scanSource([]byte(`{"a": "[[[[[[", "b": `+deep("[", "]", 100)+`}`), "f.json", hcl.InitialPos, scanJSON, MaxFileTokens)
		if d == nil || d.Summary != "Nesting too deep" {
			t.Errorf("got %v", d)
		}
		_, d = scanSource([]byte(`{"a": "[[[[[[`+strings.Repeat("[", 500)+`"}`), "f.json", hcl.InitialPos, scanJSON, MaxFileTokens)
		if d != nil {
			t.Errorf("brackets in a JSON string: %v", d)
		}
	})
	t.Run("tokens", func(t *testing.T) {
		src := "x = [" + strings.Repeat("1,", 150) + "]"
		n, d := scanSource([]byte(src), "f.hcl", hcl.InitialPos, scanHCL, 100)
		if d == nil || d.Summary != "Too many tokens" {
			t.Errorf("got %d tokens, %v", n, d)
		}
		// The estimate is at least what the HCL lexer produces.
		for _, src := range []string{src, precedenceSrc, header + `topic "t" { labels = { a = "x${1}y" } }` + "\n# c\nx = <<EOT\na\nb\nEOT\n"} {
			n, _ := scanSource([]byte(src), "f.hcl", hcl.InitialPos, scanHCL, 1<<30)
			toks := lexCount(src)
			if n < toks {
				t.Errorf("estimated %d tokens, the lexer has %d: %.60q", n, toks, src)
			}
		}
	})
}

// TestLimitsDiagnostics: each limit is an ordinary error at the place that
// goes over it.
func TestLimitsDiagnostics(t *testing.T) {
	noValidate(t)
	doubling := func(n int) string {
		var b strings.Builder
		b.WriteString(header + "locals {\n  l0 = \"xx\"\n")
		for i := 1; i <= n; i++ {
			fmt.Fprintf(&b, "  l%d = \"${local.l%d}${local.l%d}\"\n", i, i-1, i-1)
		}
		fmt.Fprintf(&b, "}\ntopic \"t\" { labels = { a = local.l%d } }\n", n)
		return b.String()
	}
	big := strings.Repeat("x", 1<<19) // half the string limit
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{"string doubling", doubling(23), []string{`main.hcl:26,24: error: String too long; This template builds a string longer than 1 MiB`}},
		{"doubling within the limit", doubling(18), nil},
		{"join", header + `locals {
  b = "` + big + `"
  j = join("", [local.b, local.b, local.b])
}`, []string{`main.hcl:7,7: error: String too long; The result of join would be longer than 1 MiB`}},
		{"replace", header + `locals { r = replace("aaaaaaaaaa", "a", "` + big + `") }`, []string{`main.hcl:5,14: error: String too long; The result of replace would be longer than 1 MiB`}},
		{"regular expression replace", header + `locals { r = replace("` + strings.Repeat("a", 2000) + `", "/a/", "$0$0` + strings.Repeat("b", 600) + `") }`, []string{`main.hcl:5,14: error: String too long; The result of replace would be longer`}},
		{"format", header + `locals { f = format("%s%s%s", "` + big + `", "` + big + `", "x") }`, []string{`main.hcl:5,14: error: String too long; The result of format would be longer`}},
		{"format widths", header + `locals { f = format("` + strings.Repeat("%9999d", 200) + `", ` + strings.TrimSuffix(strings.Repeat("1, ", 200), ", ") + `) }`, []string{`main.hcl:5,14: error: String too long; The result of format would be longer`}},
		{"jsonencode", header + `locals { j = jsonencode(["` + big + `", "` + big + `"]) }`, []string{`main.hcl:5,14: error: String too long; The result of jsonencode would be longer`}},
		{"for directive", header + `locals {
  b = "` + big + `"
  t = <<EOT
%{for i in range(3)}${local.b}%{endfor}
EOT
}`, []string{`main.hcl:8,1: error: String too long; This template's %{for} directive builds a string longer than 1 MiB`}},
		{"text built in a loop", header + `locals {
  b = "` + strings.Repeat("x", 1<<20-1) + `"
  t = [for i in range(70) : "${local.b}y"]
}`, []string{`main.hcl:7,32: error: Too much text built; Evaluating this configuration builds more than 64 MiB of strings in total`}},
		{"iterations", header + `locals { x = [for a in range(1000) : [for b in range(1000) : b]] }`, []string{`main.hcl:5,48: error: Too many iterations; The for expressions of this configuration iterate more than 50,000 times in total`}},
		{"number literal", header + `locals { n = 1e400 }`, []string{`main.hcl:5,14: error: Number out of range; This number is too large`}},
		{"tiny number literal", header + `locals { n = 1e-400 }`, []string{`main.hcl:5,14: error: Number out of range; This number is too close to zero`}},
		{"number in a template", header + `locals { n = "x${1e300 * 1e300}" }`, []string{`main.hcl:5,18: error: Number out of range; The result is too large`}},
		{"squaring", header + `locals {
  a = 1e200
  b = local.a * local.a
}`, []string{`main.hcl:7,7: error: Number out of range; The result is too large`}},
		{"tonumber", header + `locals { n = tonumber("1e999999") }`, []string{`main.hcl:5,14: error: Number out of range; The number is too large`}},
		{"concat", header + `locals {
  a = [for i in range(1000) : i]
  b = concat(` + strings.TrimSuffix(strings.Repeat("local.a, ", 101), ", ") + `)
}`, []string{`main.hcl:7,7: error: Value too large; This value has more than 100,000 elements`}},
		{"split", header + `locals { s = split(",", "` + strings.Repeat(",", 100001) + `") }`, []string{`main.hcl:5,14: error: Value too large; This value has more than 100,000 elements`}},
		{"deep jsondecode", header + `locals { j = jsondecode("` + strings.Repeat("[", 101) + `") }`, []string{`main.hcl:5,14: error: Nesting too deep; The JSON text nests brackets and braces more than 100 levels deep`}},
		{"long literal", header + `locals {
  s = <<EOT
` + strings.Repeat("x", 1<<20+1) + `
EOT
}`, []string{`main.hcl:7,1: error: String too long; This value is a string of 1,048,578 bytes`}},
		{"for_each", header + `topic "t" {
  for_each = toset(flatten([for a in range(101) : [for b in range(100) : "${a}-${b}"]]))
  name     = "t-${each.key}"
}`, []string{`main.hcl:6,14: error: Too many for_each instances; This for_each has 10,100 keys; at most 10,000 are allowed`}},
		{"topics per configuration", header + `topic "a" {
  for_each = toset(flatten([for i in range(60) : [for j in range(100) : "${i}-${j}"]]))
  name     = "a-${each.key}"
}
topic "b" {
  for_each = toset(flatten([for i in range(60) : [for j in range(100) : "${i}-${j}"]]))
  name     = "b-${each.key}"
}
topic "c" {}`, []string{`main.hcl:10,14: error: Too many topics; With topic.b, this configuration declares more than 10,000 topics`}},
		{"defaults labels", header + `locals {
  v = "` + strings.Repeat("v", 1<<16) + `"
}
defaults {
  topic { labels = { a = local.v } }
}
topic "t" {
  for_each = toset([for i in range(300) : "k${i}"])
  name     = "t-${each.key}"
}`, []string{`main.hcl:8,1: error: Configuration too large; The string values of this configuration's resources add up to more than 16 MiB`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, diags := loadSrc(t, tc.src, Options{})
			wantDiags(t, diags, tc.want...)
		})
	}
}

// lexCount is the number of tokens HCL's lexer makes of src.
func lexCount(src string) int {
	toks, _ := lexConfigForTest([]byte(src))
	return toks
}

func lexConfigForTest(src []byte) (int, hcl.Diagnostics) {
	toks, ds := hclsyntax.LexConfig(src, "f.hcl", hcl.InitialPos)
	return len(toks), ds
}
