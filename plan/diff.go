package plan

import (
	"fmt"
	"sort"
	"strings"

	"github.com/pubsubctl/pubsubctl/iam"
	"github.com/pubsubctl/pubsubctl/model"
)

// DeletedTopic is what Pub/Sub reports as the topic of a subscription whose
// topic was deleted.
const DeletedTopic = "_deleted-topic_"

// Options tune a plan.
type Options struct {
	Target  string          // human description of where live state came from
	Targets []model.Address // --target: only these resources (and their IAM)
	Adopt   bool            // --adopt: take over unlabelled resources the configuration declares
}

type key struct {
	kind model.Kind
	id   string
}

// Compute diffs desired against live. It is pure and deterministic.
func Compute(desired *model.Config, live *model.State, opts Options) *Plan {
	p := &Plan{
		FormatVersion: FormatVersion,
		Project:       desired.Project,
		Stack:         desired.Stack,
		Target:        opts.Target,
		IAMSupported:  live.IAMSupported,
		LiveDigest:    Digest(live),
		Adopt:         opts.Adopt,
		Changes:       []Change{},
		IAM:           []IAMChange{},
		Unmanaged:     []Unmanaged{},
		Warnings:      []string{},
	}
	for _, t := range opts.Targets {
		p.Targets = append(p.Targets, t.String())
	}
	liveIdx := map[key]model.Resource{}
	for _, s := range live.Schemas {
		liveIdx[key{model.KindSchema, s.Name}] = s
	}
	for _, t := range live.Topics {
		liveIdx[key{model.KindTopic, t.Name}] = t
	}
	for _, s := range live.Subscriptions {
		liveIdx[key{model.KindSubscription, s.Name}] = s
	}

	inConfig := map[key]bool{}
	// managed records desired resources whose live counterpart is ours
	// (or is being created or adopted), for IAM.
	managed := map[key]Action{}
	for _, r := range desired.Resources() {
		k := key{r.Address().Kind, r.ID()}
		inConfig[k] = true
		lr := liveIdx[k]
		if lr == nil {
			p.Changes = append(p.Changes, createChange(desired, r))
			managed[k] = ActionCreate
			continue
		}
		owner, ours := ownership(lr, desired.Stack)
		adopt := false
		if !ours {
			if owner != "" {
				p.Unmanaged = append(p.Unmanaged, Unmanaged{Kind: k.kind, ID: k.id, Stack: owner, InConfig: true, Address: r.Address()})
				p.Warnings = append(p.Warnings, fmt.Sprintf("%s exists and is managed by stack %q: pubsubctl will not change it (remove it from that stack with `pubsubctl forget` first)", r.Address(), owner))
				continue
			}
			if !opts.Adopt {
				p.Unmanaged = append(p.Unmanaged, Unmanaged{Kind: k.kind, ID: k.id, InConfig: true, Address: r.Address()})
				p.Warnings = append(p.Warnings, fmt.Sprintf("%s exists, not managed: adopt it with `pubsubctl apply --adopt` (plan --adopt shows what adoption changes)", r.Address()))
				continue
			}
			adopt = true
		}
		ch, changed := compare(desired, r, lr)
		if adopt {
			if ch.Action == ActionReplace {
				p.Unmanaged = append(p.Unmanaged, Unmanaged{Kind: k.kind, ID: k.id, InConfig: true, Address: r.Address()})
				p.Warnings = append(p.Warnings, fmt.Sprintf("%s cannot be adopted: %s; adoption never recreates a resource, so change the configuration to match", r.Address(), strings.Join(ch.ReplaceReasons, "; ")))
				continue
			}
			ch.Action = ActionAdopt
			ch.Destructive = false
			p.Changes = append(p.Changes, ch)
			managed[k] = ActionAdopt
			continue
		}
		managed[k] = ch.Action
		if !changed {
			managed[k] = ""
			p.Unchanged++
			continue
		}
		p.Changes = append(p.Changes, ch)
	}

	// Live resources the configuration does not declare.
	for _, lr := range live.Resources() {
		k := key{lr.Address().Kind, lr.ID()}
		if inConfig[k] {
			continue
		}
		owner, ours := ownership(lr, desired.Stack)
		if ours && k.kind != model.KindSchema {
			p.Changes = append(p.Changes, deleteChange(desired, lr))
			continue
		}
		p.Unmanaged = append(p.Unmanaged, Unmanaged{Kind: k.kind, ID: k.id, Stack: owner, Address: lr.Address()})
	}
	annotateDanger(p, desired, live)
	planIAM(p, desired, live, managed)
	if len(opts.Targets) > 0 {
		filterTargets(p, opts.Targets)
	}
	addDependencies(p, desired)
	Order(p)
	sort.Slice(p.Unmanaged, func(i, j int) bool {
		a, b := p.Unmanaged[i], p.Unmanaged[j]
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		return a.ID < b.ID
	})
	return p
}

// ownership returns the stack named by a live resource's labels and whether
// that is this stack. Schemas carry no labels: a schema the configuration
// declares is managed, one it does not is never touched.
func ownership(r model.Resource, stack string) (owner string, ours bool) {
	if _, ok := r.(*model.Schema); ok {
		return "", true
	}
	owner = model.Owner(r)
	return owner, owner != "" && owner == stack
}

func fullName(project string, r model.Resource) string {
	return model.FullName(project, r.Address().Kind, r.ID())
}

func lifecycle(r model.Resource) model.Lifecycle {
	switch r := r.(type) {
	case *model.Schema:
		return r.Lifecycle
	case *model.Topic:
		return r.Lifecycle
	case *model.Subscription:
		return r.Lifecycle
	}
	return model.Lifecycle{}
}

// newChange is the change of r with its identity and action filled in.
func newChange(c *model.Config, r model.Resource, a Action) Change {
	return Change{Address: r.Address(), Kind: r.Address().Kind, ID: r.ID(), Name: fullName(c.Project, r), Action: a}
}

func createChange(c *model.Config, r model.Resource) Change {
	ch := newChange(c, r, ActionCreate)
	ch.After = Wrap(r)
	ch.Fields = Values(c.Project, r)
	ch.DerivedFrom = model.DerivedFrom(r)
	return ch
}

func deleteChange(c *model.Config, lr model.Resource) Change {
	ch := newChange(c, lr, ActionDelete)
	ch.Before = Wrap(lr)
	ch.Destructive = true
	ch.RequiresFlag = "--allow-destroy"
	return ch
}

// compare diffs one declared resource with its live counterpart.
func compare(c *model.Config, r, lr model.Resource) (Change, bool) {
	nl := normalizeLive(r, lr)
	ch := newChange(c, r, ActionUpdate)
	ch.Before, ch.After = Wrap(lr), Wrap(r)
	ch.Fields = diffFields(c.Project, r, nl)
	ch.DerivedFrom = model.DerivedFrom(r)
	if ls, ok := lr.(*model.Subscription); ok {
		switch {
		case ls.Topic == DeletedTopic:
			ch.ReplaceReasons = append(ch.ReplaceReasons, "its topic was deleted (Pub/Sub reports _deleted-topic_); a subscription cannot be re-attached")
		case ls.Detached:
			ch.ReplaceReasons = append(ch.ReplaceReasons, "it is detached from its topic; detaching cannot be undone")
		}
	}
	deletedTopic := false
	if ls, ok := lr.(*model.Subscription); ok && ls.Topic == DeletedTopic {
		deletedTopic = true
	}
	for _, f := range ch.Fields {
		if f.ForcesReplace && !(deletedTopic && f.Path == "topic") { // said once above
			before, after := f.Display()
			ch.ReplaceReasons = append(ch.ReplaceReasons, fmt.Sprintf("%s cannot be changed in place (%s → %s)", f.Path, orNone(before), orNone(after)))
		}
		if ch.Kind == model.KindSchema && f.Path == "definition" {
			ch.NewRevision = true
		}
	}
	if len(ch.ReplaceReasons) > 0 {
		ch.Action = ActionReplace
		ch.NewRevision = false
		ch.Destructive = true
		ch.RequiresFlag = "--allow-replace"
		ch.PreventDestroy = lifecycle(r).PreventDestroy
	}
	return ch, len(ch.Fields) > 0 || len(ch.ReplaceReasons) > 0
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// annotateDanger says loudly what deletes and replaces destroy.
func annotateDanger(p *Plan, c *model.Config, live *model.State) {
	deleting := map[string]bool{}
	for _, ch := range p.Changes {
		if ch.Action == ActionDelete || ch.Action == ActionReplace {
			deleting[ch.Name] = true
		}
	}
	for i := range p.Changes {
		ch := &p.Changes[i]
		switch {
		case ch.Kind == model.KindSubscription && ch.Action == ActionReplace:
			ch.Warnings = append(ch.Warnings, "its backlog and unacknowledged messages will be lost; the new subscription starts empty", "its IAM policy is deleted with it and re-applied right after re-creation")
		case ch.Kind == model.KindSubscription && ch.Action == ActionDelete:
			ch.Warnings = append(ch.Warnings, "its backlog and unacknowledged messages will be lost")
		case ch.Kind == model.KindTopic && ch.Action == ActionDelete:
			var orphans []string
			for _, s := range live.Subscriptions {
				if s.Topic == ch.Name && !deleting[model.FullName(c.Project, model.KindSubscription, s.Name)] {
					orphans = append(orphans, s.Name)
					if _, ours := ownership(s, c.Stack); !ours {
						ch.Orphans = append(ch.Orphans, s.Name)
					}
				}
			}
			sort.Strings(orphans)
			sort.Strings(ch.Orphans)
			if len(orphans) > 0 {
				ch.Warnings = append(ch.Warnings, fmt.Sprintf("subscriptions %s will be orphaned (their topic becomes _deleted-topic_ and cannot be re-attached)", strings.Join(orphans, ", ")))
			}
			if len(ch.Orphans) > 0 {
				ch.RequiresFlag = "--allow-destroy --allow-orphan"
			}
		case ch.Kind == model.KindSchema && (ch.Action == ActionDelete || ch.Action == ActionReplace):
			var users []string
			for _, t := range live.Topics {
				if t.Schema != nil && t.Schema.Schema == ch.Name {
					users = append(users, t.Name)
				}
			}
			sort.Strings(users)
			if len(users) > 0 {
				ch.Warnings = append(ch.Warnings, fmt.Sprintf("topics %s use this schema and will reference a deleted schema", strings.Join(users, ", ")))
			}
			if ch.Action == ActionReplace {
				ch.Warnings = append(ch.Warnings, "all revisions of the schema are deleted")
			}
		}
	}
}

// planIAM diffs the declared IAM of every resource pubsubctl manages against
// its live policy.
func planIAM(p *Plan, c *model.Config, live *model.State, managed map[key]Action) {
	declared := 0
	for _, r := range c.Resources() {
		decl := r.Policy()
		if decl.Empty() {
			continue
		}
		k := key{r.Address().Kind, r.ID()}
		action, ok := managed[k]
		if !ok {
			continue // not ours: never touched
		}
		declared++
		if !live.IAMSupported {
			continue
		}
		name := fullName(c.Project, r)
		var lp *model.Policy
		if action != ActionCreate && action != ActionReplace {
			lp = live.Policies[name]
		}
		desired := iam.Desired(*decl)
		members := iam.Diff(desired, lp)
		if len(members) == 0 {
			continue
		}
		ic := IAMChange{Address: r.Address(), Kind: k.kind, Name: name, Members: members, WholePolicy: decl.Authoritative, Desired: desired}
		p.IAM = append(p.IAM, ic)
	}
	for _, eb := range c.ExternalBindings {
		declared++
		if !live.IAMSupported {
			continue
		}
		desired := iam.Desired(eb.IAM)
		members := iam.Diff(desired, live.Policies[eb.Resource])
		if len(members) == 0 {
			continue
		}
		p.IAM = append(p.IAM, IAMChange{Address: model.Address{Kind: eb.Kind, Name: eb.Resource}, Kind: eb.Kind, Name: eb.Resource, Members: members, Desired: desired})
	}
	if declared > 0 && !live.IAMSupported {
		p.Warnings = append(p.Warnings, fmt.Sprintf("IAM is not supported by %s: IAM of %d resources is not planned and will not be applied", orTarget(p.Target), declared))
	}
	names := make([]string, 0, len(live.Policies))
	for n := range live.Policies {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		for _, m := range iam.DeletedMembers(live.Policies[n]) {
			p.Warnings = append(p.Warnings, fmt.Sprintf("%s grants a role to deleted principal %s; remove it from the configuration or the policy", n, m))
		}
	}
}

func orTarget(t string) string {
	if t == "" {
		return "the target"
	}
	return t
}

func filterTargets(p *Plan, targets []model.Address) {
	match := func(a model.Address) bool {
		for _, t := range targets {
			if t.Matches(a) {
				return true
			}
		}
		return false
	}
	p.Changes = nonNil(filter(p.Changes, func(c Change) bool { return match(c.Address) }))
	p.IAM = nonNil(filter(p.IAM, func(c IAMChange) bool { return match(c.Address) }))
}

// nonNil returns xs, or an empty slice for nil (a JSON [], not null).
func nonNil[T any](xs []T) []T {
	if xs == nil {
		return []T{}
	}
	return xs
}

// addDependencies records, for each change, the changes that must succeed
// before it: a subscription after its topic and dead-letter topic, a topic
// after its schema, IAM after its resource, and a topic's deletion after the
// deletion of its subscriptions.
func addDependencies(p *Plan, c *model.Config) {
	inPlan := map[string]model.Address{} // full name -> address of a non-delete change
	deleted := map[string]model.Address{}
	for _, ch := range p.Changes {
		if ch.Action == ActionDelete {
			deleted[ch.Name] = ch.Address
		} else {
			inPlan[ch.Name] = ch.Address
		}
	}
	for i := range p.Changes {
		ch := &p.Changes[i]
		add := func(name string) {
			if a, ok := inPlan[name]; ok && a != ch.Address {
				ch.DependsOn = append(ch.DependsOn, a)
			}
		}
		if ch.Action == ActionDelete {
			if ch.Kind == model.KindTopic {
				for _, s := range p.Changes {
					if s.Action == ActionDelete && s.Kind == model.KindSubscription && s.Before.Subscription.Topic == ch.Name {
						ch.DependsOn = append(ch.DependsOn, s.Address)
					}
				}
			}
			continue
		}
		switch r := ch.After.Get().(type) {
		case *model.Topic:
			if r.Schema != nil {
				add(r.Schema.Schema)
			}
		case *model.Subscription:
			add(r.Topic)
			if r.DeadLetter != nil {
				add(r.DeadLetter.Topic)
			}
		}
	}
	for i := range p.IAM {
		if a, ok := inPlan[p.IAM[i].Name]; ok {
			p.IAM[i].DependsOn = append(p.IAM[i].DependsOn, a)
		}
	}
}

// phase is a change's place in dependency order: schemas, topics,
// dead-letter topics, subscriptions.
func phase(ch Change) int {
	switch ch.Kind {
	case model.KindSchema:
		return 0
	case model.KindTopic:
		if ch.DerivedFrom != nil {
			return 2
		}
		return 1
	}
	return 3
}

// Order sorts changes: creates, updates and replaces in dependency order,
// then deletes in reverse; ties by address. IAM changes follow their
// resources' order.
func Order(p *Plan) {
	sort.SliceStable(p.Changes, func(i, j int) bool {
		a, b := p.Changes[i], p.Changes[j]
		ad, bd := a.Action == ActionDelete, b.Action == ActionDelete
		if ad != bd {
			return !ad
		}
		pa, pb := phase(a), phase(b)
		if pa != pb {
			if ad {
				return pa > pb
			}
			return pa < pb
		}
		return a.Address.String() < b.Address.String()
	})
	sort.SliceStable(p.IAM, func(i, j int) bool {
		a, b := p.IAM[i], p.IAM[j]
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		return a.Address.String() < b.Address.String()
	})
}
