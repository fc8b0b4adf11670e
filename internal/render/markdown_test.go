package render

import (
	"bytes"
	"strings"
	"testing"

	"github.com/pubsubctl/pubsubctl/model"
	"github.com/pubsubctl/pubsubctl/plan"
)

// Plan text quotes values the Go way; Markdown shows the values themselves
// as code, escaping only what prose and tables need.
func TestMDTextShowsQuotedValuesReadably(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`filter cannot be changed in place ("attributes.type = \"placed\"" → "attributes.type = \"paid\"")`,
			"filter cannot be changed in place (`attributes.type = \"placed\"` → `attributes.type = \"paid\"`)"},
		{`managed by stack "analytics"`, "managed by stack `analytics`"},
		// A value holding a backtick gets a longer fence.
		{`label "a` + "`" + `b"`, "label ``a`b``"},
		// Values that would not read well unquoted keep their quotes.
		{`from "" to "x"`, "from `\"\"` to `x`"},
		{`prefix " x"`, "prefix `\" x\"`"},
		{`definition "line1\nline2"`, "definition `\"line1\\nline2\"`"},
		// Prose is escaped; existing code spans are kept.
		{"run `pubsubctl forget` on _deleted-topic_ <b>", "run `pubsubctl forget` on \\_deleted-topic\\_ &lt;b&gt;"},
		// An unterminated quote or backtick is prose.
		{`a "b`, `a "b`},
		{"a `b", "a \\`b"},
		{"two\nlines", "two lines"},
	} {
		if got := mdText(tc.in); got != tc.want {
			t.Errorf("mdText(%q)\n got %s\nwant %s", tc.in, got, tc.want)
		}
	}
}

// In a table cell a value's pipe is escaped (GitHub reads \| as a pipe
// even in a code span) and no quote is shown escaped.
func TestMarkdownTableCellValues(t *testing.T) {
	p := &plan.Plan{FormatVersion: plan.FormatVersion, Project: "demo-project", Stack: "shop"}
	p.Changes = append(p.Changes, plan.Change{
		Address:        model.Address{Kind: model.KindSubscription, Name: "audit"},
		Kind:           model.KindSubscription,
		Action:         plan.ActionReplace,
		ReplaceReasons: []string{`filter cannot be changed in place ("attributes.a = \"x|y\"" → "hasPrefix(attributes.b, \"z\")")`},
	})
	var b bytes.Buffer
	if err := Markdown(&b, p, Options{Dir: "infra"}); err != nil {
		t.Fatal(err)
	}
	var row string
	for _, l := range strings.Split(b.String(), "\n") {
		if strings.HasPrefix(l, "| ") && strings.Contains(l, "subscription.audit") {
			row = l
		}
	}
	want := "| `-/+` replace | `subscription.audit` | filter cannot be changed in place (`attributes.a = \"x\\|y\"` → `hasPrefix(attributes.b, \"z\")`) |"
	if row != want {
		t.Errorf("table row\n got %s\nwant %s", row, want)
	}
	// The full human plan (HCL syntax, in a diff block) quotes as HCL does;
	// everything before it shows values unescaped.
	summary, _, _ := strings.Cut(b.String(), "<details><summary>Full plan")
	if strings.Contains(summary, `\"`) {
		t.Errorf("escaped quote in the Markdown plan:\n%s", summary)
	}
}
