package plan

import (
	"fmt"
	"testing"

	"github.com/pubsubctl/pubsubctl/iam"
	"github.com/pubsubctl/pubsubctl/model"
)

// BenchmarkCompute measures the pure diff of n managed resources (half
// topics, half subscriptions, each with IAM) that match live state, without
// any RPC: the part of a plan that is pubsubctl's own work.
func BenchmarkCompute(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("resources=%d", n), func(b *testing.B) {
			c := &model.Config{Project: project, Stack: "bench"}
			for i := 0; i < n/2; i++ {
				name := fmt.Sprintf("t%05d", i)
				c.Topics = append(c.Topics, &model.Topic{
					Addr: model.Address{Kind: model.KindTopic, Name: name}, Name: name,
					IAM: model.IAM{Bindings: []model.Binding{{Role: model.RolePublisher, Members: []string{"serviceAccount:pub@p.iam.gserviceaccount.com"}, Origin: "publishers"}}},
				})
				s := &model.Subscription{
					Addr: model.Address{Kind: model.KindSubscription, Name: "s" + name}, Name: "s" + name,
					Topic:            model.FullName(project, model.KindTopic, name),
					DeadLetterOptOut: &model.OptOut{Reason: "benchmark"},
					IAM:              model.IAM{Bindings: []model.Binding{{Role: model.RoleSubscriber, Members: []string{"serviceAccount:sub@p.iam.gserviceaccount.com"}, Origin: "subscribers"}}},
				}
				s.Meta.Set("dead_letter", model.SourceUser, nil)
				c.Subscriptions = append(c.Subscriptions, s)
			}
			model.ApplyDefaults(c, nil)
			if c.ProjectNumber != "" {
				iam.AddDeadLetterGrants(c, c.ProjectNumber) // what the loader does
			}
			l := liveFrom(c)
			l.IAMSupported = true
			for _, r := range c.Resources() {
				p := &model.Policy{}
				for _, bd := range r.Policy().Bindings {
					p.Bindings = append(p.Bindings, model.PolicyBinding{Role: bd.Role, Members: bd.Members})
				}
				l.Policies[model.FullName(project, r.Address().Kind, r.ID())] = p
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				p := Compute(c, l, Options{})
				if p.HasChanges() || p.Unchanged != n {
					b.Fatalf("%d changes, %d IAM changes, %d unchanged", len(p.Changes), len(p.IAM), p.Unchanged)
				}
			}
		})
	}
}
