package apply

import (
	"bytes"
	"fmt"

	"github.com/pubsubctl/pubsubctl/iam"
	"github.com/pubsubctl/pubsubctl/model"
	"github.com/pubsubctl/pubsubctl/plan"
)

// Verify re-derives, from live state and the configuration rather than from
// the plan's own markers, the guarantees a plan must keep before anything
// is executed, and returns every change that breaks one:
//
//   - a create makes exactly the resource the configuration declares at
//     that address (same kind, ID and values) and that does not exist live;
//   - an update, replace or delete touches only a live resource that
//     carries this stack's ownership labels now (a schema: one the
//     configuration declares); a delete only one the configuration no
//     longer declares; an update or replace writes exactly the declared
//     values;
//   - an adopt only happens in a plan made with --adopt, on a declared
//     resource that no other stack owns;
//   - an IAM change touches only a resource the plan creates, replaces or
//     adopts, or one this stack owns now, or a dead-letter topic the
//     configuration grants on; the policy it writes is exactly the declared
//     one, and every member and role in it passes IAM lint again (broad
//     roles and broad members only where the configuration says
//     allow_broad).
//
// A plan that apply derives itself satisfies all of these by construction;
// Verify is what makes a saved plan file (which anyone with write access
// could have edited) unable to do anything else. cfg is the configuration
// the plan was made from, as loaded at apply time.
func Verify(p *plan.Plan, l *model.State, cfg *model.Config) []Violation {
	v := verifier{p: p, cfg: cfg, live: map[key]model.Resource{}, declared: map[key]model.Resource{}, touched: map[string]plan.Action{}}
	for _, s := range l.Schemas {
		v.live[key{model.KindSchema, s.Name}] = s
	}
	for _, t := range l.Topics {
		v.live[key{model.KindTopic, t.Name}] = t
	}
	for _, s := range l.Subscriptions {
		v.live[key{model.KindSubscription, s.Name}] = s
	}
	for _, r := range cfg.Resources() {
		v.declared[key{r.Address().Kind, r.ID()}] = r
	}
	if p.Project != cfg.Project || p.Stack != cfg.Stack {
		v.fail("plan", "", fmt.Sprintf("the plan is for project %s, stack %s, but the configuration is for project %s, stack %s", p.Project, p.Stack, cfg.Project, cfg.Stack))
	}
	for i := range p.Changes {
		v.change(&p.Changes[i])
	}
	for i := range p.IAM {
		v.iamChange(&p.IAM[i])
	}
	return v.out
}

type key struct {
	kind model.Kind
	id   string
}

type verifier struct {
	p        *plan.Plan
	cfg      *model.Config
	live     map[key]model.Resource
	declared map[key]model.Resource
	touched  map[string]plan.Action // full name -> action of a change in the plan
	out      []Violation
}

func (v *verifier) fail(addr, action, reason string) {
	v.out = append(v.out, Violation{Address: addr, Action: action, Reason: reason})
}

func (v *verifier) change(ch *plan.Change) {
	addr, act := ch.Address.String(), string(ch.Action)
	k := key{ch.Kind, ch.ID}
	want := model.FullName(v.cfg.Project, ch.Kind, ch.ID)
	if ch.Name != want {
		v.fail(addr, act, fmt.Sprintf("names %s, but %s %s is %s", ch.Name, ch.Kind, ch.ID, want))
		return
	}
	v.touched[ch.Name] = ch.Action
	lr, decl := v.live[k], v.declared[k]
	switch ch.Action {
	case plan.ActionCreate:
		if lr != nil {
			v.fail(addr, act, fmt.Sprintf("%s already exists", ch.Name))
		}
		v.sameAsDeclared(ch, decl)
	case plan.ActionUpdate, plan.ActionReplace:
		v.owned(ch, lr)
		v.sameAsDeclared(ch, decl)
	case plan.ActionDelete:
		v.owned(ch, lr)
		if decl != nil {
			v.fail(addr, act, fmt.Sprintf("the configuration declares %s: it is never deleted", ch.Name))
		}
		if ch.Kind == model.KindSchema {
			v.fail(addr, act, "schemas the configuration does not declare are never deleted")
		}
	case plan.ActionAdopt:
		if !v.p.Adopt {
			v.fail(addr, act, "adoption needs a plan made with --adopt")
		}
		if lr == nil {
			v.fail(addr, act, fmt.Sprintf("%s does not exist", ch.Name))
		} else if owner := model.Owner(lr); owner != "" && owner != v.cfg.Stack {
			v.fail(addr, act, fmt.Sprintf("%s is managed by stack %q", ch.Name, owner))
		}
		v.sameAsDeclared(ch, decl)
	default:
		v.fail(addr, act, fmt.Sprintf("unknown action %q", ch.Action))
	}
}

// owned requires the live resource to exist and to be this stack's.
func (v *verifier) owned(ch *plan.Change, lr model.Resource) {
	addr, act := ch.Address.String(), string(ch.Action)
	switch {
	case lr == nil:
		v.fail(addr, act, fmt.Sprintf("%s does not exist", ch.Name))
	case ch.Kind == model.KindSchema:
		if v.declared[key{ch.Kind, ch.ID}] == nil && ch.Action != plan.ActionDelete {
			v.fail(addr, act, fmt.Sprintf("the configuration does not declare schema %s", ch.ID))
		}
	case !model.OwnedBy(model.LabelsOf(lr), v.cfg.Stack):
		owner := model.Owner(lr)
		if owner == "" {
			v.fail(addr, act, fmt.Sprintf("%s does not carry this stack's labels (%s=%s, %s=%s): pubsubctl never changes it", ch.Name, model.LabelManagedBy, model.ManagedByValue, model.LabelStack, v.cfg.Stack))
		} else {
			v.fail(addr, act, fmt.Sprintf("%s is managed by stack %q, not %q: pubsubctl never changes it", ch.Name, owner, v.cfg.Stack))
		}
	}
}

// sameAsDeclared requires the change to write exactly the declared resource.
func (v *verifier) sameAsDeclared(ch *plan.Change, decl model.Resource) {
	addr, act := ch.Address.String(), string(ch.Action)
	if decl == nil {
		v.fail(addr, act, fmt.Sprintf("the configuration does not declare %s %s", ch.Kind, ch.ID))
		return
	}
	if decl.Address() != ch.Address {
		v.fail(addr, act, fmt.Sprintf("%s %s is declared as %s", ch.Kind, ch.ID, decl.Address()))
	}
	after := ch.After.Get()
	if after == nil || !bytes.Equal(plan.Canonical(plan.Wrap(after)), plan.Canonical(plan.Wrap(decl))) {
		v.fail(addr, act, "the values it would write are not the ones the configuration declares")
	}
}

func (v *verifier) iamChange(ic *plan.IAMChange) {
	addr := ic.Address.String()
	var decl *model.IAM
	if ext := v.external(ic.Name); ext != nil {
		decl = &ext.IAM
	} else {
		k, ok := keyOf(v.cfg.Project, ic.Name)
		if !ok {
			v.fail(addr, "iam", fmt.Sprintf("%s is not a resource of project %s that the configuration declares", ic.Name, v.cfg.Project))
			return
		}
		r := v.declared[k]
		if r == nil {
			v.fail(addr, "iam", fmt.Sprintf("the configuration does not declare %s", ic.Name))
			return
		}
		switch v.touched[ic.Name] {
		case plan.ActionCreate, plan.ActionReplace, plan.ActionAdopt:
		default:
			lr := v.live[k]
			if lr == nil {
				v.fail(addr, "iam", fmt.Sprintf("%s does not exist and the plan does not create it", ic.Name))
				return
			}
			if k.kind != model.KindSchema && !model.OwnedBy(model.LabelsOf(lr), v.cfg.Stack) {
				v.fail(addr, "iam", fmt.Sprintf("%s is not managed by stack %q: pubsubctl never changes its IAM", ic.Name, v.cfg.Stack))
				return
			}
		}
		decl = r.Policy()
	}
	want := iam.Desired(*decl)
	if !bytes.Equal(plan.Canonical(ic.Desired), plan.Canonical(want)) || ic.WholePolicy != decl.Authoritative {
		v.fail(addr, "iam", fmt.Sprintf("the policy it would write on %s is not the one the configuration declares", ic.Name))
		return
	}
	for role, members := range ic.Desired.Roles {
		if err := iam.ValidateRole(role); err != nil {
			v.fail(addr, "iam", err.Error())
		}
		for _, m := range members {
			if err := iam.ValidateMember(m); err != nil {
				v.fail(addr, "iam", err.Error())
				continue
			}
			if (iam.IsBroadRole(role) || iam.IsBroadMember(m)) && !allowedBroad(decl, role, m) {
				v.fail(addr, "iam", fmt.Sprintf("%s for %s is broad and no binding with allow_broad = true declares it", role, m))
			}
		}
	}
	for _, mc := range ic.Members {
		if mc.Action == iam.ActionAdd && !contains(ic.Desired.Roles[mc.Role], iam.CanonicalMember(mc.Member)) {
			v.fail(addr, "iam", fmt.Sprintf("it adds %s to %s, which the configuration does not declare", mc.Member, mc.Role))
		}
	}
}

func (v *verifier) external(name string) *model.ExternalBinding {
	for i := range v.cfg.ExternalBindings {
		if v.cfg.ExternalBindings[i].Resource == name {
			return &v.cfg.ExternalBindings[i]
		}
	}
	return nil
}

func allowedBroad(decl *model.IAM, role, member string) bool {
	for _, b := range decl.Bindings {
		if b.Role != role || !b.AllowBroad {
			continue
		}
		for _, m := range b.Members {
			if iam.CanonicalMember(m) == member {
				return true
			}
		}
	}
	return false
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// keyOf parses a full resource name of project.
func keyOf(project, name string) (key, bool) {
	for _, k := range []model.Kind{model.KindSchema, model.KindTopic, model.KindSubscription} {
		prefix := model.FullName(project, k, "")
		if len(name) > len(prefix) && name[:len(prefix)] == prefix {
			return key{k, name[len(prefix):]}, true
		}
	}
	return key{}, false
}
