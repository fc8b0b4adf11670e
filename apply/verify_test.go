package apply

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/pubsubctl/pubsubctl/iam"
	"github.com/pubsubctl/pubsubctl/model"
	"github.com/pubsubctl/pubsubctl/plan"
)

// TestVerify: a plan derived from the configuration and live state passes;
// each edit an attacker could make to a saved plan file (after re-sealing
// its digest) breaks a guarantee that Verify re-derives from live state and
// the configuration, not from the plan's own markers.
func TestVerify(t *testing.T) {
	orders := ownedTopic("orders")
	orders.IAM = grant(model.RolePublisher, "serviceAccount:checkout@p.iam.gserviceaccount.com")
	billing := ownedSub("billing", "orders")
	billing.Filter = `attributes.kind = "a"`
	fresh := &model.Topic{Addr: model.Address{Kind: model.KindTopic, Name: "fresh"}, Name: "fresh", Labels: ownedLabels()}
	cfg := cfgOf(orders, billing, fresh)

	liveBilling := *billing
	liveBilling.Filter = `attributes.kind = "b"` // replace
	liveOrders := *orders
	liveOrders.Labels = ownedLabels("team", "old") // update
	liveOrders.IAM = model.IAM{}
	old := ownedTopic("old") // delete
	theirs := &model.Topic{Addr: model.Address{Kind: model.KindTopic, Name: "theirs"}, Name: "theirs",
		Labels: map[string]string{model.LabelManagedBy: model.ManagedByValue, model.LabelStack: "other"}}
	manual := &model.Topic{Addr: model.Address{Kind: model.KindTopic, Name: "manual"}, Name: "manual"}
	manualSub := &model.Subscription{Addr: model.Address{Kind: model.KindSubscription, Name: "manual-sub"}, Name: "manual-sub", Topic: model.FullName("p", model.KindTopic, "manual")}
	l := &model.State{Project: "p", IAMSupported: true, Policies: map[string]*model.Policy{},
		Topics:        []*model.Topic{&liveOrders, old, theirs, manual},
		Subscriptions: []*model.Subscription{&liveBilling, manualSub}}
	derive := func() *plan.Plan { return plan.Compute(cfg, l, plan.Options{}) }

	if v := Verify(derive(), l, cfg); len(v) != 0 {
		t.Fatalf("a derived plan fails verification: %v", v)
	}
	find := func(p *plan.Plan, addr string) *plan.Change {
		for i := range p.Changes {
			if p.Changes[i].Address.String() == addr {
				return &p.Changes[i]
			}
		}
		t.Fatalf("no change of %s in %+v", addr, p.Changes)
		return nil
	}
	topicAddr := func(n string) model.Address { return model.Address{Kind: model.KindTopic, Name: n} }
	for _, tc := range []struct {
		name string
		edit func(p *plan.Plan)
		want string
	}{
		{"delete another stack's topic", func(p *plan.Plan) {
			p.Changes = append(p.Changes, plan.Change{Address: topicAddr("theirs"), Kind: model.KindTopic, ID: "theirs", Name: "projects/p/topics/theirs", Action: plan.ActionDelete})
		}, `topic.theirs (delete): projects/p/topics/theirs is managed by stack "other"`},
		{"delete an unlabelled subscription", func(p *plan.Plan) {
			p.Changes = append(p.Changes, plan.Change{Address: model.Address{Kind: model.KindSubscription, Name: "manual-sub"}, Kind: model.KindSubscription,
				ID: "manual-sub", Name: "projects/p/subscriptions/manual-sub", Action: plan.ActionDelete})
		}, "subscription.manual-sub (delete): projects/p/subscriptions/manual-sub does not carry this stack's labels"},
		{"delete a declared resource", func(p *plan.Plan) {
			p.Changes = append(p.Changes, plan.Change{Address: topicAddr("orders"), Kind: model.KindTopic, ID: "orders", Name: "projects/p/topics/orders", Action: plan.ActionDelete})
		}, "the configuration declares projects/p/topics/orders"},
		{"update another stack's topic", func(p *plan.Plan) {
			ch := find(p, "topic.orders")
			ch.ID, ch.Name, ch.Address = "theirs", "projects/p/topics/theirs", topicAddr("theirs")
		}, `is managed by stack "other"`},
		{"a create renamed to evil-topic", func(p *plan.Plan) {
			find(p, "topic.fresh").After.Topic = &model.Topic{Name: "evil-topic", Labels: ownedLabels()}
		}, "topic.fresh (create): the values it would write are not the ones the configuration declares"},
		{"a create renamed everywhere", func(p *plan.Plan) {
			ch := find(p, "topic.fresh")
			ch.ID, ch.Name = "evil-topic", "projects/p/topics/evil-topic"
			ch.After.Topic = &model.Topic{Name: "evil-topic", Labels: ownedLabels()}
		}, "the configuration does not declare topic evil-topic"},
		{"a create's name points elsewhere", func(p *plan.Plan) {
			find(p, "topic.fresh").Name = "projects/other/topics/fresh"
		}, "names projects/other/topics/fresh, but topic fresh is projects/p/topics/fresh"},
		{"an extra label", func(p *plan.Plan) {
			after := *find(p, "topic.orders").After.Topic // the plan shares the configuration's values
			after.Labels = ownedLabels("extra", "x")
			find(p, "topic.orders").After.Topic = &after
		}, "topic.orders (update): the values it would write"},
		{"a changed retention", func(p *plan.Plan) {
			after := *find(p, "subscription.billing").After.Subscription
			after.MessageRetention = 1
			find(p, "subscription.billing").After.Subscription = &after
		}, "subscription.billing (replace): the values it would write"},
		{"creating what exists", func(p *plan.Plan) {
			p.Changes = append(p.Changes, plan.Change{Address: topicAddr("manual"), Kind: model.KindTopic, ID: "manual", Name: "projects/p/topics/manual", Action: plan.ActionCreate})
		}, "projects/p/topics/manual already exists"},
		{"adopt without --adopt", func(p *plan.Plan) {
			find(p, "topic.orders").Action = plan.ActionAdopt
		}, "adoption needs a plan made with --adopt"},
		{"IAM on an unlabelled topic", func(p *plan.Plan) {
			p.IAM = append(p.IAM, plan.IAMChange{Address: topicAddr("manual"), Kind: model.KindTopic, Name: "projects/p/topics/manual",
				Members: []iam.MemberChange{{Role: model.RolePublisher, Member: "allUsers", Action: iam.ActionAdd}},
				Desired: iam.DesiredPolicy{Roles: map[string][]string{model.RolePublisher: {"allUsers"}}}})
		}, "the configuration does not declare projects/p/topics/manual"},
		{"IAM on another project's resource", func(p *plan.Plan) {
			p.IAM = append(p.IAM, plan.IAMChange{Address: topicAddr("x"), Kind: model.KindTopic, Name: "projects/victim/topics/x"})
		}, "projects/victim/topics/x is not a resource of project p"},
		{"allUsers added to a declared binding", func(p *plan.Plan) {
			ic := &p.IAM[0]
			ic.Members = append(ic.Members, iam.MemberChange{Role: model.RolePublisher, Member: "allUsers", Action: iam.ActionAdd})
		}, "it adds allUsers to roles/pubsub.publisher, which the configuration does not declare"},
		{"allUsers in the desired policy", func(p *plan.Plan) {
			ic := &p.IAM[0]
			ic.Desired.Roles = map[string][]string{model.RolePublisher: {"allUsers", "serviceAccount:checkout@p.iam.gserviceaccount.com"}}
		}, "the policy it would write on projects/p/topics/orders is not the one the configuration declares"},
		{"whole-policy takeover", func(p *plan.Plan) {
			p.IAM[0].WholePolicy = true
		}, "is not the one the configuration declares"},
		{"plan for another stack", func(p *plan.Plan) { p.Stack = "other" }, "the plan is for project p, stack other"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := derive()
			tc.edit(p)
			v := Verify(p, l, cfg)
			var all []string
			for _, x := range v {
				all = append(all, x.String())
			}
			if !strings.Contains(strings.Join(all, "\n"), tc.want) {
				t.Fatalf("Verify = %q, want a violation containing %q", all, tc.want)
			}
		})
	}
}

// TestVerifyLintsBroadIAM: a broad role or public member passes only where
// the configuration's binding says allow_broad.
func TestVerifyLintsBroadIAM(t *testing.T) {
	topic := ownedTopic("pub")
	topic.IAM = model.IAM{Bindings: []model.Binding{{Role: model.RolePublisher, Members: []string{"allUsers"}, AllowBroad: true}}}
	cfg := cfgOf(topic)
	l := &model.State{Project: "p", IAMSupported: true, Policies: map[string]*model.Policy{}}
	p := plan.Compute(cfg, l, plan.Options{})
	if v := Verify(p, l, cfg); len(v) != 0 {
		t.Fatalf("allow_broad binding refused: %v", v)
	}
	topic.IAM.Bindings[0].AllowBroad = false
	v := Verify(p, l, cfg)
	if len(v) == 0 || !strings.Contains(v[len(v)-1].Reason, "broad and no binding with allow_broad") {
		t.Fatalf("Verify = %v, want the broad-member lint", v)
	}
}

// FuzzVerify: whatever a saved plan file decodes to, Verify neither panics
// nor accepts a plan that differs from the derived one in what it changes.
func FuzzVerify(f *testing.F) {
	orders := ownedTopic("orders")
	orders.IAM = grant(model.RolePublisher, "serviceAccount:checkout@p.iam.gserviceaccount.com")
	cfg := cfgOf(orders, ownedSub("billing", "orders"))
	theirs := &model.Topic{Addr: model.Address{Kind: model.KindTopic, Name: "theirs"}, Name: "theirs",
		Labels: map[string]string{model.LabelManagedBy: model.ManagedByValue, model.LabelStack: "other"}}
	l := &model.State{Project: "p", IAMSupported: true, Policies: map[string]*model.Policy{}, Topics: []*model.Topic{theirs, ownedTopic("old")}}
	derived := plan.Compute(cfg, l, plan.Options{})
	seed, err := json.Marshal(derived)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Add([]byte(`{"changes":[{"address":{"Kind":2,"Name":"theirs"},"kind":2,"id":"theirs","name":"projects/p/topics/theirs","action":"delete"}]}`))
	f.Add([]byte(`{"iam":[{"name":"projects/p/topics/theirs","desired":{"Roles":{"roles/owner":["allUsers"]}}}]}`))
	f.Add([]byte(`{"changes":[{"kind":9,"action":"create","after":{}}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var p plan.Plan
		if json.Unmarshal(b, &p) != nil {
			return
		}
		v := Verify(&p, l, cfg)
		if len(v) > 0 {
			return
		}
		// Accepted: what every change does (action, resource, values
		// written) must be what the derived plan does to that resource.
		does := func(ch plan.Change) string {
			return fmt.Sprintf("%s %s %s %s", ch.Action, ch.Kind, ch.ID, plan.Canonical(ch.After))
		}
		want := map[string]bool{}
		for _, ch := range derived.Changes {
			want[does(ch)] = true
		}
		for _, ch := range p.Changes {
			if !want[does(ch)] {
				t.Fatalf("Verify accepted a change the configuration does not give: %s", does(ch))
			}
		}
	})
}
