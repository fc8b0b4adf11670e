package render

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/pubsubctl/pubsubctl/iam"
	"github.com/pubsubctl/pubsubctl/model"
	"github.com/pubsubctl/pubsubctl/plan"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// formats are the renderings kept as golden files, by file suffix.
var formats = []struct {
	suffix string
	render func(*bytes.Buffer, *plan.Plan) error
}{
	{"human", func(b *bytes.Buffer, p *plan.Plan) error { return Human(b, p, Options{}) }},
	{"human-verbose", func(b *bytes.Buffer, p *plan.Plan) error { return Human(b, p, Options{Verbose: true}) }},
	{"md", func(b *bytes.Buffer, p *plan.Plan) error { return Markdown(b, p, Options{Dir: "infra/shop"}) }},
	{"json", func(b *bytes.Buffer, p *plan.Plan) error { return JSON(b, p) }},
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it)\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

func TestGolden(t *testing.T) {
	for _, fx := range fixtures {
		for _, f := range formats {
			t.Run(fx.name+"."+f.suffix, func(t *testing.T) {
				var b bytes.Buffer
				if err := f.render(&b, fx.plan()); err != nil {
					t.Fatal(err)
				}
				golden(t, fx.name+"."+f.suffix, b.Bytes())
			})
		}
	}
}

// Renderers only read the plan, and say the same thing every time.
func TestReadOnlyAndDeterministic(t *testing.T) {
	for _, fx := range fixtures {
		p := fx.plan()
		before, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range formats {
			var first, second bytes.Buffer
			if err := f.render(&first, p); err != nil {
				t.Fatal(err)
			}
			if err := f.render(&second, p); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(first.Bytes(), second.Bytes()) {
				t.Errorf("%s.%s: two renderings differ", fx.name, f.suffix)
			}
		}
		after, _ := json.Marshal(p)
		if !bytes.Equal(before, after) {
			t.Errorf("%s: rendering changed the plan", fx.name)
		}
	}
}

// compileSchema compiles docs/plan.schema.json. strict forbids properties
// the schema does not declare, so that a field the renderer emits but the
// schema (and so the documentation) lacks fails the test; the published
// schema allows them, because version 1 may gain fields.
func compileSchema(t *testing.T, strict bool) *jsonschema.Schema {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "docs", "plan.schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("docs/plan.schema.json: %v", err)
	}
	if strict {
		closeObjects(doc)
	}
	const url = "https://github.com/pubsubctl/pubsubctl/docs/plan.schema.json"
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(url, doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(url)
	if err != nil {
		t.Fatalf("compile docs/plan.schema.json: %v", err)
	}
	return s
}

// closeObjects sets additionalProperties: false on every object schema
// that lists its required properties.
func closeObjects(v any) {
	switch v := v.(type) {
	case map[string]any:
		if v["type"] == "object" && v["required"] != nil {
			v["additionalProperties"] = false
		}
		for _, x := range v {
			closeObjects(x)
		}
	case []any:
		for _, x := range v {
			closeObjects(x)
		}
	}
}

func TestJSONValidatesAgainstSchema(t *testing.T) {
	schemas := map[string]*jsonschema.Schema{"published": compileSchema(t, false), "strict": compileSchema(t, true)}
	for _, fx := range fixtures {
		for kind, schema := range schemas {
			t.Run(fx.name+"/"+kind, func(t *testing.T) {
				var b bytes.Buffer
				if err := JSON(&b, fx.plan()); err != nil {
					t.Fatal(err)
				}
				doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b.Bytes()))
				if err != nil {
					t.Fatal(err)
				}
				if err := schema.Validate(doc); err != nil {
					t.Errorf("JSON does not validate against docs/plan.schema.json:\n%v", err)
				}
			})
		}
	}
}

// The schema must reject what the documentation forbids, or validating
// against it proves nothing.
func TestSchemaRejectsInvalidPlans(t *testing.T) {
	schema := compileSchema(t, false)
	var b bytes.Buffer
	if err := JSON(&b, fullPlan()); err != nil {
		t.Fatal(err)
	}
	for name, mutate := range map[string]func(m map[string]any){
		"wrong format_version": func(m map[string]any) { m["format_version"] = "1" },
		"unknown action":       func(m map[string]any) { m["changes"].([]any)[0].(map[string]any)["action"] = "recreate" },
		"missing summary":      func(m map[string]any) { delete(m, "summary") },
		"unknown source": func(m map[string]any) {
			m["changes"].([]any)[0].(map[string]any)["fields"].([]any)[0].(map[string]any)["source"] = "magic"
		},
		"member action": func(m map[string]any) {
			m["iam"].([]any)[0].(map[string]any)["members"].([]any)[0].(map[string]any)["action"] = "grant"
		},
		"negative count": func(m map[string]any) { m["summary"].(map[string]any)["create"] = -1 },
		"object value": func(m map[string]any) {
			m["changes"].([]any)[0].(map[string]any)["fields"].([]any)[0].(map[string]any)["after"] = map[string]any{"x": 1}
		},
		"delete not destructive": func(m map[string]any) {
			for _, c := range m["changes"].([]any) {
				if c := c.(map[string]any); c["action"] == "delete" {
					c["destructive"] = false
				}
			}
		},
		"replace without reasons": func(m map[string]any) {
			for _, c := range m["changes"].([]any) {
				if c := c.(map[string]any); c["action"] == "replace" {
					c["replace_reasons"] = []any{}
				}
			}
		},
		"bad digest": func(m map[string]any) { m["live_digest"] = "abc" },
	} {
		t.Run(name, func(t *testing.T) {
			var m map[string]any
			if err := json.Unmarshal(b.Bytes(), &m); err != nil {
				t.Fatal(err)
			}
			mutate(m)
			raw, _ := json.Marshal(m)
			doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
			if err != nil {
				t.Fatal(err)
			}
			if schema.Validate(doc) == nil {
				t.Error("schema accepted an invalid plan")
			}
		})
	}
}

func TestStrictSchemaRejectsUndocumentedFields(t *testing.T) {
	strict, published := compileSchema(t, true), compileSchema(t, false)
	var b bytes.Buffer
	if err := JSON(&b, fullPlan()); err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	m["changes"].([]any)[0].(map[string]any)["undocumented"] = true
	raw, _ := json.Marshal(m)
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if strict.Validate(doc) == nil {
		t.Error("strict schema accepted an undocumented field")
	}
	if err := published.Validate(doc); err != nil {
		t.Errorf("published schema rejects an additive field: %v", err)
	}
}

// docs/plan-json.md documents every field of the schema, and its example is
// real output.
func TestDocumentation(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "plan-json.md"))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join("..", "..", "docs", "plan.schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	var schema any
	if err := json.Unmarshal(raw, &schema); err != nil {
		t.Fatal(err)
	}
	for _, name := range propertyNames(schema) {
		if !strings.Contains(string(doc), "| `"+name+"` |") {
			t.Errorf("docs/plan-json.md has no table row for field %q", name)
		}
	}

	_, rest, ok := strings.Cut(string(doc), "```json\n")
	example, _, ok2 := strings.Cut(rest, "```")
	if !ok || !ok2 {
		t.Fatal("docs/plan-json.md has no ```json example")
	}
	var b bytes.Buffer
	if err := JSON(&b, protectedPlan()); err != nil {
		t.Fatal(err)
	}
	if example != b.String() {
		t.Errorf("the example in docs/plan-json.md is not JSON(protectedPlan()); paste testdata/protected.json.golden:\n%s", b.String())
	}
}

// propertyNames returns every property name declared in a JSON schema.
func propertyNames(v any) []string {
	var out []string
	switch v := v.(type) {
	case map[string]any:
		if props, ok := v["properties"].(map[string]any); ok && v["required"] != nil {
			for name := range props {
				out = append(out, name)
			}
		}
		for _, x := range v {
			out = append(out, propertyNames(x)...)
		}
	case []any:
		for _, x := range v {
			out = append(out, propertyNames(x)...)
		}
	}
	return out
}

func TestJSONSummary(t *testing.T) {
	var b bytes.Buffer
	if err := JSON(&b, fullPlan()); err != nil {
		t.Fatal(err)
	}
	var got struct {
		FormatVersion string         `json:"format_version"`
		Summary       map[string]int `json:"summary"`
		HasChanges    bool           `json:"has_changes"`
		Destructive   bool           `json:"destructive"`
	}
	if err := json.Unmarshal(b.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"create": 3, "update": 2, "replace": 1, "delete": 2, "adopt": 1, "iam": 5, "unchanged": 3}
	if got.FormatVersion != "2" || !got.HasChanges || !got.Destructive || !reflect.DeepEqual(got.Summary, want) {
		t.Errorf("got %+v, want format 2, changes, destructive, summary %v", got, want)
	}
}

// afterHeading is the Markdown form without its marker and heading.
func afterHeading(t *testing.T, md string) string {
	t.Helper()
	lines := strings.SplitN(md, "\n", 4)
	if len(lines) < 4 || !strings.HasPrefix(lines[0], MarkerPrefix) || !strings.HasPrefix(lines[1], "### pubsubctl plan: ") || lines[2] != "" {
		t.Fatalf("markdown does not start with the marker and the heading:\n%s", md)
	}
	return lines[3]
}

func TestMarkdownStartsWithDestructiveWarning(t *testing.T) {
	for _, p := range []*plan.Plan{fullPlan(), protectedPlan()} {
		var b bytes.Buffer
		if err := Markdown(&b, p, Options{}); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(afterHeading(t, b.String()), "> [!CAUTION]\n> **This plan destroys data.**") {
			t.Errorf("markdown does not put the destructive warning first:\n%s", b.String())
		}
	}
	var b bytes.Buffer
	if err := Markdown(&b, emulatorPlan(), Options{}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "CAUTION") {
		t.Errorf("markdown of a plan that destroys nothing has a caution:\n%s", b.String())
	}
	b.Reset()
	if err := Markdown(&b, noChangesPlan(), Options{}); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(afterHeading(t, b.String()), "No changes.") {
		t.Errorf("markdown of an empty plan does not say \"No changes.\" right after its heading:\n%s", b.String())
	}
}

func TestHumanFlagsDestructionFirst(t *testing.T) {
	var b bytes.Buffer
	if err := Human(&b, fullPlan(), Options{}); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(b.String(), "╷\n│ Warning: this plan destroys data\n") {
		t.Errorf("human output does not start with the destructive warning:\n%s", b.String())
	}
	b.Reset()
	if err := Human(&b, noChangesPlan(), Options{}); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(b.String(), "No changes. Live state matches the configuration.\n") {
		t.Errorf("empty plan:\n%s", b.String())
	}
}

const esc = "\x1b["

func TestColorOnlyWhenAsked(t *testing.T) {
	for _, fx := range fixtures {
		for _, verbose := range []bool{false, true} {
			var plain, colored bytes.Buffer
			if err := Human(&plain, fx.plan(), Options{Verbose: verbose}); err != nil {
				t.Fatal(err)
			}
			if err := Human(&colored, fx.plan(), Options{Color: true, Verbose: verbose}); err != nil {
				t.Fatal(err)
			}
			if strings.Contains(plain.String(), esc) {
				t.Errorf("%s: colour codes without Color", fx.name)
			}
			if !strings.Contains(colored.String(), esc) {
				t.Errorf("%s: no colour codes with Color", fx.name)
			}
			if got := stripANSI(colored.String()); got != plain.String() {
				t.Errorf("%s: coloured output differs from plain output beyond colour codes:\n%s\n---\n%s", fx.name, got, plain.String())
			}
		}
	}
	// Markdown and JSON never carry colour.
	for _, f := range formats[2:] {
		var b bytes.Buffer
		if err := f.render(&b, fullPlan()); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(b.String(), esc) {
			t.Errorf("%s: colour codes", f.suffix)
		}
	}
}

func TestColorIgnoresGlobalNoColor(t *testing.T) {
	// Whatever fatih/color decided for the process (NO_COLOR, no terminal),
	// Options.Color decides for the renderer.
	t.Setenv("NO_COLOR", "1")
	var b bytes.Buffer
	if err := Human(&b, emulatorPlan(), Options{Color: true}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), esc) {
		t.Error("Color: true produced no colour when NO_COLOR is set")
	}
}

func stripANSI(s string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, esc)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		s = s[i:]
		j := strings.IndexByte(s, 'm')
		s = s[j+1:]
	}
}

const diagSource = `topic "orders" {
  message_retention = "1d"
}

subscription "orders-billing" {
  topic        = topic.orders
  ack_deadline = "90x"
}
`

func parseDiag(t *testing.T) (map[string]*hcl.File, hcl.Diagnostics) {
	t.Helper()
	p := hclparse.NewParser()
	f, diags := p.ParseHCL([]byte(diagSource), "pubsub.hcl")
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	_ = f
	// The subject is the value of ack_deadline: line 7, columns 18-23.
	subject := hcl.Range{
		Filename: "pubsub.hcl",
		Start:    hcl.Pos{Line: 7, Column: 18, Byte: strings.Index(diagSource, `"90x"`)},
		End:      hcl.Pos{Line: 7, Column: 23, Byte: strings.Index(diagSource, `"90x"`) + 5},
	}
	return p.Files(), hcl.Diagnostics{{
		Severity: hcl.DiagError,
		Summary:  "Invalid duration",
		Detail:   `invalid duration "90x": want a number with a unit (s, m, h, d), e.g. "60s", "10m", "7d"`,
		Subject:  &subject,
	}}
}

func TestDiagnostics(t *testing.T) {
	files, diags := parseDiag(t)
	var b bytes.Buffer
	if err := Diagnostics(&b, files, diags, Options{}); err != nil {
		t.Fatal(err)
	}
	got := b.String()
	for _, want := range []string{
		"pubsub.hcl:7,18: error: Invalid duration\n",
		"on pubsub.hcl line 7, in subscription \"orders-billing\":",
		`   7:   ack_deadline = "90x"`,
		`invalid duration "90x"`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("diagnostics lack %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, esc) {
		t.Errorf("colour codes without Color:\n%s", got)
	}
	if strings.Count(got, "Invalid duration") != 1 {
		t.Errorf("the diagnostic is not said exactly once:\n%s", got)
	}
	golden(t, "diagnostics", b.Bytes())

	b.Reset()
	if err := Diagnostics(&b, files, diags, Options{Color: true}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), esc) {
		t.Errorf("no colour codes with Color:\n%s", b.String())
	}

	b.Reset()
	if err := Diagnostics(&b, files, nil, Options{}); err != nil || b.Len() != 0 {
		t.Errorf("no diagnostics: wrote %q, err %v", b.String(), err)
	}
}

// A plan computed by plan.Compute (not hand-built) renders, and its JSON
// validates: the renderers and the plan package agree on the data.
func TestComputedPlan(t *testing.T) {
	const proj = "demo-project"
	cfg := &model.Config{Project: proj, ProjectNumber: "1234", Stack: "shop"}
	cfg.Topics = []*model.Topic{{
		Addr: model.Address{Kind: model.KindTopic, Name: "orders"}, Name: "orders",
		IAM: model.IAM{Bindings: []model.Binding{{Role: model.RolePublisher, Members: []string{"serviceAccount:checkout@demo-project.iam.gserviceaccount.com"}, Origin: "publishers"}}},
	}}
	sub := &model.Subscription{
		Addr: model.Address{Kind: model.KindSubscription, Name: "orders-billing"}, Name: "orders-billing",
		Topic:  model.FullName(proj, model.KindTopic, "orders"),
		Filter: `attributes.x = "b"`,
	}
	sub.Meta.Set("topic", model.SourceUser, nil)
	sub.Meta.Set("filter", model.SourceUser, nil)
	cfg.Subscriptions = []*model.Subscription{sub}
	model.ApplyDefaults(cfg, nil)
	if cfg.ProjectNumber != "" {
		iam.AddDeadLetterGrants(cfg, cfg.ProjectNumber) // what the loader does
	}

	owned := map[string]string{model.LabelManagedBy: model.ManagedByValue, model.LabelStack: "shop"}
	live := &model.State{
		Project: proj,
		Topics: []*model.Topic{
			{Addr: model.Address{Kind: model.KindTopic, Name: "orders"}, Name: "orders", Labels: owned},
			{Addr: model.Address{Kind: model.KindTopic, Name: "old"}, Name: "old", Labels: owned},
		},
		Subscriptions: []*model.Subscription{
			{
				Addr: model.Address{Kind: model.KindSubscription, Name: "orders-billing"}, Name: "orders-billing",
				Topic: model.FullName(proj, model.KindTopic, "orders"), Filter: `attributes.x = "a"`, Labels: owned,
				AckDeadline: 10 * time.Second, MessageRetention: 7 * model.Day, Expiration: model.Expiration{Never: true},
			},
			{Addr: model.Address{Kind: model.KindSubscription, Name: "old-audit"}, Name: "old-audit", Topic: model.FullName(proj, model.KindTopic, "old")},
		},
		Policies:     map[string]*model.Policy{},
		IAMSupported: true,
	}
	p := plan.Compute(cfg, live, plan.Options{Target: "test"})

	var human, md, js bytes.Buffer
	if err := Human(&human, p, Options{Verbose: true}); err != nil {
		t.Fatal(err)
	}
	if err := Markdown(&md, p, Options{}); err != nil {
		t.Fatal(err)
	}
	if err := JSON(&js, p); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"# subscription.orders-billing must be replaced",
		"# forces replacement",
		"# topic.old will be deleted",
		"old-audit will be orphaned",
		"(dead-letter topic for subscription.orders-billing)",
		"dead-letter grant for subscription.orders-billing",
		"# IAM of topic.orders will be updated",
	} {
		if !strings.Contains(human.String(), want) {
			t.Errorf("human output lacks %q:\n%s", want, human.String())
		}
	}
	if !strings.HasPrefix(afterHeading(t, md.String()), "> [!CAUTION]") {
		t.Errorf("markdown:\n%s", md.String())
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(js.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if err := compileSchema(t, true).Validate(doc); err != nil {
		t.Errorf("computed plan's JSON does not validate:\n%v\n%s", err, js.String())
	}
	if testing.Verbose() {
		t.Logf("\n%s", human.String())
	}
}

// TestSensitiveValuesNeverRendered: a field derived from a sensitive
// variable shows "(sensitive)" in every format, verbose included, and its
// values appear nowhere.
func TestSensitiveValuesNeverRendered(t *testing.T) {
	p := fullPlan()
	for _, format := range []string{"human", "human-verbose", "markdown", "json"} {
		var b strings.Builder
		var err error
		switch format {
		case "human":
			err = Human(&b, p, Options{})
		case "human-verbose":
			err = Human(&b, p, Options{Verbose: true})
		case "markdown":
			err = Markdown(&b, p, Options{})
		case "json":
			err = JSON(&b, p)
		}
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(b.String(), "s3cret") {
			t.Errorf("%s output contains the sensitive value:\n%s", format, b.String())
		}
		if format != "markdown" && !strings.Contains(b.String(), "(sensitive)") {
			t.Errorf("%s output does not say (sensitive)", format)
		}
	}
}

// TestMarkdownMarkerAndTruncation: the first line identifies stack,
// project and directory; a plan too long for a comment is cut inside the
// collapsed full plan, with a line saying so, and stays under the limit.
func TestMarkdownMarkerAndTruncation(t *testing.T) {
	p := fullPlan()
	var b bytes.Buffer
	if err := Markdown(&b, p, Options{Dir: "infra/shop"}); err != nil {
		t.Fatal(err)
	}
	if first, _, _ := strings.Cut(b.String(), "\n"); first != `<!-- pubsubctl-plan stack="shop" project="demo-project" dir="infra/shop" -->` {
		t.Errorf("marker = %q", first)
	}
	big := fullPlan()
	for i := range 3000 {
		big.Changes = append(big.Changes, plan.Change{Address: model.Address{Kind: model.KindTopic, Name: fmt.Sprintf("t%04d", i)},
			Kind: model.KindTopic, ID: fmt.Sprintf("t%04d", i), Action: plan.ActionCreate,
			Fields: []plan.FieldDiff{{Path: "labels.team", After: `"x"`}}})
	}
	b.Reset()
	if err := Markdown(&b, big, Options{}); err != nil {
		t.Fatal(err)
	}
	if b.Len() > MaxCommentBytes+1000 || !strings.Contains(b.String(), "more lines not shown") || !strings.HasSuffix(b.String(), "</details>\n") {
		t.Errorf("a large plan: %d bytes, truncation line %v", b.Len(), strings.Contains(b.String(), "more lines not shown"))
	}
}

// TestHumanLargePlanTotalsFirst: a plan of more than LargePlan changes
// starts with its totals by kind; a small one does not.
func TestHumanLargePlanTotalsFirst(t *testing.T) {
	big := &plan.Plan{FormatVersion: plan.FormatVersion, Project: "p", Stack: "s"}
	for i := range LargePlan + 1 {
		big.Changes = append(big.Changes, plan.Change{Address: model.Address{Kind: model.KindTopic, Name: fmt.Sprintf("t%04d", i)},
			Kind: model.KindTopic, ID: fmt.Sprintf("t%04d", i), Action: plan.ActionCreate})
	}
	var b bytes.Buffer
	if err := Human(&b, big, Options{}); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(b.String(), "This plan has 101 changes:\n  101 topics to create\n") {
		t.Errorf("a large plan does not start with its totals:\n%.300s", b.String())
	}
	b.Reset()
	if err := Human(&b, fullPlan(), Options{}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "This plan has") {
		t.Error("a small plan starts with totals")
	}
}

// TestTopology: the picture links topics, subscriptions, dead-letter
// topics and principals, marks changed resources by action, and is left
// out of a plan too large to draw.
func TestTopology(t *testing.T) {
	got := Topology(fullPlan())
	for _, want := range []string{"flowchart LR", `["orders"]`, `("orders-billing")`, `-- "dead letters" -->`, `-- "publishes" -->`, "class n", "classDef delete"} {
		if !strings.Contains(got, want) {
			t.Errorf("topology lacks %q:\n%s", want, got)
		}
	}
	if Topology(noChangesPlan()) != "" {
		t.Error("a plan without changes has a picture")
	}
	big := &plan.Plan{}
	for i := range MaxTopologyNodes + 1 {
		big.Changes = append(big.Changes, plan.Change{Kind: model.KindTopic, Name: fmt.Sprintf("projects/p/topics/t%d", i), Action: plan.ActionCreate})
	}
	if Topology(big) != "" {
		t.Error("a plan too large to draw has a picture")
	}
}

// TestJSONValuesAreNative checks that field values are plain JSON values
// (format 2), not configuration syntax inside strings.
func TestJSONValuesAreNative(t *testing.T) {
	var b bytes.Buffer
	if err := JSON(&b, fullPlan()); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Changes []struct {
			Address string `json:"address"`
			Fields  []struct {
				Path   string `json:"path"`
				Before any    `json:"before"`
				After  any    `json:"after"`
			} `json:"fields"`
		} `json:"changes"`
	}
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	kinds := map[string]bool{}
	for _, c := range doc.Changes {
		for _, f := range c.Fields {
			for _, v := range []any{f.Before, f.After} {
				switch v := v.(type) {
				case string:
					if strings.HasPrefix(v, `"`) || v == "true" || v == "false" {
						t.Errorf("%s %s: value %q is configuration syntax in a string", c.Address, f.Path, v)
					}
					kinds["string"] = true
				case bool:
					kinds["bool"] = true
				case float64:
					kinds["number"] = true
				case []any:
					kinds["list"] = true
				case nil:
				default:
					t.Errorf("%s %s: value %v of type %T", c.Address, f.Path, v, v)
				}
			}
		}
	}
	for _, k := range []string{"string", "bool"} {
		if !kinds[k] {
			t.Errorf("the fixture plan has no %s value: the test does not cover it", k)
		}
	}
}
