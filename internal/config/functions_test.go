package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

// evalIn evaluates one expression with the configuration functions, file()
// reading from dir.
func evalIn(t *testing.T, dir, src string) (cty.Value, hcl.Diagnostics) {
	t.Helper()
	expr, diags := hclsyntax.ParseExpression([]byte(src), "expr.hcl", hcl.InitialPos)
	if diags.HasErrors() {
		t.Fatalf("parse %s: %s", src, diags)
	}
	l := newLoader(Options{Dir: dir})
	l.varObj = cty.EmptyObjectVal
	l.base = &hcl.EvalContext{Functions: l.funcs}
	v, _ := l.eval(expr, scope{})
	return v, l.diags
}

func TestFunctions(t *testing.T) {
	dir := writeDir(t, map[string]string{
		"schemas/order.avsc": `{"type": "record"}`,
		"binary.bin":         "\xff\xfe",
	})
	tests := []struct{ expr, want string }{
		{`format("%s-%03d", "a", 7)`, `"a-007"`},
		{`join(",", ["a", "b"])`, `"a,b"`},
		{`split(",", "a,b")`, `["a","b"]`},
		{`lower("AbC")`, `"abc"`},
		{`upper("AbC")`, `"ABC"`},
		{`replace("a-b-c", "-", "_")`, `"a_b_c"`},
		{`trimprefix("orders-eu", "orders-")`, `"eu"`},
		{`trimsuffix("orders-eu", "-eu")`, `"orders"`},
		{`trimspace("  x \n")`, `"x"`},
		{`concat(["a"], ["b", "c"])`, `["a","b","c"]`},
		{`merge({ a = 1 }, { b = 2 }, { a = 3 })`, `{"a":3,"b":2}`},
		{`toset(["b", "a", "b"])`, `["a","b"]`},
		{`tolist(toset(["b", "a"]))`, `["a","b"]`},
		{`tomap({ a = "x" })`, `{"a":"x"}`},
		{`length(["a", "b"])`, `2`},
		{`length({ a = 1 })`, `1`},
		{`length("héllo")`, `5`},
		{`contains(["a", "b"], "b")`, `true`},
		{`coalesce("", "x")`, `"x"`},
		{`coalesce(null, 2)`, `2`},
		{`lookup({ a = "x" }, "b", "dflt")`, `"dflt"`},
		{`keys({ b = 1, a = 2 })`, `["a","b"]`},
		{`values({ b = 1, a = 2 })`, `[2,1]`},
		{`jsonencode({ a = [1, true] })`, `"{\"a\":[1,true]}"`},
		{`jsondecode("{\"a\": [1, 2]}").a[1]`, `2`},
		{`flatten([["a"], ["b", ["c"]]])`, `["a","b","c"]`},
		{`distinct(["a", "b", "a"])`, `["a","b"]`},
		{`sort(["b", "c", "a"])`, `["a","b","c"]`},
		{`range(3)`, `[0,1,2]`},
		{`substr("orders", 0, 3)`, `"ord"`},
		{`startswith("https://x", "https://")`, `true`},
		{`endswith("file.avsc", ".proto")`, `false`},
		{`try(jsondecode("nope"), "fallback")`, `"fallback"`},
		{`can(jsondecode("nope"))`, `false`},
		{`file("schemas/order.avsc")`, `"{\"type\": \"record\"}"`},
		{`formatlist("%s-dlq", ["a", "b"])`, `["a-dlq","b-dlq"]`},
		{`format("100%% %s", "x")`, `"100% x"`},
		{`tostring(12)`, `"12"`},
		{`max(1, 5, 3)`, `5`},
		{`element(["a", "b"], 3)`, `"b"`},
		{`zipmap(["a"], ["x"])`, `{"a":"x"}`},
		{`[for r in ["eu", "us"] : upper(r)]`, `["EU","US"]`},
		{`{ for r in ["eu", "us"] : r => "orders-${r}" }`, `{"eu":"orders-eu","us":"orders-us"}`},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			v, diags := evalIn(t, dir, tt.expr)
			if diags.HasErrors() {
				t.Fatal(diagLines(diags))
			}
			if got := jsonOf(t, v); got != tt.want {
				t.Errorf("= %s, want %s", got, tt.want)
			}
		})
	}

	abs := filepath.Join(dir, "schemas", "order.avsc")
	if v, diags := evalIn(t, t.TempDir(), `file("`+abs+`")`); diags.HasErrors() || v.AsString() == "" {
		t.Errorf("absolute path: %s", diagLines(diags))
	}

	errs := []struct{ expr, want string }{
		{`file("missing.avsc")`, `no file exists at "missing.avsc"`},
		{`file("schemas")`, `"schemas" is not a regular file`},
		{`file("binary.bin")`, `"binary.bin" is not valid UTF-8 text`},
		{`file("")`, `the path is empty`},
		{`format("%999999999s", "x")`, `above 9999`},
		{`range(100000)`, `more than 1024 values`},
		{`length(null)`, `must not be null`},
		{`length(5)`, `must be a string, a collection type, or a structural type`},
	}
	for _, tt := range errs {
		t.Run(tt.expr, func(t *testing.T) {
			_, diags := evalIn(t, dir, tt.expr)
			if !diags.HasErrors() || !strings.Contains(diagLines(diags), tt.want) {
				t.Errorf("diags = %s, want %q", diagLines(diags), tt.want)
			}
			if d := diags[0]; d.Subject == nil || d.Subject.Filename != "expr.hcl" || d.Subject.Start.Line != 1 {
				t.Errorf("subject = %v", d.Subject)
			}
		})
	}
}

func jsonOf(t *testing.T, v cty.Value) string {
	t.Helper()
	b, err := ctyJSON(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestFileFunctionInConfig(t *testing.T) {
	noValidate(t)
	dir := writeDir(t, map[string]string{
		"main.hcl": header + `schema "order" {
  type       = "AVRO"
  definition = file("schemas/order.avsc")
}
schema "missing" {
  type       = "AVRO"
  definition = file("schemas/missing.avsc")
}
`,
		"schemas/order.avsc": "{}\n",
	})
	res, diags := Load(Options{Dir: dir})
	wantDiags(t, diags, `main.hcl:11,16: error: Error in function call; Call to function "file" failed: no file exists at "schemas/missing.avsc"`)
	eq(t, "definition", res.Config.Schemas[0].Definition, "{}\n")
	// A file that is not configuration text (e.g. a symlink to a device)
	// never hangs the loader.
	if _, err := os.Stat("/dev/zero"); err == nil {
		v, diags := evalIn(t, dir, `file("/dev/zero")`)
		if !diags.HasErrors() {
			t.Errorf("file(/dev/zero) = %#v", v)
		}
	}
}

func ctyJSON(v cty.Value) ([]byte, error) {
	return ctyjson.Marshal(v, v.Type())
}
