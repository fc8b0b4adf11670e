package iam

import (
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/pubsubctl/pubsubctl/model"
)

// Lint applies pubsubctl's least-privilege rules to the IAM a configuration
// declares: role and member grammar (rules.go), broad roles and broad
// members only with allow_broad = true, no conditions, no duplicate
// members, and a warning when one principal both publishes to a topic and
// consumes from one of its subscriptions. pubsubctl's own grants (the
// additive dead-letter grants) are not linted. Diagnostics point at the
// binding or the member; the caller sorts them with the model's
// (model.SortDiagnostics).
func Lint(c *model.Config) hcl.Diagnostics {
	if c == nil {
		return nil
	}
	l := &linter{c: c}
	for _, r := range c.Resources() {
		l.resource(r)
	}
	l.flows()
	return l.diags
}

type linter struct {
	c     *model.Config
	diags hcl.Diagnostics
}

func (l *linter) add(sev hcl.DiagnosticSeverity, r hcl.Range, summary, detail string, args ...any) {
	l.diags = append(l.diags, model.NewDiagnostic(sev, r, summary, detail, args...))
}

func (l *linter) errorf(r hcl.Range, summary, detail string, args ...any) {
	l.add(hcl.DiagError, r, summary, detail, args...)
}

func (l *linter) warnf(r hcl.Range, summary, detail string, args ...any) {
	l.add(hcl.DiagWarning, r, summary, detail, args...)
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// narrowRoles suggests least-privilege roles per resource kind.
func narrowRoles(k model.Kind) string {
	switch k {
	case model.KindTopic:
		return "roles/pubsub.publisher to publish (publishers = [...]) or roles/pubsub.viewer to read its configuration (viewers = [...])"
	case model.KindSubscription:
		return "roles/pubsub.subscriber to consume (subscribers = [...]) or roles/pubsub.viewer to read its configuration (viewers = [...])"
	}
	return "roles/pubsub.viewer to read it (viewers = [...])"
}

func (l *linter) resource(res model.Resource) {
	p := res.Policy()
	decl := res.Metadata().DeclRange
	for _, b := range p.Bindings {
		if b.Additive {
			continue // pubsubctl's own grants
		}
		br := b.Range
		if model.IsZeroRange(br) {
			br = decl
		}
		memberRange := func(i int) hcl.Range {
			if i < len(b.MemberRanges) && !model.IsZeroRange(b.MemberRanges[i]) {
				return b.MemberRanges[i]
			}
			return br
		}
		if err := ValidateRole(b.Role); err != nil {
			l.errorf(br, "Invalid IAM role", "%s.", capitalize(err.Error()))
		} else if IsBroadRole(b.Role) && !b.AllowBroad {
			extra := ""
			switch b.Role {
			case "roles/pubsub.admin":
				extra = " roles/pubsub.admin can also change IAM policies."
			case "roles/owner", "roles/editor", "roles/viewer":
				extra = " " + b.Role + " is a primitive role: it reaches far beyond Pub/Sub."
			}
			l.errorf(br, "Broad IAM role",
				"This binding grants %s on %s.%s Grant the narrowest role that does the job: %s. If the broad role is intended, set allow_broad = true in this iam block.",
				b.Role, model.Describe(res), extra, narrowRoles(res.Address().Kind))
		}
		if b.Condition != "" {
			l.errorf(br, "IAM conditions are not supported",
				"Pub/Sub resources do not support IAM conditions, so the binding of %s on %s cannot be conditional. Remove the condition; grant the role only to principals that need it at all times.",
				b.Role, model.Describe(res))
		}
		seen := map[string]bool{}
		for i, mem := range b.Members {
			r := memberRange(i)
			if seen[mem] {
				l.warnf(r, "Duplicate IAM member", "%q is listed more than once for %s; remove the duplicate.", mem, b.Role)
				continue
			}
			seen[mem] = true
			if err := ValidateMember(mem); err != nil {
				l.errorf(r, "Invalid IAM member", "%s.", capitalize(err.Error()))
				continue
			}
			if b.AllowBroad {
				continue
			}
			switch who := BroadMemberScope(mem); {
			case IsPublicMember(mem):
				l.errorf(r, "Public IAM member",
					"%s gives %s to %s on %s. Grant the role to specific principals (user:, serviceAccount:, group:). If public access is intended, use an iam block with allow_broad = true.",
					mem, b.Role, who, model.Describe(res))
			case strings.HasPrefix(mem, "domain:"):
				l.errorf(r, "Broad IAM member",
					"%s gives %s to %s on %s. Grant the role to specific principals (user:, serviceAccount:, group:). If domain-wide access is intended, use an iam block with allow_broad = true.",
					mem, b.Role, who, model.Describe(res))
			case who != "":
				l.errorf(r, "Broad IAM member",
					"%s gives %s to %s on %s. Grant the role to specific principals (principal://..., or a principalSet of one group/GROUP or attribute.NAME/VALUE). If pool-wide access is intended, use an iam block with allow_broad = true.",
					mem, b.Role, who, model.Describe(res))
			}
		}
	}
}

// flows warns when a principal publishes to a topic and subscribes to one of
// its subscriptions.
func (l *linter) flows() {
	topics := map[string]*model.Topic{}
	for _, t := range l.c.Topics {
		topics[model.FullName(l.c.Project, model.KindTopic, t.Name)] = t
	}
	for _, s := range l.c.Subscriptions {
		if s.DerivedFrom != nil {
			continue
		}
		t, ok := topics[s.Topic]
		if !ok {
			continue
		}
		publishers := map[string]bool{}
		for _, b := range t.IAM.Bindings {
			if b.Role == model.RolePublisher && !b.Additive {
				for _, mem := range b.Members {
					publishers[mem] = true
				}
			}
		}
		if len(publishers) == 0 {
			continue
		}
		warned := map[string]bool{}
		for _, b := range s.IAM.Bindings {
			if b.Role != model.RoleSubscriber || b.Additive {
				continue
			}
			for i, mem := range b.Members {
				if !publishers[mem] || warned[mem] {
					continue
				}
				warned[mem] = true
				r := b.Range
				if i < len(b.MemberRanges) && !model.IsZeroRange(b.MemberRanges[i]) {
					r = b.MemberRanges[i]
				} else if model.IsZeroRange(r) {
					r = s.Meta.DeclRange
				}
				l.warnf(r, "Principal publishes and subscribes",
					"%s publishes to %s and consumes from %s, which reads that topic. One identity on both ends of a flow can acknowledge its own messages unprocessed and widens what a leaked key can do; give the producer and the consumer separate service accounts.",
					mem, model.Describe(t), model.Describe(s))
				// About the subscription: the same warning on many
				// subscriptions is shown once (render groups it).
				l.diags[len(l.diags)-1].Extra = &model.ResourceDiagnostic{Kind: s.Address().Kind, Resource: model.Describe(s)}
			}
		}
	}
}

// DeletedMembers returns the deleted: members of a live policy (principals
// whose account was deleted after being granted), sorted and de-duplicated,
// from conditional bindings too. Plan warns about them: they grant nothing
// but a recreated account with the same e-mail does not inherit them.
func DeletedMembers(live *model.Policy) []string {
	if live == nil {
		return nil
	}
	seen := map[string]bool{}
	var out []string
	for _, b := range live.Bindings {
		for _, m := range b.Members {
			if strings.HasPrefix(m, "deleted:") && !seen[m] {
				seen[m] = true
				out = append(out, m)
			}
		}
	}
	sort.Strings(out)
	return out
}
