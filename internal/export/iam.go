package export

import (
	"sort"
	"strings"

	"github.com/pubsubctl/pubsubctl/iam"
	"github.com/pubsubctl/pubsubctl/model"
)

// grant is one role of an exported IAM policy.
type grant struct {
	role    string
	members []string
	// attr is the shortcut argument (publishers, subscribers, viewers), or
	// "" for an iam block.
	attr  string
	broad bool // allow_broad = true
}

// shortcuts maps each kind's shortcut arguments to their roles.
var shortcuts = map[model.Kind][][2]string{
	model.KindSchema:       {{"viewers", model.RoleViewer}},
	model.KindTopic:        {{"publishers", model.RolePublisher}, {"viewers", model.RoleViewer}},
	model.KindSubscription: {{"subscribers", model.RoleSubscriber}, {"viewers", model.RoleViewer}},
}

// iamOf turns the live policy of a resource into grants: shortcuts first
// (in the order of the shortcuts table), then iam blocks by role. explained
// reports whether the Pub/Sub service agent's membership of a role is a
// dead-letter grant pubsubctl derives itself.
func (e *exporter) iamOf(k model.Kind, id string, explained func(role string) bool) []grant {
	if e.st.Policies == nil {
		return nil
	}
	p := e.st.Policies[e.full(k, id)]
	if p == nil {
		return nil
	}
	what := k.String() + " " + id
	members := map[string][]string{}
	var roles []string
	for _, b := range p.Bindings {
		if b.Condition != "" {
			e.warnf("%s: the conditional binding of %s (condition %q) is not exported: Pub/Sub does not support IAM conditions, and pubsubctl leaves conditional bindings alone", what, b.Role, b.Condition)
			continue
		}
		if _, ok := members[b.Role]; !ok {
			roles = append(roles, b.Role)
			members[b.Role] = nil
		}
		members[b.Role] = append(members[b.Role], b.Members...)
	}
	sort.Strings(roles)

	var out []grant
	for _, role := range roles {
		if err := iam.ValidateRole(role); err != nil {
			e.warnf("%s: role %s is not exported (%v); pubsubctl leaves roles a configuration does not name alone", what, role, err)
			continue
		}
		var keep, deleted []string
		seen := map[string]bool{}
		unexpressible := ""
		for _, m := range members[role] {
			cm := iam.CanonicalMember(m)
			if seen[cm] {
				continue
			}
			seen[cm] = true
			switch {
			case strings.HasPrefix(m, "deleted:"):
				deleted = append(deleted, m)
				continue
			case e.agent != "" && strings.EqualFold(m, e.agent) && explained != nil && explained(role):
				e.warnf("%s: %s %s is not exported: it is the Pub/Sub service agent's dead-letter grant, which pubsubctl derives from the dead-letter policy", what, role, m)
				continue
			}
			if err := iam.ValidateMember(m); err != nil && unexpressible == "" {
				unexpressible = err.Error()
			}
			keep = append(keep, m)
		}
		if unexpressible != "" {
			e.warnf("%s: role %s is not exported because a member cannot be written in a configuration (%s); pubsubctl leaves roles a configuration does not name alone", what, role, unexpressible)
			continue
		}
		for _, m := range deleted {
			if len(keep) > 0 {
				e.warnf("%s: %s %s is not exported: it is a deleted principal, and planning the export removes it from the role", what, role, m)
			} else {
				e.warnf("%s: %s %s is not exported: it is a deleted principal (the role is left as it is)", what, role, m)
			}
		}
		if len(keep) == 0 {
			continue
		}
		sort.Strings(keep)
		g := grant{role: role, members: keep}
		broad := false
		for _, m := range keep {
			if iam.IsBroadMember(m) {
				broad = true
			}
		}
		switch {
		case iam.IsBroadRole(role) || broad:
			g.broad = true
		default:
			for _, sc := range shortcuts[k] {
				if sc[1] == role {
					g.attr = sc[0]
				}
			}
		}
		out = append(out, g)
	}
	rank := func(g grant) int {
		for i, sc := range shortcuts[k] {
			if g.attr == sc[0] {
				return i
			}
		}
		return len(shortcuts[k])
	}
	sort.SliceStable(out, func(i, j int) bool { return rank(out[i]) < rank(out[j]) })
	return out
}
