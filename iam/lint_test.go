package iam

import (
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/pubsubctl/pubsubctl/model"
)

// line returns a one-line range on line n of main.hcl.
func line(n int) hcl.Range {
	return hcl.Range{Filename: "main.hcl", Start: hcl.Pos{Line: n, Column: 10, Byte: n * 100}, End: hcl.Pos{Line: n, Column: 20, Byte: n*100 + 10}}
}

// lintConfig is a small configuration whose IAM passes the lint: a topic
// with a publisher and a subscription of it with a subscriber.
func lintConfig() *model.Config {
	c := &model.Config{Project: "demo-project", Stack: "test", ProjectNumber: "123456789012"}
	t := &model.Topic{Addr: model.Address{Kind: model.KindTopic, Name: "orders"}, Name: "orders",
		IAM: model.IAM{Bindings: []model.Binding{{Role: model.RolePublisher, Members: []string{"serviceAccount:checkout@demo-project.iam.gserviceaccount.com"},
			Origin: "publishers", Range: line(24), MemberRanges: []hcl.Range{line(24)}}}},
		Meta: model.Meta{DeclRange: line(20)}}
	s := &model.Subscription{Addr: model.Address{Kind: model.KindSubscription, Name: "orders-billing"}, Name: "orders-billing",
		Topic: "projects/demo-project/topics/orders",
		IAM: model.IAM{Bindings: []model.Binding{{Role: model.RoleSubscriber, Members: []string{"serviceAccount:billing@demo-project.iam.gserviceaccount.com"},
			Origin: "subscribers", Range: line(34), MemberRanges: []hcl.Range{line(34)}}}},
		Meta: model.Meta{DeclRange: line(30)}}
	c.Topics = []*model.Topic{t}
	c.Subscriptions = []*model.Subscription{s}
	return c
}

func topic0(c *model.Config) *model.Topic      { return c.Topics[0] }
func sub0(c *model.Config) *model.Subscription { return c.Subscriptions[0] }

func lintBind(role string, members ...string) model.Binding {
	b := model.Binding{Role: role, Members: members, Origin: "iam", Range: line(50)}
	for i := range members {
		b.MemberRanges = append(b.MemberRanges, line(51+i))
	}
	return b
}

const (
	E = hcl.DiagError
	W = hcl.DiagWarning
)

var lintCases = []struct {
	name    string
	mutate  func(c *model.Config)
	summary string // "" means: no diagnostics at all
	sev     hcl.DiagnosticSeverity
	line    int
}{
	{"roles/editor without allow_broad", func(c *model.Config) {
		topic0(c).IAM.Bindings = append(topic0(c).IAM.Bindings, lintBind("roles/editor", "group:ops@example.com"))
	}, "Broad IAM role", E, 50},
	{"roles/pubsub.admin with allow_broad ok", func(c *model.Config) {
		b := lintBind("roles/pubsub.admin", "group:ops@example.com")
		b.AllowBroad = true
		topic0(c).IAM.Bindings = append(topic0(c).IAM.Bindings, b)
	}, "", 0, 0},
	{"role without prefix", func(c *model.Config) {
		topic0(c).IAM.Bindings = append(topic0(c).IAM.Bindings, lintBind("pubsub.viewer", "group:ops@example.com"))
	}, "Invalid IAM role", E, 50},
	{"custom roles ok", func(c *model.Config) {
		topic0(c).IAM.Bindings = append(topic0(c).IAM.Bindings,
			lintBind("projects/demo-project/roles/myPublisher", "group:ops@example.com"),
			lintBind("organizations/1234/roles/my.viewer", "group:ops@example.com"))
	}, "", 0, 0},
	{"allUsers", func(c *model.Config) {
		sub0(c).IAM.Bindings = append(sub0(c).IAM.Bindings, lintBind(model.RoleViewer, "allUsers"))
	}, "Public IAM member", E, 51},
	{"allAuthenticatedUsers with allow_broad ok", func(c *model.Config) {
		b := lintBind(model.RoleViewer, "allAuthenticatedUsers")
		b.AllowBroad = true
		sub0(c).IAM.Bindings = append(sub0(c).IAM.Bindings, b)
	}, "", 0, 0},
	{"member without type", func(c *model.Config) {
		sub0(c).IAM.Bindings = append(sub0(c).IAM.Bindings, lintBind(model.RoleViewer, "group:ops@example.com", "alice@example.com"))
	}, "Invalid IAM member", E, 52},
	{"member deleted", func(c *model.Config) {
		sub0(c).IAM.Bindings = append(sub0(c).IAM.Bindings, lintBind(model.RoleViewer, "deleted:user:bob@example.com?uid=123"))
	}, "Invalid IAM member", E, 51},
	{"member formats ok", func(c *model.Config) {
		sub0(c).IAM.Bindings = append(sub0(c).IAM.Bindings, lintBind(model.RoleViewer,
			"user:alice@example.com", "group:ops@example.com",
			"principal://iam.googleapis.com/locations/global/workforcePools/pool/subject/alice",
			"principalSet://iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/pool/attribute.team/x",
			"principalSet://iam.googleapis.com/locations/global/workforcePools/pool/group/eng",
			"principalSet://cloudresourcemanager.googleapis.com/projects/123/type/ServiceAccount"))
	}, "", 0, 0},
	{"role miscased roles/Editor", func(c *model.Config) {
		b := lintBind("roles/Editor", "group:ops@example.com")
		b.AllowBroad = true // does not make a miscased role valid
		topic0(c).IAM.Bindings = append(topic0(c).IAM.Bindings, b)
	}, "Invalid IAM role", E, 50},
	{"role miscased roles/pubsub.Publisher", func(c *model.Config) {
		topic0(c).IAM.Bindings = append(topic0(c).IAM.Bindings, lintBind("roles/pubsub.Publisher", "group:ops@example.com"))
	}, "Invalid IAM role", E, 50},
	{"role with a capitalized segment ok", func(c *model.Config) {
		topic0(c).IAM.Bindings = append(topic0(c).IAM.Bindings, lintBind("roles/composer.ServiceAgentV2Ext", "group:ops@example.com"))
	}, "", 0, 0},
	{"domain member without allow_broad", func(c *model.Config) {
		sub0(c).IAM.Bindings = append(sub0(c).IAM.Bindings, lintBind(model.RoleViewer, "group:ops@example.com", "domain:example.com"))
	}, "Broad IAM member", E, 52},
	{"consumer domain member", func(c *model.Config) {
		topic0(c).IAM.Bindings = append(topic0(c).IAM.Bindings, lintBind(model.RolePublisher, "domain:gmail.com"))
	}, "Broad IAM member", E, 51},
	{"domain member with allow_broad ok", func(c *model.Config) {
		b := lintBind(model.RoleViewer, "domain:example.com")
		b.AllowBroad = true
		sub0(c).IAM.Bindings = append(sub0(c).IAM.Bindings, b)
	}, "", 0, 0},
	{"workload identity pool wildcard", func(c *model.Config) {
		sub0(c).IAM.Bindings = append(sub0(c).IAM.Bindings, lintBind(model.RoleViewer,
			"principalSet://iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/gh/*"))
	}, "Broad IAM member", E, 51},
	{"workforce pool wildcard", func(c *model.Config) {
		sub0(c).IAM.Bindings = append(sub0(c).IAM.Bindings, lintBind(model.RoleViewer,
			"principalSet://iam.googleapis.com/locations/global/workforcePools/corp/*"))
	}, "Broad IAM member", E, 51},
	{"pool wildcard with allow_broad ok", func(c *model.Config) {
		b := lintBind(model.RoleViewer, "principalSet://iam.googleapis.com/locations/global/workforcePools/corp/*")
		b.AllowBroad = true
		sub0(c).IAM.Bindings = append(sub0(c).IAM.Bindings, b)
	}, "", 0, 0},
	{"condition", func(c *model.Config) {
		b := lintBind(model.RoleViewer, "group:ops@example.com")
		b.Condition = `request.time < timestamp("2030-01-01T00:00:00Z")`
		sub0(c).IAM.Bindings = append(sub0(c).IAM.Bindings, b)
	}, "IAM conditions are not supported", E, 50},
	{"duplicate member", func(c *model.Config) {
		sub0(c).IAM.Bindings = append(sub0(c).IAM.Bindings, lintBind(model.RoleViewer, "group:ops@example.com", "group:ops@example.com"))
	}, "Duplicate IAM member", W, 52},
	{"publisher also subscriber", func(c *model.Config) {
		sub0(c).IAM.Bindings[0].Members = append(sub0(c).IAM.Bindings[0].Members, "serviceAccount:checkout@demo-project.iam.gserviceaccount.com")
		sub0(c).IAM.Bindings[0].MemberRanges = append(sub0(c).IAM.Bindings[0].MemberRanges, line(55))
	}, "Principal publishes and subscribes", W, 55},
	{"additive bindings are skipped", func(c *model.Config) {
		sub0(c).IAM.Bindings = append(sub0(c).IAM.Bindings, model.Binding{Role: "roles/owner", Members: []string{"allUsers"}, Additive: true})
	}, "", 0, 0},
}

func TestLint(t *testing.T) {
	for _, tc := range lintCases {
		t.Run(tc.name, func(t *testing.T) {
			c := lintConfig()
			tc.mutate(c)
			model.ApplyDefaults(c, nil)
			AddDeadLetterGrants(c, c.ProjectNumber)
			diags := Lint(c)
			if tc.summary == "" {
				if len(diags) != 0 {
					t.Fatalf("want no diagnostics, got %v", diags)
				}
				return
			}
			if len(diags) != 1 || diags[0].Summary != tc.summary || diags[0].Severity != tc.sev {
				t.Fatalf("want one %q, got %v", tc.summary, diags)
			}
			if d := diags[0]; d.Detail == "" || d.Subject == nil || (tc.line != 0 && d.Subject.Start.Line != tc.line) {
				t.Errorf("diagnostic %+v: want a detail and a subject on line %d", d, tc.line)
			}
		})
	}
}

// The details of the new IAM diagnostics: the fix they suggest.
func TestValidateIAMDetails(t *testing.T) {
	for _, tc := range []struct {
		role, member string
		want         []string
	}{
		{"roles/Editor", "group:ops@example.com", []string{`did you mean "roles/editor"`, "allow_broad = true"}},
		{model.RoleViewer, "domain:gmail.com", []string{"gmail.com", "consumer domain", "topic.orders", "allow_broad = true"}},
		{model.RoleViewer, "domain:example.com", []string{"every account in the domain example.com", "domain-wide access", "allow_broad = true"}},
		{model.RolePublisher, "principalSet://iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/gh/*",
			[]string{`every identity in the workload identity pool "gh"`, "attribute.NAME/VALUE", "allow_broad = true"}},
	} {
		c := lintConfig()
		topic0(c).IAM.Bindings = append(topic0(c).IAM.Bindings, lintBind(tc.role, tc.member))
		model.ApplyDefaults(c, nil)
		diags := Lint(c)
		if len(diags) != 1 {
			t.Errorf("%s %s: want one diagnostic, got:\n%s", tc.role, tc.member, diags)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(diags[0].Detail, w) {
				t.Errorf("%s %s: detail %q lacks %q", tc.role, tc.member, diags[0].Detail, w)
			}
		}
	}
}
