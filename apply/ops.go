package apply

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"

	"github.com/pubsubctl/pubsubctl/iam"
	"github.com/pubsubctl/pubsubctl/internal/live"
	"github.com/pubsubctl/pubsubctl/model"
	"github.com/pubsubctl/pubsubctl/plan"
)

// updateFields returns the distinct top-level fields a change updates, in
// the order of its Fields, never immutable ones; an adopt or a forget
// always includes "labels" (it writes or removes the ownership labels).
func updateFields(ch *plan.Change) []string {
	seen := map[string]bool{}
	var out []string
	add := func(f string) {
		if f != "" && !seen[f] && !model.IsImmutable(ch.Kind, f) {
			seen[f] = true
			out = append(out, f)
		}
	}
	for _, f := range ch.Fields {
		add(plan.TopLevel(f.Path))
	}
	if ch.Action == plan.ActionAdopt || ch.Action == plan.ActionForget {
		add("labels")
	}
	return out
}

// get reads a resource (with retries); a missing one is a NotFound error.
func (x *executor) get(ctx context.Context, r *opRun, kind model.Kind, id string) (model.Resource, error) {
	var out model.Resource
	err := r.call(ctx, live.Read, func(ctx context.Context) error {
		switch kind {
		case model.KindSchema:
			s, err := x.t.GetSchema(ctx, id)
			if err == nil && s != nil {
				out = s
			}
			return err
		case model.KindTopic:
			t, err := x.t.GetTopic(ctx, id)
			if err == nil && t != nil {
				out = t
			}
			return err
		case model.KindSubscription:
			s, err := x.t.GetSubscription(ctx, id)
			if err == nil && s != nil {
				out = s
			}
			return err
		}
		return fmt.Errorf("unknown resource kind %v", kind)
	}, nil, nil)
	if err == nil && out == nil {
		err = fmt.Errorf("get %s %s: the target returned nothing", kind, id)
	}
	return out, err
}

// dependsOnFresh reports whether a resource refers to one this run creates
// (a subscription's topic or dead-letter topic, a topic's schema), so that
// a NotFound may be eventual consistency.
func (x *executor) dependsOnFresh(res model.Resource) bool {
	switch r := res.(type) {
	case *model.Topic:
		return r.Schema != nil && x.fresh[qualify(x.p.Project, model.KindSchema, r.Schema.Schema)]
	case *model.Subscription:
		if x.fresh[qualify(x.p.Project, model.KindTopic, r.Topic)] {
			return true
		}
		return r.DeadLetter != nil && x.fresh[qualify(x.p.Project, model.KindTopic, r.DeadLetter.Topic)]
	}
	return false
}

// qualify turns an ID into a full name; full names pass through.
func qualify(project string, k model.Kind, name string) string {
	if strings.Contains(name, "/") {
		return name
	}
	return model.FullName(project, k, name)
}

func (x *executor) create(ctx context.Context, r *opRun, ch *plan.Change) (string, error) {
	res := ch.After.Get()
	if res == nil {
		return "", errors.New("the plan carries no resource to create")
	}
	return x.createResource(ctx, r, ch, res)
}

// createResource creates res. AlreadyExists is reconciled: the existing
// resource is accepted when it is what this stack would have created (the
// outcome of an earlier attempt), and refused otherwise.
func (x *executor) createResource(ctx context.Context, r *opRun, ch *plan.Change, res model.Resource) (string, error) {
	create := func(ctx context.Context) error {
		var err error
		switch v := res.(type) {
		case *model.Schema:
			_, err = x.t.CreateSchema(ctx, v)
		case *model.Topic:
			_, err = x.t.CreateTopic(ctx, v)
		case *model.Subscription:
			_, err = x.t.CreateSubscription(ctx, v)
		default:
			err = fmt.Errorf("cannot create a %T", res)
		}
		return err
	}
	resolve := func(ctx context.Context) (bool, error) {
		got, err := x.get(ctx, r, ch.Kind, res.ID())
		if err != nil {
			if live.Classify(err) == live.NotFound {
				return false, nil
			}
			return false, err
		}
		return x.reconcile(res, got) == nil, nil
	}
	settle := func(err error) bool { return live.Classify(err) == live.NotFound && x.dependsOnFresh(res) }
	err := r.call(ctx, live.Mutate, create, resolve, settle)
	if err == nil {
		return "", nil
	}
	if live.Classify(err) != live.AlreadyExists {
		return "", err
	}
	got, gerr := x.get(ctx, r, ch.Kind, res.ID())
	if gerr != nil {
		return "", fmt.Errorf("it already exists, and reading it back failed: %w", gerr)
	}
	if rerr := x.reconcile(res, got); rerr != nil {
		return "", fmt.Errorf("%w: %w", rerr, err)
	}
	return "it already existed as this stack would create it (an earlier attempt's outcome); accepted", nil
}

// reconcile reports why an existing resource is not the one this stack
// would have created (nil when it is): topics and subscriptions must carry
// this stack's ownership labels, and subscriptions and schemas must match
// in their immutable fields.
func (x *executor) reconcile(want, got model.Resource) error {
	switch w := want.(type) {
	case *model.Schema:
		g, ok := got.(*model.Schema)
		if !ok {
			return fmt.Errorf("read back a %T", got)
		}
		if g.Type != w.Type || strings.TrimSpace(g.Definition) != strings.TrimSpace(w.Definition) {
			return errors.New("a schema with this name exists with a different type or definition; run plan again")
		}
		return nil
	case *model.Topic:
		g, ok := got.(*model.Topic)
		if !ok {
			return fmt.Errorf("read back a %T", got)
		}
		return x.owned(g.Labels)
	case *model.Subscription:
		g, ok := got.(*model.Subscription)
		if !ok {
			return fmt.Errorf("read back a %T", got)
		}
		if err := x.owned(g.Labels); err != nil {
			return err
		}
		diff := func(field, live, planned string) error {
			return fmt.Errorf("it exists with this stack's labels but with %s %q instead of %q, which cannot change in place; run plan again", field, live, planned)
		}
		switch {
		case qualify(x.p.Project, model.KindTopic, g.Topic) != qualify(x.p.Project, model.KindTopic, w.Topic):
			return diff(model.SubTopic.Name, g.Topic, w.Topic)
		case g.Filter != w.Filter:
			return diff(model.SubFilter.Name, g.Filter, w.Filter)
		case g.EnableMessageOrdering != w.EnableMessageOrdering:
			return diff(model.SubMessageOrdering.Name, fmt.Sprint(g.EnableMessageOrdering), fmt.Sprint(w.EnableMessageOrdering))
		case g.Detached:
			return errors.New("it exists with this stack's labels but is detached from its topic; run plan again")
		}
		return nil
	}
	return fmt.Errorf("cannot reconcile a %T", want)
}

// owned explains why labels do not mark a resource as this stack's.
func (x *executor) owned(labels map[string]string) error {
	if model.OwnedBy(labels, x.p.Stack) {
		return nil
	}
	if labels[model.LabelManagedBy] == model.ManagedByValue {
		return fmt.Errorf("%w: it belongs to stack %q", errNotOurs, labels[model.LabelStack])
	}
	return fmt.Errorf("%w: it has no pubsubctl ownership labels (plan again; apply --adopt takes it over)", errNotOurs)
}

// update applies an update or an adopt: the changed top-level fields
// through an update mask, or a new schema revision.
func (x *executor) update(ctx context.Context, r *opRun, ch *plan.Change) (string, error) {
	res := ch.After.Get()
	if res == nil {
		return "", errors.New("the plan carries no desired resource")
	}
	fields := updateFields(ch)
	resolve := func(ctx context.Context) (bool, error) {
		got, err := x.get(ctx, r, ch.Kind, res.ID())
		if err != nil {
			return false, err
		}
		return x.fieldsMatch(res, got, fields), nil
	}
	var update func(ctx context.Context) error
	switch v := res.(type) {
	case *model.Schema:
		if !ch.NewRevision {
			return "nothing to commit: the definition is unchanged", nil
		}
		commit := func(ctx context.Context) error { _, err := x.t.CommitSchema(ctx, v); return err }
		resolve := func(ctx context.Context) (bool, error) {
			got, err := x.get(ctx, r, ch.Kind, res.ID())
			if err != nil {
				return false, err
			}
			return x.reconcile(v, got) == nil, nil
		}
		pruned, err := x.pruneRevisions(ctx, r, ch)
		if err != nil {
			return "", err
		}
		if err := r.call(ctx, live.Mutate, commit, resolve, nil); err != nil {
			if pruned != "" {
				err = fmt.Errorf("%s, then the commit failed: %w", pruned, err)
			}
			return "", err
		}
		if pruned != "" {
			return pruned + ", then committed a new revision", nil
		}
		return "committed a new revision", nil
	case *model.Topic:
		update = func(ctx context.Context) error { _, err := x.t.UpdateTopic(ctx, v, fields); return err }
	case *model.Subscription:
		update = func(ctx context.Context) error { _, err := x.t.UpdateSubscription(ctx, v, fields); return err }
	default:
		return "", fmt.Errorf("cannot update a %T", res)
	}
	if len(fields) == 0 {
		return "nothing to update", nil
	}
	return "", r.call(ctx, live.Mutate, update, resolve, nil)
}

// fieldsMatch reports whether got has want's values in every given
// top-level field, comparing plan's canonical renderings. A false negative
// (a server default, say) only costs a retry of an idempotent update.
func (x *executor) fieldsMatch(want, got model.Resource, fields []string) bool {
	sel := map[string]bool{}
	for _, f := range fields {
		sel[f] = true
	}
	pick := func(r model.Resource) map[string]string {
		out := map[string]string{}
		for _, v := range plan.Values(x.p.Project, r) {
			if sel[plan.TopLevel(v.Path)] && !strings.HasPrefix(v.Path, "labels.goog-") {
				out[v.Path] = v.After
			}
		}
		return out
	}
	return maps.Equal(pick(want), pick(got))
}

func (x *executor) delete(ctx context.Context, r *opRun, ch *plan.Change) (string, error) {
	return x.deleteResource(ctx, r, ch.Kind, ch.ID)
}

// deleteResource deletes a resource; NotFound means it is already gone.
func (x *executor) deleteResource(ctx context.Context, r *opRun, kind model.Kind, id string) (string, error) {
	del := func(ctx context.Context) error {
		switch kind {
		case model.KindSchema:
			return x.t.DeleteSchema(ctx, id)
		case model.KindTopic:
			return x.t.DeleteTopic(ctx, id)
		case model.KindSubscription:
			return x.t.DeleteSubscription(ctx, id)
		}
		return fmt.Errorf("cannot delete a resource of kind %v", kind)
	}
	resolve := func(ctx context.Context) (bool, error) {
		_, err := x.get(ctx, r, kind, id)
		if live.Classify(err) == live.NotFound {
			return true, nil
		}
		return false, err
	}
	err := r.call(ctx, live.Mutate, del, resolve, nil)
	if live.Classify(err) == live.NotFound {
		return "it was already gone", nil
	}
	return "", err
}

// replace deletes and re-creates a resource and, in the same operation,
// puts its IAM back: the policy read before the delete, with the plan's
// IAM change (if any) applied on top. It returns the event of the folded
// IAM change when there is one and the IAM step ran.
func (x *executor) replace(ctx context.Context, r *opRun, n *node) (string, *Event, error) {
	ch := n.ch
	res := ch.After.Get()
	if res == nil {
		return "", nil, errors.New("the plan carries no resource to re-create")
	}
	var carry *model.Policy
	var notes []string
	if x.p.IAMSupported {
		pol, err := x.getPolicy(ctx, r, ch.Kind, ch.Name, nil)
		switch o := live.Classify(err); {
		case err == nil:
			carry = pol
		case o == live.NotFound:
		case o == live.Unsupported || o == live.Denied:
			notes = append(notes, fmt.Sprintf("could not read its IAM policy before deleting it (%s): bindings the configuration does not declare are not carried over", o))
		default:
			return "", nil, fmt.Errorf("read its IAM policy before deleting it (nothing was changed): %w", err)
		}
	}
	if _, err := x.deleteResource(ctx, r, ch.Kind, ch.ID); err != nil {
		return "", nil, fmt.Errorf("delete: %w", err)
	}
	if d, err := x.createResource(ctx, r, ch, res); err != nil {
		return "", nil, fmt.Errorf("it was deleted, but re-creating it failed (it is missing until the next apply): %w", err)
	} else if d != "" {
		notes = append(notes, d)
	}
	detail := "deleted and re-created"
	carried := carry != nil && len(carry.Bindings) > 0
	if n.fold == nil && !carried {
		return join(detail, notes), nil, nil
	}
	var desired iam.DesiredPolicy
	if n.fold != nil {
		desired = n.fold.ic.Desired
	}
	changes, err := x.rmw(ctx, r, ch.Kind, ch.Name, desired, carry, true)
	what := "its IAM"
	if carried {
		what = "its previous IAM bindings"
		if n.fold != nil {
			what += " and the planned IAM changes"
		}
	}
	if err != nil {
		err = fmt.Errorf("update IAM policy of %s (%s): re-applying %s right after re-creating it failed: %w", ch.Address, ch.Name, what, err)
		if n.fold == nil {
			return "", nil, err
		}
		return join(detail+"; re-applying "+what+" FAILED (see its iam event)", notes), &Event{Address: n.fold.addr, Op: OpIAM, Status: Failed, Err: err}, nil
	}
	summary := summarize(changes)
	detail += "; " + what + " re-applied in the same operation"
	if summary != "" {
		detail += " (" + summary + ")"
	}
	var fold *Event
	if n.fold != nil {
		fd := "applied in the same operation, right after re-creating " + ch.Address.String()
		if summary != "" {
			fd += " (" + summary + ")"
		}
		fold = &Event{Address: n.fold.addr, Op: OpIAM, Status: Applied, Detail: fd}
	}
	return join(detail, notes), fold, nil
}

func join(detail string, notes []string) string {
	return strings.Join(append([]string{detail}, notes...), "; ")
}

// summarize renders member changes as "+2 -1 members".
func summarize(changes []iam.MemberChange) string {
	add, rm := iam.CountChanges(changes)
	var parts []string
	if add > 0 {
		parts = append(parts, fmt.Sprintf("+%d", add))
	}
	if rm > 0 {
		parts = append(parts, fmt.Sprintf("-%d", rm))
	}
	if len(parts) == 0 {
		return ""
	}
	s := "member"
	if add+rm > 1 {
		s += "s"
	}
	return strings.Join(parts, " ") + " " + s
}
