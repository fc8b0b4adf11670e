package model

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
)

// scaleConfig is baseConfig plus n topics with one subscription each, the
// subscription with the derived dead-letter topic and subscription (after
// ApplyDefaults).
func scaleConfig(n int) *Config {
	c := baseConfig()
	for i := range n {
		name := fmt.Sprintf("t%05d", i)
		t := &Topic{Addr: Address{Kind: KindTopic, Name: name}, Name: name, Meta: Meta{DeclRange: line(60)}}
		userSet(&t.Meta, "name", 60)
		c.Topics = append(c.Topics, t)
		addSub(c, "s"+name).Topic = FullName(c.Project, KindTopic, name)
	}
	ApplyDefaults(c, nil)
	return c
}

func TestValidateQuota(t *testing.T) {
	// baseConfig has one topic and one subscription: 1+4,999 declared
	// subscriptions and as many derived make exactly 10,000 (and as many
	// topics).
	if diags := Validate(scaleConfig(4999)); len(diags) != 0 {
		t.Fatalf("at the quota: want no diagnostics, got:\n%s", dump(diags))
	}
	diags := Validate(scaleConfig(5000))
	if len(diags) != 2 {
		t.Fatalf("want two warnings about the quota, got:\n%s", dump(diags))
	}
	for i, k := range []string{"topics", "subscriptions"} {
		d := diags[i]
		if d.Summary != "More "+k+" than Pub/Sub allows" || d.Severity != hcl.DiagWarning {
			t.Fatalf("want a warning about the %s quota, got:\n%s", k, dump(diags))
		}
		for _, want := range []string{"creates 10,002 " + k + ": 5,001 declared and 5,001 dead-letter " + k, "at most 10,000 " + k + " per project"} {
			if !strings.Contains(d.Detail, want) {
				t.Errorf("detail lacks %q:\n%s", want, d.Detail)
			}
		}
	}
}

// TestValidateLinear checks, without timing anything, that validation does
// a constant amount of work per resource: the allocations per subscription
// of 10,000 subscriptions are within 1.5x of those of 1,000. (Looking up a
// subscription's topic used to build the full name of every topic: 10x
// the subscriptions made 100x the allocations.)
func TestValidateLinear(t *testing.T) {
	perSub := func(n int) float64 {
		c := scaleConfig(n)
		return testing.AllocsPerRun(2, func() { Validate(c) }) / float64(n)
	}
	small, large := perSub(1000), perSub(10000)
	if large > 1.5*small {
		t.Fatalf("validation is not linear: %.1f allocations per subscription at 1,000, %.1f at 10,000", small, large)
	}
	t.Logf("%.1f allocations per subscription at 1,000, %.1f at 10,000", small, large)
}

// TestWarningsNameTheirResource: a warning about one resource says which
// in its Extra, as its detail names it, so that the same warning about
// many resources can be shown once (render.Diagnostics).
func TestWarningsNameTheirResource(t *testing.T) {
	c := baseConfig()
	sub0(c).DeadLetterOptOut = &OptOut{}
	userSet(&sub0(c).Meta, "dead_letter", 43)
	s := addSub(c, "orders-audit")
	s.Addr = Address{Kind: KindSubscription, Name: "audit", Key: "eu", HasKey: true}
	s.DeadLetterOptOut = &OptOut{}
	userSet(&s.Meta, "dead_letter", 44)
	ApplyDefaults(c, nil)
	diags := Validate(c)
	if len(diags) != 2 {
		t.Fatalf("want two warnings, got:\n%s", dump(diags))
	}
	for i, want := range []string{"subscription.orders-billing", `subscription.audit["eu"]`} {
		rd, ok := diags[i].Extra.(*ResourceDiagnostic)
		if !ok || rd.Kind != KindSubscription || rd.Resource != want {
			t.Errorf("warning %d: Extra = %#v, want the resource %s", i, diags[i].Extra, want)
			continue
		}
		if !strings.HasPrefix(diags[i].Detail, want+" ") {
			t.Errorf("warning %d: the detail does not name %s as Extra does: %s", i, want, diags[i].Detail)
		}
	}
}
