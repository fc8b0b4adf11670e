package config

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const examplesDir = "../../examples"

// exampleDirs returns every examples/* directory that holds *.hcl files.
func exampleDirs(t testing.TB) []string {
	t.Helper()
	entries, err := os.ReadDir(examplesDir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		dir := filepath.Join(examplesDir, e.Name())
		// A directory of configuration files (examples/ci holds CI
		// workflows, not a configuration).
		if hcl, _ := filepath.Glob(filepath.Join(dir, "*.hcl")); e.IsDir() && len(hcl) > 0 {
			out = append(out, dir)
		}
	}
	if len(out) == 0 {
		t.Fatal("no examples")
	}
	return out
}

// exampleFiles returns every examples/*.hcl file: single-file
// configurations.
func exampleFiles(t testing.TB) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(examplesDir, "*.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// TestExamplesLayout pins the layout README promises: examples/*.hcl
// exists, and since `pubsubctl validate examples` reads every *.hcl file
// of the directory together, there is exactly one, so that loading the
// examples directory itself never mixes two configurations.
func TestExamplesLayout(t *testing.T) {
	files := exampleFiles(t)
	if len(files) != 1 {
		t.Fatalf("examples/*.hcl = %q; want exactly one single-file configuration", files)
	}
	res, diags := Load(Options{Dir: examplesDir})
	if len(diags) > 0 {
		t.Fatalf("loading the examples directory: %s", diagLines(diags))
	}
	if len(res.Files) != 1 {
		t.Fatalf("loading the examples directory read %d files", len(res.Files))
	}
}

// TestExamples loads every example (each examples/* directory and each
// examples/*.hcl file) with validation on: each must produce no
// diagnostics at all (not even warnings) and be fmt-clean.
func TestExamples(t *testing.T) {
	for _, dir := range append(exampleDirs(t), exampleFiles(t)...) {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			res, diags := Load(Options{Dir: dir})
			if len(diags) > 0 {
				t.Fatalf("diagnostics:\n%s", diagLines(diags))
			}
			if res == nil || res.Config == nil || len(res.Config.Topics) == 0 {
				t.Fatalf("no topics loaded: %+v", res)
			}
			if res.Config.ProjectNumber != "123456789012" {
				t.Errorf("project number = %q", res.Config.ProjectNumber)
			}
			for name := range res.Files {
				if !strings.HasSuffix(name, ".hcl") {
					continue
				}
				src, err := os.ReadFile(name)
				if err != nil {
					t.Fatal(err)
				}
				if got := Format(src); !bytes.Equal(got, src) {
					t.Errorf("%s is not fmt-clean; formatted:\n%s", name, got)
				}
			}
		})
	}
}

// TestExampleShop pins the headline example of the language design.
func TestExampleShop(t *testing.T) {
	res, diags := Load(Options{Dir: filepath.Join(examplesDir, "shop")})
	if diags.HasErrors() {
		t.Fatal(diagLines(diags))
	}
	c := res.Config
	eq(t, "addresses", addrs(c), []string{
		"schema.order",
		"topic.orders",
		"topic.orders-billing-dlq", `topic.orders-audit-eu-dlq`, `topic.orders-audit-us-dlq`,
		"subscription.orders-billing", "subscription.orders-push",
		`subscription.orders-audit["eu"]`, `subscription.orders-audit["us"]`,
		"subscription.orders-billing-dlq", "subscription.orders-audit-eu-dlq", "subscription.orders-audit-us-dlq",
	})
	if !strings.Contains(c.Schemas[0].Definition, `"name": "Order"`) {
		t.Errorf("schema definition not read from file: %q", c.Schemas[0].Definition)
	}
	eq(t, "schema ref", topicByAddr(t, c, "topic.orders").Schema.Schema, "projects/demo-project/schemas/order")
	push := subByAddr(t, c, "subscription.orders-push")
	eq(t, "push opt-out", push.DeadLetterOptOut != nil && push.DeadLetterOptOut.Reason != "", true)
	eq(t, "attempts from defaults", subByAddr(t, c, "subscription.orders-billing").DeadLetter.MaxDeliveryAttempts, 10)

	// Variables from every source still pass validation.
	res, diags = Load(Options{
		Dir:  filepath.Join(examplesDir, "shop"),
		Vars: map[string]string{"regions": `["apac"]`},
		Env:  []string{"PUBSUBCTL_VAR_project=shop-prod"},
	})
	if len(diags) > 0 {
		t.Fatal(diagLines(diags))
	}
	eq(t, "project", res.Config.Project, "shop-prod")
	eq(t, "apac", subByAddr(t, res.Config, `subscription.orders-audit["apac"]`).Name, "orders-audit-apac")

	// The project variable's validation rule.
	_, diags = Load(Options{Dir: filepath.Join(examplesDir, "shop"), Vars: map[string]string{"project": "abc"}})
	wantDiags(t, diags, "main.hcl:16,21: error: Invalid value for variable; A project ID has at least 6 characters.")
}

func BenchmarkLoadShop(b *testing.B) {
	dir := filepath.Join(examplesDir, "shop")
	for b.Loop() {
		if _, diags := Load(Options{Dir: dir}); diags.HasErrors() {
			b.Fatal(diagLines(diags))
		}
	}
}
