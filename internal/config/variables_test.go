package config

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

const precedenceSrc = header + `variable "region" {
  type    = string
  default = "from-default"
}

variable "sizes" {
  type    = list(number)
  default = [1]
}

topic "t" {
  labels = { region = var.region, sizes = join("-", var.sizes) }
}
`

func TestVariablePrecedence(t *testing.T) {
	noValidate(t)
	dir := writeDir(t, map[string]string{
		"main.hcl":              precedenceSrc,
		"vars/one.pubvars":      "region = \"from-file-one\"\nsizes = [2, 3]\n",
		"vars/two.pubvars":      "region = \"from-file-two\"\n",
		"vars/three.json":       `{"sizes": [4]}`,
		"vars/undeclared.hcl":   "regoin = \"x\"\n",
		"vars/not-literal.vars": "region = var.other\n",
	})
	file := func(name string) string { return filepath.Join(dir, "vars", name) }
	tests := []struct {
		name        string
		opts        Options
		region      string
		regionSrc   VariableSource
		regionFrom  string
		sizes       string
		sizesSource VariableSource
	}{
		{"default", Options{}, "from-default", SourceDefault, "", "1", SourceDefault},
		{"var-file", Options{VarFiles: []string{file("one.pubvars")}}, "from-file-one", SourceVarFile, file("one.pubvars"), "2-3", SourceVarFile},
		{"later var-file wins", Options{VarFiles: []string{file("one.pubvars"), file("two.pubvars"), file("three.json")}},
			"from-file-two", SourceVarFile, file("two.pubvars"), "4", SourceVarFile},
		{"env beats var-file", Options{
			VarFiles: []string{file("one.pubvars")},
			Env:      []string{"PUBSUBCTL_VAR_region=from-env", "PUBSUBCTL_VAR_sizes=[5, 6]", "PUBSUBCTL_VAR_unknown=ignored"},
		}, "from-env", SourceEnv, "PUBSUBCTL_VAR_region", "5-6", SourceEnv},
		{"flag beats env", Options{
			VarFiles: []string{file("one.pubvars")},
			Env:      []string{"PUBSUBCTL_VAR_region=from-env"},
			Vars:     map[string]string{"region": "from-flag"},
		}, "from-flag", SourceFlag, "--var region", "2-3", SourceVarFile},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.Dir = dir
			res, diags := Load(tt.opts)
			if diags.HasErrors() {
				t.Fatal(diagLines(diags))
			}
			vars := map[string]Variable{}
			for _, v := range res.Variables {
				vars[v.Name] = v
			}
			r := vars["region"]
			eq(t, "region", r.Value.AsString(), tt.region)
			eq(t, "region source", r.Source, tt.regionSrc)
			eq(t, "region source name", r.SourceName, tt.regionFrom)
			eq(t, "region type", r.Type, cty.String)
			eq(t, "sizes source", vars["sizes"].Source, tt.sizesSource)
			labels := res.Config.Topics[0].Labels
			eq(t, "labels", labels["region"]+" "+labels["sizes"], tt.region+" "+tt.sizes)
		})
	}

	t.Run("undeclared in var-file is a warning", func(t *testing.T) {
		_, diags := Load(Options{Dir: dir, VarFiles: []string{file("undeclared.hcl")}})
		if diags.HasErrors() || len(diags) != 1 {
			t.Fatalf("diags:\n%s", diagLines(diags))
		}
		eq(t, "warning", diagLine(diags[0]), `undeclared.hcl:1,1: warning: Value for undeclared variable; The variable file sets "regoin", but no variable of that name is declared; the value is ignored. Did you mean "region"?`)
	})
	t.Run("var-file values must be literals", func(t *testing.T) {
		_, diags := Load(Options{Dir: dir, VarFiles: []string{file("not-literal.vars")}})
		wantDiags(t, diags, "not-literal.vars:1,10: error: Variables not allowed;")
	})
	t.Run("missing var-file", func(t *testing.T) {
		_, diags := Load(Options{Dir: dir, VarFiles: []string{file("missing.vars")}})
		wantDiags(t, diags, "missing.vars:1,1: error: Cannot read variable file;")
	})
	t.Run("flag of the wrong type", func(t *testing.T) {
		res, diags := Load(Options{Dir: dir, Vars: map[string]string{"sizes": `["a"]`}})
		wantDiags(t, diags, `<value for var.sizes from --var sizes>:1,1: error: Invalid value for variable; The value of var.sizes (from --var sizes) is not a valid list(number)`)
		if _, ok := res.Files["<value for var.sizes from --var sizes>"]; !ok {
			t.Error("the flag's text is not in Files")
		}
	})
	t.Run("env of the wrong type", func(t *testing.T) {
		_, diags := Load(Options{Dir: dir, Env: []string{"PUBSUBCTL_VAR_sizes=many"}})
		wantDiags(t, diags, `<value for var.sizes from PUBSUBCTL_VAR_sizes>:1,1: error: Variables not allowed;`)
	})
}

func TestSensitiveVariable(t *testing.T) {
	noValidate(t)
	src := header + `variable "token" {
  type      = string
  sensitive = true
  validation {
    condition     = length(var.token) > 10
    error_message = "The token is too short."
  }
}

locals {
  derived = "x-${var.token}"
}

topic "t" {
  labels = { a = local.derived + 1 }
}
`
	res, diags := loadSrc(t, src, Options{Vars: map[string]string{"token": "secret"}})
	wantDiags(t, diags,
		"main.hcl:9,21: error: Invalid value for variable; The token is too short.",
		"main.hcl:19,18: error: Invalid operand;",
	)
	for _, d := range diags {
		if d.Expression != nil || d.EvalContext != nil {
			t.Errorf("diagnostic %q carries the expression and its values", d.Summary)
		}
	}
	for name := range res.Files {
		if name != filepath.Join(filepath.Dir(name), "main.hcl") {
			t.Errorf("the secret's text was kept as file %q", name)
		}
	}
	eq(t, "sensitive", res.Variables[0].Sensitive, true)
	eq(t, "value", res.Variables[0].Value.AsString(), "secret")

	// Without sensitive = true, the same diagnostic shows the values.
	_, diags = loadSrc(t, header+`variable "token" {
  validation {
    condition     = length(var.token) > 10
    error_message = "The token is too short."
  }
}
`, Options{Vars: map[string]string{"token": "secret"}})
	if len(diags) != 1 || diags[0].Expression == nil {
		t.Fatalf("diags = %s", diagLines(diags))
	}
}

func TestVariableValidationMultipleRules(t *testing.T) {
	src := header + `variable "env" {
  description = "Deployment environment."
  validation {
    condition     = contains(["dev", "prod"], var.env)
    error_message = "env must be dev or prod, not ${var.env}."
  }
  validation {
    condition     = var.env == lower(var.env)
    error_message = "env must be lower case."
  }
}
`
	_, diags := loadSrc(t, src, Options{Vars: map[string]string{"env": "QA"}})
	wantDiags(t, diags,
		"main.hcl:8,21: error: Invalid value for variable; env must be dev or prod, not QA.",
		"main.hcl:12,21: error: Invalid value for variable; env must be lower case.",
	)
	noValidate(t)
	res, diags := loadSrc(t, src, Options{Vars: map[string]string{"env": "prod"}})
	if diags.HasErrors() {
		t.Fatal(diagLines(diags))
	}
	eq(t, "description", res.Variables[0].Description, "Deployment environment.")
}

func TestSyntheticFilesHaveSnippets(t *testing.T) {
	res, diags := loadSrc(t, header+`variable "n" {
  type = list(number)
}
`, Options{Vars: map[string]string{"n": "[1,\n2,"}})
	var buf bytes.Buffer
	w := hcl.NewDiagnosticTextWriter(&buf, res.Files, 80, false)
	if err := w.WriteDiagnostics(diags); err != nil {
		t.Fatal(err)
	}
	if out := buf.String(); len(diags) != 1 || !strings.Contains(out, "on <value for var.n from --var n> line 2:") || !strings.Contains(out, "2: 2,") {
		t.Errorf("output:\n%s", out)
	}
}
