package cli

import (
	"strings"

	"github.com/pubsubctl/pubsubctl/model"
)

// derivedOf lists the resources pubsubctl derives from r (a subscription's
// dead-letter topic and subscription).
func derivedOf(cfg *model.Config, r model.Resource) []derivedResource {
	addr := r.Address()
	var out []derivedResource
	for _, t := range cfg.Topics {
		if t.DerivedFrom != nil && *t.DerivedFrom == addr {
			out = append(out, derivedResource{Address: t.Addr.String(), Name: model.FullName(cfg.Project, model.KindTopic, t.Name),
				Role: "dead-letter topic: messages that fail delivery are forwarded here"})
		}
	}
	for _, s := range cfg.Subscriptions {
		if s.DerivedFrom != nil && *s.DerivedFrom == addr {
			out = append(out, derivedResource{Address: s.Addr.String(), Name: model.FullName(cfg.Project, model.KindSubscription, s.Name),
				Role: "pull subscription on the dead-letter topic, to inspect and replay dead letters"})
		}
	}
	return out
}

// membersByRole lists the declared members of each role with the reason
// each is there.
func membersByRole(p *model.IAM) []roleMembers {
	var out []roleMembers
	for _, role := range p.Roles() {
		rm := roleMembers{Role: role}
		seen := map[string]int{}
		for _, b := range p.Bindings {
			if b.Role != role {
				continue
			}
			why := originText(b.Origin)
			for i, m := range b.Members {
				loc := ""
				if i < len(b.MemberRanges) {
					loc = location(b.MemberRanges[i])
				} else if b.Range.Filename != "" {
					loc = location(b.Range)
				}
				if j, ok := seen[m]; ok {
					rm.Members[j].Why += "; " + why
					continue
				}
				seen[m] = len(rm.Members)
				rm.Members = append(rm.Members, memberWhy{Member: m, Why: why, Location: loc})
			}
		}
		out = append(out, rm)
	}
	return out
}

func originText(origin string) string {
	switch {
	case origin == "" || origin == "iam":
		return "iam block"
	case origin == "publishers" || origin == "subscribers" || origin == "viewers":
		return origin + " shortcut"
	case strings.HasPrefix(origin, "dead-letter grant"):
		return origin + ": the Pub/Sub service agent forwards dead letters"
	}
	return origin
}

// Roles whose members can publish to a topic or consume from a
// subscription (on the resource itself).
var (
	publishRoles = []string{model.RolePublisher, "roles/pubsub.editor", "roles/pubsub.admin", "roles/editor", "roles/owner"}
	consumeRoles = []string{model.RoleSubscriber, "roles/pubsub.editor", "roles/pubsub.admin", "roles/editor", "roles/owner"}
)

// whoCan lists who can publish to r (a topic, or a subscription's topic)
// and who consumes from it (a subscription's subscribers and delivery, or
// a topic's subscriptions).
func whoCan(cfg *model.Config, r model.Resource) (publishers, consumers []access) {
	grants := func(p *model.IAM, roles []string, via string) []access {
		var out []access
		for _, rm := range membersByRole(p) {
			if !contains(roles, rm.Role) {
				continue
			}
			for _, m := range rm.Members {
				if rm.Role == model.RoleSubscriber && strings.HasPrefix(m.Why, "dead-letter grant") {
					continue // the service agent forwards dead letters: it consumes nothing
				}
				out = append(out, access{Who: m.Member, Via: rm.Role + " on " + via + " (" + m.Why + ")"})
			}
		}
		return out
	}
	topicOf := func(full string) *model.Topic {
		for _, t := range cfg.Topics {
			if model.FullName(cfg.Project, model.KindTopic, t.Name) == full {
				return t
			}
		}
		return nil
	}
	subConsumers := func(s *model.Subscription) []access {
		out := grants(&s.IAM, consumeRoles, s.Addr.String())
		switch {
		case s.Push != nil:
			via := "push to " + s.Push.Endpoint
			if s.Push.OIDC != nil {
				via += " (OIDC token as " + s.Push.OIDC.ServiceAccount + ")"
			}
			out = append(out, access{Who: s.Push.Endpoint, Via: via + " from " + s.Addr.String()})
		case s.BigQuery != nil:
			out = append(out, access{Who: "bigquery:" + s.BigQuery.Table, Via: "BigQuery export from " + s.Addr.String()})
		case s.CloudStorage != nil:
			out = append(out, access{Who: "gs://" + s.CloudStorage.Bucket, Via: "Cloud Storage export from " + s.Addr.String()})
		}
		return out
	}
	switch r := r.(type) {
	case *model.Topic:
		publishers = grants(&r.IAM, publishRoles, r.Addr.String())
		full := model.FullName(cfg.Project, model.KindTopic, r.Name)
		for _, s := range cfg.Subscriptions {
			if s.Topic == full {
				consumers = append(consumers, subConsumers(s)...)
				if len(subConsumers(s)) == 0 {
					consumers = append(consumers, access{Who: s.Addr.String(), Via: "pull subscription (no subscriber declared on it)"})
				}
			}
		}
	case *model.Subscription:
		if t := topicOf(r.Topic); t != nil {
			publishers = grants(&t.IAM, publishRoles, t.Addr.String())
		}
		consumers = subConsumers(r)
	}
	return publishers, consumers
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
