package iam

import (
	"reflect"
	"testing"

	"github.com/pubsubctl/pubsubctl/model"
)

const projectNumber = "123456789012"

// dlConfig is a topic and a subscription that dead-letters (pubsubctl's
// default), after ApplyDefaults, without the project number: the dead-letter
// topic and subscription "orders-billing-dlq" are materialized, but no
// service-agent grant exists yet.
func dlConfig(subscribers ...string) *model.Config {
	c := &model.Config{Project: "demo-project", Stack: "shop"}
	c.Topics = []*model.Topic{{Addr: model.Address{Kind: model.KindTopic, Name: "orders"}, Name: "orders"}}
	s := &model.Subscription{
		Addr:  model.Address{Kind: model.KindSubscription, Name: "orders-billing"},
		Name:  "orders-billing",
		Topic: model.FullName("demo-project", model.KindTopic, "orders"),
	}
	if len(subscribers) > 0 {
		s.IAM.Bindings = append(s.IAM.Bindings, grant(sub, "subscribers", subscribers...))
	}
	c.Subscriptions = []*model.Subscription{s}
	model.ApplyDefaults(c, nil)
	return c
}

func findTopic(t *testing.T, c *model.Config, name string) *model.Topic {
	t.Helper()
	for _, x := range c.Topics {
		if x.Name == name {
			return x
		}
	}
	t.Fatalf("no topic %q", name)
	return nil
}

func findSub(t *testing.T, c *model.Config, name string) *model.Subscription {
	t.Helper()
	for _, x := range c.Subscriptions {
		if x.Name == name {
			return x
		}
	}
	t.Fatalf("no subscription %q", name)
	return nil
}

func TestDeadLetterGrants(t *testing.T) {
	tests := []struct {
		name          string
		number        string
		subscribers   []string
		liveSub       *model.Policy
		liveDLQ       *model.Policy
		wantSub       []MemberChange
		wantDLQ       []MemberChange
		wantAuthorSub bool
	}{
		{
			name:    "with a project number the agent is granted additively",
			number:  projectNumber,
			liveSub: pol("e", bind(sub, bob)),
			liveDLQ: pol("e", bind(viewer, carol)),
			wantSub: []MemberChange{add(sub, agent, dlOrigin)},
			wantDLQ: []MemberChange{add(pub, agent, dlOrigin)},
		},
		{
			name:    "with a project number and the grants already live nothing changes",
			number:  projectNumber,
			liveSub: pol("e", bind(sub, bob, agent)),
			liveDLQ: pol("e", bind(pub, agent, alice)),
		},
		{
			name:          "a declared subscribers list absorbs the agent into its authoritative set",
			number:        projectNumber,
			subscribers:   []string{sa},
			liveSub:       pol("e", bind(sub, bob, agent)),
			liveDLQ:       pol("e"),
			wantSub:       []MemberChange{rm(sub, bob), add(sub, sa, "subscribers")},
			wantDLQ:       []MemberChange{add(pub, agent, dlOrigin)},
			wantAuthorSub: true,
		},
		{
			name:    "without a project number there are no grants and nothing is touched",
			liveSub: pol("e", bind(sub, bob, agent)),
			liveDLQ: pol("e", bind(pub, alice)),
		},
		{
			name:          "without a project number a declared role is still authoritative",
			subscribers:   []string{sa},
			liveSub:       pol("e", bind(sub, agent)),
			liveDLQ:       pol("e"),
			wantSub:       []MemberChange{rm(sub, agent), add(sub, sa, "subscribers")},
			wantAuthorSub: true,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := dlConfig(tc.subscribers...)
			if tc.number != "" {
				AddDeadLetterGrants(c, tc.number)
				AddDeadLetterGrants(c, tc.number) // idempotent
			}
			s := findSub(t, c, "orders-billing")
			dlq := findTopic(t, c, model.DeadLetterName("orders-billing"))

			ds := Desired(s.IAM)
			if got := Diff(ds, tc.liveSub); !reflect.DeepEqual(got, tc.wantSub) {
				t.Errorf("subscription: Diff = %v, want %v", got, tc.wantSub)
			}
			if ds.Authoritative[sub] != tc.wantAuthorSub {
				t.Errorf("subscription: Authoritative[subscriber] = %v, want %v", ds.Authoritative[sub], tc.wantAuthorSub)
			}
			dd := Desired(dlq.IAM)
			if got := Diff(dd, tc.liveDLQ); !reflect.DeepEqual(got, tc.wantDLQ) {
				t.Errorf("dead-letter topic: Diff = %v, want %v", got, tc.wantDLQ)
			}
			if dd.Authoritative[pub] {
				t.Error("dead-letter topic: the agent's publisher grant must stay additive")
			}
			// The source topic and the dead-letter subscription get nothing.
			if got := Desired(findTopic(t, c, "orders").IAM); got.Managed() {
				t.Errorf("source topic IAM managed: %+v", got)
			}
			if got := Desired(findSub(t, c, model.DeadLetterName("orders-billing")).IAM); got.Managed() {
				t.Errorf("dead-letter subscription IAM managed: %+v", got)
			}
			if len(c.ExternalBindings) != 0 {
				t.Errorf("ExternalBindings = %+v, want none", c.ExternalBindings)
			}
		})
	}
}

// A dead-letter topic in another project gets its grant as an external
// binding, which diffs like any other additive grant.
func TestDeadLetterGrantOnExternalTopic(t *testing.T) {
	const external = "projects/shared-dlq/topics/all-dead-letters"
	c := &model.Config{Project: "demo-project", Stack: "shop"}
	c.Subscriptions = []*model.Subscription{{
		Addr:       model.Address{Kind: model.KindSubscription, Name: "orders-billing"},
		Name:       "orders-billing",
		Topic:      model.FullName("demo-project", model.KindTopic, "orders"),
		DeadLetter: &model.DeadLetter{Topic: external, MaxDeliveryAttempts: 5},
	}}
	AddDeadLetterGrants(c, projectNumber)
	if len(c.ExternalBindings) != 1 || c.ExternalBindings[0].Resource != external {
		t.Fatalf("ExternalBindings = %+v", c.ExternalBindings)
	}
	got := Diff(Desired(c.ExternalBindings[0].IAM), pol("e", bind(pub, "serviceAccount:someone@other.iam.gserviceaccount.com")))
	if want := []MemberChange{add(pub, agent, dlOrigin)}; !reflect.DeepEqual(got, want) {
		t.Fatalf("Diff = %v, want %v", got, want)
	}
}
