package config

import (
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/pubsubctl/pubsubctl/model"
)

const validHeader = `pubsubctl {
  project = "test-project"
  stack   = "test"
}
`

// TestValidationRuns checks that Load runs model.Validate after decoding
// and applying defaults, and that its diagnostics point at the source.
func TestValidationRuns(t *testing.T) {
	_, diags := loadSrc(t, validHeader+`topic "orders" {}
subscription "orders-worker" {
  topic        = topic.orders
  ack_deadline = "5s"
}
`, Options{})
	if !diags.HasErrors() {
		t.Fatal("want a validation error for ack_deadline = 5s")
	}
	found := false
	for _, d := range diags {
		if d.Subject != nil && d.Subject.Start.Line == 8 && d.Subject.Start.Column == 18 {
			found = true
		}
	}
	if !found {
		t.Errorf("no diagnostic at main.hcl:8,18:\n%s", diagLines(diags))
	}
}

// TestValidationSkippedAfterDecodeErrors: one mistake is reported once.
func TestValidationSkippedAfterDecodeErrors(t *testing.T) {
	called := false
	prev := validateModel
	validateModel = func(c *model.Config) hcl.Diagnostics { called = true; return prev(c) }
	t.Cleanup(func() { validateModel = prev })
	_, diags := loadSrc(t, validHeader+`subscription "orders-worker" {
  topic = topic.missing
}
`, Options{})
	wantDiags(t, diags, "main.hcl:6,11: error: Reference to undeclared topic;")
	if called {
		t.Error("Validate ran although decoding failed")
	}
	_, _ = loadSrc(t, validHeader+`topic "orders" {}
`, Options{})
	if !called {
		t.Error("Validate did not run on a valid configuration")
	}
}

// TestInternalErrorIsADiagnostic: a bug never crashes the CLI.
func TestInternalErrorIsADiagnostic(t *testing.T) {
	prev := validateModel
	validateModel = func(*model.Config) hcl.Diagnostics { panic("boom") }
	t.Cleanup(func() { validateModel = prev })
	res, diags := loadSrc(t, validHeader, Options{})
	if res == nil || len(res.Files) != 1 {
		t.Errorf("result = %+v", res)
	}
	if len(diags) != 1 || diags[0].Summary != internalErrorText || !strings.Contains(diags[0].Detail, "boom") || diags[0].Subject == nil {
		t.Fatalf("diags = %s", diagLines(diags))
	}
}

// TestEveryDiagnosticHasASubject runs a batch of broken configurations.
func TestEveryDiagnosticHasASubject(t *testing.T) {
	srcs := []string{
		``,
		`pubsubctl {}`,
		validHeader + `topic "a-topic" { for_each = 5 }`,
		validHeader + `subscription "sub" { topic = topic }`,
		validHeader + `subscription "sub" { topic = topic["x"].y }`,
		validHeader + `locals { a = each }`,
		validHeader + `variable "v" { type = list(string) default = "x" }`,
		validHeader + `topic "a-topic" { labels = var }`,
	}
	for _, src := range srcs {
		_, diags := loadSrc(t, src, Options{Vars: map[string]string{"zzz": "1"}})
		if len(diags) == 0 {
			t.Errorf("%q: no diagnostics", src)
		}
		for _, d := range diags {
			if d.Subject == nil {
				t.Errorf("%q: no subject: %s", src, diagLine(d))
			}
		}
	}
}
