package plan

import (
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/pubsubctl/pubsubctl/model"
)

func TestConfigDigest(t *testing.T) {
	a, b := desiredConfig(), desiredConfig()
	if ConfigDigest(a) != ConfigDigest(b) {
		t.Fatal("the same configuration has two digests")
	}
	// Where a value was written does not matter (a checkout elsewhere).
	b.Topics[0].Meta.DeclRange = hcl.Range{Filename: "/elsewhere/main.hcl"}
	if ConfigDigest(a) != ConfigDigest(b) {
		t.Error("the digest depends on source ranges")
	}
	// What it says does.
	b.Topics[0].Labels = map[string]string{"team": "x"}
	if ConfigDigest(a) == ConfigDigest(b) {
		t.Error("a changed label keeps the digest")
	}
}

func TestDivergence(t *testing.T) {
	c := desiredConfig()
	l := &model.State{Project: project, IAMSupported: true}
	derive := func() *Plan { return Compute(c, l, Options{}) }
	if d := Divergence(derive(), derive()); d != "" {
		t.Fatalf("identical plans diverge: %s", d)
	}
	for _, tc := range []struct {
		name string
		edit func(p *Plan)
		want string
	}{
		{"a change dropped", func(p *Plan) { p.Changes = p.Changes[1:] }, "resource changes"},
		{"an action changed", func(p *Plan) { p.Changes[0].Action = ActionDelete }, "is not the one the configuration and live state give"},
		{"a field value changed", func(p *Plan) { p.Changes[0].Fields[0].After = `"evil"` }, "is not the one"},
		{"an IAM change added", func(p *Plan) { p.IAM = append(p.IAM, IAMChange{Name: "projects/p/topics/x"}) }, "IAM changes"},
		{"an IAM member changed", func(p *Plan) { p.IAM[0].Members[0].Member = "allUsers" }, "its IAM change of"},
		{"the stack changed", func(p *Plan) { p.Stack = "other" }, "stack other"},
		{"adopt set", func(p *Plan) { p.Adopt = true }, "--adopt"},
		{"unmanaged hidden", func(p *Plan) { p.Unmanaged = append(p.Unmanaged, Unmanaged{ID: "x"}) }, "does not manage"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := derive()
			if len(p.IAM) == 0 {
				t.Fatal("the fixture plans no IAM")
			}
			tc.edit(p)
			if d := Divergence(p, derive()); !strings.Contains(d, tc.want) {
				t.Errorf("Divergence = %q, want %q", d, tc.want)
			}
		})
	}
}
