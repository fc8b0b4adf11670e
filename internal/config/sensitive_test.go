package config

import (
	"bytes"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/pubsubctl/pubsubctl/internal/render"
)

const secret = "S3cret Token\"Value42"

// secretParts are pieces of secret that must not appear either: a parser
// that quotes the first word of a value (the filter's) would leak them.
var secretParts = []string{"S3cret", "Value42", "Token"}

const sensitiveDecl = `variable "token" {
  type      = string
  sensitive = true
}
`

// renderAll is everything a user could see of diagnostics: HCL's text
// with snippets and values, and each diagnostic's Error().
func renderAll(t *testing.T, res *Result, diags hcl.Diagnostics) string {
	t.Helper()
	var files map[string]*hcl.File
	if res != nil {
		files = res.Files
	}
	var b bytes.Buffer
	for i := 0; i < len(diags); i += render.MaxDiagnostics {
		end := min(i+render.MaxDiagnostics, len(diags))
		if err := render.Diagnostics(&b, files, diags[i:end], render.Options{}); err != nil {
			t.Fatal(err)
		}
	}
	// HCL's own writer too, which prints "with var.x as ..." lines.
	_ = hcl.NewDiagnosticTextWriter(&b, files, 0, false).WriteDiagnostics(diags)
	for _, d := range diags {
		b.WriteString(d.Error())
	}
	return b.String()
}

// TestSensitiveNeverInDiagnostics loads configurations that get a
// sensitive value wrong in every way that used to show it, and checks that
// no diagnostic shows it, nor a part of it.
func TestSensitiveNeverInDiagnostics(t *testing.T) {
	tests := []struct {
		name    string
		src     string
		varFile string // contents of vars.hcl, passed with --var-file
		opts    Options
		want    string // a diagnostic that must be there: "file:line,col: severity: summary"
	}{
		{
			name: "type error from a var-file",
			src: header + `variable "pin" {
  type      = number
  sensitive = true
}
`,
			varFile: "pin = \"" + strings.ReplaceAll(secret, `"`, `\"`) + "\"\n",
			want:    "vars.hcl:1,7: error: Invalid value for variable",
		},
		{
			name: "validation error_message interpolates the value",
			src: header + `variable "token" {
  type      = string
  sensitive = true
  validation {
    condition     = length(var.token) < 5
    error_message = "token ${var.token} is too long"
  }
}
`,
			varFile: "token = \"" + strings.ReplaceAll(secret, `"`, `\"`) + "\"\n",
			want:    "main.hcl:9,21: error: Invalid value for variable",
		},
		{
			name: "validation condition of another variable uses it",
			src: header + sensitiveDecl + `variable "other" {
  type = string
  default = "x"
  validation {
    condition     = var.other == var.token
    error_message = "must match"
  }
}
`,
			varFile: "token = \"" + strings.ReplaceAll(secret, `"`, `\"`) + "\"\n",
			want:    "main.hcl:13,21: error: Invalid value for variable",
		},
		{
			name: "--var that does not parse",
			src: header + `variable "list" {
  type      = list(string)
  sensitive = true
}
`,
			opts: Options{Vars: map[string]string{"list": `["` + strings.ReplaceAll(secret, `"`, `\"`) + `", oops`}},
			want: "<value for var.list from --var list>:1,1: error: Unterminated tuple constructor expression",
		},
		{
			name: "environment value that does not convert",
			src: header + `variable "list" {
  type      = list(number)
  sensitive = true
}
`,
			opts: Options{Env: []string{"PUBSUBCTL_VAR_list=[\"" + strings.ReplaceAll(secret, `"`, `\"`) + "\"]"}},
			want: "<value for var.list from PUBSUBCTL_VAR_list>:1,1: error: Invalid value for variable",
		},
		{
			name:    "var-file that does not parse",
			src:     header + sensitiveDecl,
			varFile: "token = \"" + secret + "\"\n",
			want:    "vars.hcl:1,23: error: Missing newline after argument",
		},
		{
			name: "default in the configuration",
			src: header + `variable "pin" {
  type      = number
  sensitive = true
  default   = "` + strings.ReplaceAll(secret, `"`, `\"`) + `"
}
`,
			want: "main.hcl:8,15: error: Invalid value for variable",
		},
		{
			name: "label value derived through a local",
			src: header + sensitiveDecl + `locals {
  derived = "x-${var.token}"
}
topic "orders" {
  labels = { team = local.derived, other = "ok" }
}
`,
			varFile: "token = \"" + strings.ReplaceAll(secret, `"`, `\"`) + "\"\n",
			want:    "main.hcl:13,14: error: Invalid label value",
		},
		{
			name: "push endpoint, IAM members, filter",
			src: header + sensitiveDecl + `topic "orders" {}
subscription "orders-sub" {
  topic       = topic.orders
  filter      = "attributes.x = ${var.token}"
  subscribers = ["user:${var.token}"]
  push {
    endpoint = "http://example.com/${var.token}"
  }
  iam {
    role    = "roles/pubsub.viewer"
    members = [var.token]
  }
}
`,
			varFile: "token = \"" + strings.ReplaceAll(secret, `"`, `\"`) + "\"\n",
			want:    "main.hcl:12,17: error: Invalid subscription filter",
		},
		{
			name: "function error with the value",
			src: header + sensitiveDecl + `topic "orders" {
  labels = { n = tostring(tonumber(var.token)) }
}
`,
			varFile: "token = \"" + strings.ReplaceAll(secret, `"`, `\"`) + "\"\n",
			want:    "main.hcl:10,36: error: Invalid function argument",
		},
		{
			name: "operator error with the value",
			src: header + sensitiveDecl + `topic "orders" {
  labels = { n = var.token * 2 }
}
`,
			varFile: "token = \"" + strings.ReplaceAll(secret, `"`, `\"`) + "\"\n",
			want:    "main.hcl:10,18: error: Invalid operand",
		},
		{
			name: "for_each and name",
			src: header + sensitiveDecl + `topic "a" {
  for_each = toset([var.token])
  name     = "a-${each.key}"
}
topic "b" {
  name = var.token
}
`,
			varFile: "token = \"" + strings.ReplaceAll(secret, `"`, `\"`) + "\"\n",
			want:    "main.hcl:10,14: error: Sensitive value not allowed here",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			files := map[string]string{"main.hcl": tc.src}
			dir := writeDir(t, files)
			opts := tc.opts
			opts.Dir = dir
			if tc.varFile != "" {
				vf := filepath.Join(t.TempDir(), "vars.hcl")
				if err := os.WriteFile(vf, []byte(tc.varFile), 0o644); err != nil {
					t.Fatal(err)
				}
				opts.VarFiles = []string{vf}
			}
			res, diags := Load(opts)
			out := renderAll(t, res, diags)
			for _, s := range append([]string{secret}, secretParts...) {
				if strings.Contains(out, s) {
					t.Errorf("output shows %q:\n%s", s, out)
				}
			}
			found := false
			for _, d := range diags {
				if strings.HasPrefix(diagLine(d), tc.want+";") {
					found = true
				}
			}
			if !found {
				t.Errorf("missing %q; got:\n%s", tc.want, diagLines(diags))
			}
		})
	}
}

func TestSecrets(t *testing.T) {
	noValidate(t)
	src := header + `variable "token" {
  type      = string
  sensitive = true
}
variable "pin" {
  type      = number
  sensitive = true
}
variable "flag" {
  type      = bool
  sensitive = true
}
variable "names" {
  type      = list(string)
  sensitive = true
}
variable "plain" {
  type    = string
  default = "not-secret"
}
locals {
  derived = "team-${var.token}"
}
topic "orders" {
  labels = { team = local.derived, other = "ok" }
}
subscription "orders-sub" {
  topic = topic.orders
  push {
    endpoint = "https://example.com/${var.token}"
  }
}
`
	res := mustLoad(t, src, Options{
		Vars: map[string]string{"token": "tok3n", "pin": "1234", "flag": "true", "names": `["alice", "bob"]`},
	})
	got := res.Secrets()
	want := []string{
		"https://example.com/tok3n", `["alice", "bob"]`, `["alice","bob"]`,
		"team-tok3n", "alice", "tok3n", "1234", "bob",
	}
	sort.Slice(want, func(i, j int) bool {
		if len(want[i]) != len(want[j]) {
			return len(want[i]) > len(want[j])
		}
		return want[i] < want[j]
	})
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("Secrets() =\n  %q\nwant\n  %q", got, want)
	}
	if r := res.Redact(`labels "team-tok3n", pin "1234" and bob, "bob"; tok3n`); r != `labels "(sensitive)", pin "(sensitive)" and bob, "(sensitive)"; (sensitive)` {
		t.Errorf("Redact: %s", r)
	}

	// Fields derived from a sensitive variable are marked.
	topic := res.Config.Topics[0]
	if !topic.Meta.IsSensitive("labels.team") || topic.Meta.IsSensitive("labels.other") || topic.Meta.IsSensitive("labels") {
		t.Errorf("topic marks: %v", topic.Meta.Sensitive)
	}
	sub := res.Config.Subscriptions[0]
	if !sub.Meta.IsSensitive("push.endpoint") || sub.Meta.IsSensitive("topic") {
		t.Errorf("subscription marks: %v", sub.Meta.Sensitive)
	}
}

func TestSensitiveMarks(t *testing.T) {
	noValidate(t)
	src := header + sensitiveDecl + `locals {
  all = { team = var.token }
}
defaults {
  subscription {
    labels = { owner = var.token }
  }
}
topic "orders" {
  labels     = local.all
  publishers = ["user:${var.token}@example.com"]
}
subscription "s" {
  topic        = topic.orders
  ack_deadline = "60s"
}
`
	res := mustLoad(t, src, Options{Vars: map[string]string{"token": "tok3n"}})
	topic := res.Config.Topics[0]
	for path, want := range map[string]bool{"labels": true, "labels.team": true, "publishers": true, "name": false} {
		if got := topic.Meta.IsSensitive(path); got != want {
			t.Errorf("topic %s: sensitive %v, want %v (%v)", path, got, want, topic.Meta.Sensitive)
		}
	}
	sub := res.Config.Subscriptions[0]
	for path, want := range map[string]bool{"labels.owner": true, "ack_deadline": false, "topic": false} {
		if got := sub.Meta.IsSensitive(path); got != want {
			t.Errorf("subscription %s: sensitive %v, want %v (%v)", path, got, want, sub.Meta.Sensitive)
		}
	}
}

func TestSensitiveRefused(t *testing.T) {
	noValidate(t)
	src := `pubsubctl {
  project        = var.token
  stack          = var.token
  project_number = var.token
}
` + sensitiveDecl + `topic "a" {
  for_each = { x = var.token }
  name     = "a-${each.key}"
}
topic "b" {
  name = "b-${var.token}"
}
`
	_, diags := loadSrc(t, src, Options{Vars: map[string]string{"token": "tok3n"}})
	wantDiags(t, diags,
		"main.hcl:2,20: error: Sensitive value not allowed here; project refers to a sensitive variable, but the project ID is part of every resource's full name",
		"main.hcl:3,20: error: Sensitive value not allowed here; stack refers to a sensitive variable, but the stack name",
		"main.hcl:4,20: error: Sensitive value not allowed here; project_number refers to a sensitive variable",
		"main.hcl:11,14: error: Sensitive value not allowed here; for_each refers to a sensitive variable, but its keys become the instances' addresses",
		"main.hcl:15,10: error: Sensitive value not allowed here; name refers to a sensitive variable",
	)
}
