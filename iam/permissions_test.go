package iam

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/pubsubctl/pubsubctl/model"
)

// permConfig is a small configuration after defaults: a topic and a pull
// subscription with dead-lettering turned off, so that nothing implies IAM
// unless an option adds it.
func permConfig(opts ...func(*model.Config)) *model.Config {
	c := &model.Config{Project: "demo-project", ProjectNumber: projectNumber, Stack: "shop"}
	c.Topics = []*model.Topic{{Addr: model.Address{Kind: model.KindTopic, Name: "orders"}, Name: "orders"}}
	c.Subscriptions = []*model.Subscription{{
		Addr:             model.Address{Kind: model.KindSubscription, Name: "orders-billing"},
		Name:             "orders-billing",
		Topic:            model.FullName("demo-project", model.KindTopic, "orders"),
		DeadLetterOptOut: &model.OptOut{Reason: "idempotent consumer"},
	}}
	for _, o := range opts {
		o(c)
	}
	return c
}

func withPublishers(c *model.Config) {
	c.Topics[0].IAM.Bindings = append(c.Topics[0].IAM.Bindings, grant(pub, "publishers", sa))
}

func withSchema(c *model.Config) {
	c.Schemas = []*model.Schema{{Addr: model.Address{Kind: model.KindSchema, Name: "order"}, Name: "order", Type: "AVRO"}}
	c.Topics[0].Schema = &model.SchemaSettings{Schema: model.FullName("demo-project", model.KindSchema, "order"), Encoding: "JSON"}
}

func withExternalSchema(c *model.Config) {
	c.Topics[0].Schema = &model.SchemaSettings{Schema: "projects/shared/schemas/order", Encoding: "JSON"}
}

func withSchemaViewers(c *model.Config) {
	c.Schemas[0].IAM.Bindings = append(c.Schemas[0].IAM.Bindings, grant(viewer, "iam", alice))
}

// withDeadLetter turns dead-lettering on the default way (ApplyDefaults),
// which adds the service agent's grants when the project number is known.
func withDeadLetter(c *model.Config) {
	s := c.Subscriptions[0]
	s.DeadLetterOptOut = nil
	model.ApplyDefaults(c, nil)
	if c.ProjectNumber != "" {
		AddDeadLetterGrants(c, c.ProjectNumber) // what the loader does
	}
}

func withoutProjectNumber(c *model.Config) { c.ProjectNumber = "" }

func withPushOIDC(c *model.Config) {
	c.Subscriptions[0].Push = &model.PushConfig{
		Endpoint: "https://billing.example.com/push",
		OIDC:     &model.OIDCToken{ServiceAccount: "push-invoker@demo-project.iam.gserviceaccount.com"},
	}
}

var (
	planBase  = []string{"pubsub.subscriptions.list", "pubsub.topics.list"}
	applyBase = []string{
		"pubsub.subscriptions.create", "pubsub.subscriptions.delete", "pubsub.subscriptions.get", "pubsub.subscriptions.list", "pubsub.subscriptions.update",
		"pubsub.topics.attachSubscription", "pubsub.topics.create", "pubsub.topics.delete", "pubsub.topics.get", "pubsub.topics.list", "pubsub.topics.update",
	}
)

func with(base []string, extra ...string) []string {
	out := append(slices.Clone(base), extra...)
	slices.Sort(out)
	return out
}

func TestNeededPermissions(t *testing.T) {
	tests := []struct {
		name      string
		opts      []func(*model.Config)
		plan      []string
		apply     []string
		nonPubSub []string // permissions outside pubsub.* expected in both
	}{
		{
			name:  "no IAM, no schemas",
			plan:  planBase,
			apply: applyBase,
		},
		{
			name:  "IAM on topics",
			opts:  []func(*model.Config){withPublishers},
			plan:  with(planBase, "pubsub.topics.getIamPolicy"),
			apply: with(applyBase, "pubsub.topics.getIamPolicy", "pubsub.topics.setIamPolicy"),
		},
		{
			name: "schemas declared and used by a topic",
			opts: []func(*model.Config){withSchema},
			plan: with(planBase, "pubsub.schemas.list"),
			apply: with(applyBase, "pubsub.schemas.list", "pubsub.schemas.create", "pubsub.schemas.get", "pubsub.schemas.commit",
				"pubsub.schemas.attach", "pubsub.schemas.delete"),
		},
		{
			name: "schemas with IAM, and IAM on topics",
			opts: []func(*model.Config){withSchema, withSchemaViewers, withPublishers},
			plan: with(planBase, "pubsub.schemas.list", "pubsub.schemas.getIamPolicy", "pubsub.topics.getIamPolicy"),
			apply: with(applyBase, "pubsub.schemas.list", "pubsub.schemas.create", "pubsub.schemas.get", "pubsub.schemas.commit",
				"pubsub.schemas.attach", "pubsub.schemas.delete",
				"pubsub.schemas.getIamPolicy", "pubsub.schemas.setIamPolicy",
				"pubsub.topics.getIamPolicy", "pubsub.topics.setIamPolicy"),
		},
		{
			name:  "a topic uses a schema from another project",
			opts:  []func(*model.Config){withExternalSchema},
			plan:  with(planBase, "pubsub.schemas.list"),
			apply: with(applyBase, "pubsub.schemas.list", "pubsub.schemas.attach"),
		},
		{
			name: "dead-lettering with a known project number",
			opts: []func(*model.Config){withDeadLetter},
			plan: with(planBase, "pubsub.subscriptions.getIamPolicy", "pubsub.topics.getIamPolicy"),
			apply: with(applyBase, "pubsub.subscriptions.getIamPolicy", "pubsub.subscriptions.setIamPolicy",
				"pubsub.topics.getIamPolicy", "pubsub.topics.setIamPolicy"),
		},
		{
			name: "dead-lettering without a project number needs the lookup",
			opts: []func(*model.Config){withoutProjectNumber, withDeadLetter},
			plan: with(planBase, "pubsub.subscriptions.getIamPolicy", "pubsub.topics.getIamPolicy", "resourcemanager.projects.get"),
			apply: with(applyBase, "pubsub.subscriptions.getIamPolicy", "pubsub.subscriptions.setIamPolicy",
				"pubsub.topics.getIamPolicy", "pubsub.topics.setIamPolicy", "resourcemanager.projects.get"),
			nonPubSub: []string{"resourcemanager.projects.get"},
		},
		{
			name:  "no project number but no dead-lettering needs no lookup",
			opts:  []func(*model.Config){withoutProjectNumber},
			plan:  planBase,
			apply: applyBase,
		},
		{
			name:      "push with an OIDC token needs actAs to apply",
			opts:      []func(*model.Config){withPushOIDC},
			plan:      planBase,
			apply:     with(applyBase, "iam.serviceAccounts.actAs"),
			nonPubSub: []string{"iam.serviceAccounts.actAs"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := permConfig(tc.opts...)
			for _, forApply := range []bool{false, true} {
				got := NeededPermissions(c, forApply)
				want := tc.plan
				if forApply {
					want = tc.apply
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("NeededPermissions(apply=%v):\n got %v\nwant %v", forApply, got, want)
				}
				if !slices.IsSorted(got) {
					t.Errorf("not sorted: %v", got)
				}
				for _, p := range got {
					if !strings.HasPrefix(p, "pubsub.") && !slices.Contains(tc.nonPubSub, p) {
						t.Errorf("unexpected permission outside pubsub.*: %s", p)
					}
					if PermissionReason(p) == "" {
						t.Errorf("%s has no reason", p)
					}
				}
			}
		})
	}
}

func TestNeedsWithoutDeletes(t *testing.T) {
	n := Needs(permConfig(withSchema), true)
	if !n.Deletes || n.ManagesIAM || !n.Declared[model.KindSchema] || !n.SchemasOnTopics {
		t.Fatalf("Needs = %+v", n)
	}
	n.Deletes = false
	for _, p := range n.Permissions() {
		if strings.HasSuffix(p.Name, ".delete") {
			t.Errorf("Deletes=false still lists %s", p.Name)
		}
		if p.Reason == "" {
			t.Errorf("%s has no reason", p.Name)
		}
	}
	if plan := Needs(permConfig(), false); plan.Deletes || plan.Apply {
		t.Fatalf("plan needs = %+v", plan)
	}
}

func TestCustomRole(t *testing.T) {
	got := CustomRole([]string{"pubsub.topics.list", "pubsub.subscriptions.list", "pubsub.topics.list", "pubsub.snapshots.seek"}, `pubsubctl "shop" plan`)
	want := `title: "pubsubctl \"shop\" plan"
description: "Permissions pubsubctl needs, generated by ` + "`pubsubctl permissions`" + `."
stage: GA
includedPermissions:
- pubsub.snapshots.seek
- pubsub.subscriptions.list  # ` + PermissionReason("pubsub.subscriptions.list") + `
- pubsub.topics.list  # ` + PermissionReason("pubsub.topics.list") + `
`
	if got != want {
		t.Fatalf("CustomRole:\n%s\nwant:\n%s", got, want)
	}
	if got := CustomRole(nil, ""); !strings.HasPrefix(got, "title: \"pubsubctl\"\n") || !strings.HasSuffix(got, "includedPermissions:\n") {
		t.Fatalf("CustomRole(nil, \"\") = %q", got)
	}
	if got := CustomRole([]string{"bad: perm"}, "x"); !strings.Contains(got, `- "bad: perm"`) {
		t.Fatalf("an odd permission must be quoted: %q", got)
	}
}
