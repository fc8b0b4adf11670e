package plan

import (
	"fmt"
	"maps"

	"github.com/pubsubctl/pubsubctl/model"
)

// ForgetLabels returns a copy of labels without the ownership labels
// (managed-by and pubsubctl-stack), which is what `pubsubctl forget` writes
// back: the resource stays, and the stack no longer manages it (a later plan
// lists it as unmanaged instead of deleting it). It refuses a resource that
// pubsubctl does not manage, or that another stack manages, naming that
// stack. labels is not modified.
func ForgetLabels(labels map[string]string, stack string) (map[string]string, error) {
	if stack == "" {
		return nil, fmt.Errorf("no stack name: forget needs the configuration's stack")
	}
	if labels[model.LabelManagedBy] != model.ManagedByValue {
		if v, ok := labels[model.LabelManagedBy]; ok {
			return nil, fmt.Errorf("it is not managed by pubsubctl (it has the label %s = %q), so there is nothing to forget", model.LabelManagedBy, v)
		}
		return nil, fmt.Errorf("it is not managed by pubsubctl (it has no %s label), so there is nothing to forget", model.LabelManagedBy)
	}
	switch owner := labels[model.LabelStack]; {
	case owner == "":
		return nil, fmt.Errorf("it is labelled %s = %q but names no stack (no %s label), so stack %q does not manage it", model.LabelManagedBy, model.ManagedByValue, model.LabelStack, stack)
	case owner != stack:
		return nil, fmt.Errorf("it is managed by stack %q, not %q: forget it from that stack's configuration", owner, stack)
	}
	out := maps.Clone(labels)
	delete(out, model.LabelManagedBy)
	delete(out, model.LabelStack)
	return out, nil
}

// Forget returns a copy of a live topic or subscription without the
// ownership labels of stack (see ForgetLabels); the caller writes its labels
// back (update mask "labels"). Schemas carry no labels: pubsubctl manages a
// schema exactly while the configuration declares it, so forgetting one
// means removing it from the configuration, and Forget returns an error
// saying so. The error names the resource.
func Forget(r model.Resource, stack string) (model.Resource, error) {
	wrap := func(kind model.Kind, err error) error {
		return fmt.Errorf("cannot forget %s %s: %w", kind, r.ID(), err)
	}
	// c is the copy to return; labels points at its labels.
	var (
		c      model.Resource
		kind   model.Kind
		labels *map[string]string
	)
	switch r := r.(type) {
	case *model.Topic:
		t := *r
		c, kind, labels = &t, model.KindTopic, &t.Labels
	case *model.Subscription:
		s := *r
		c, kind, labels = &s, model.KindSubscription, &s.Labels
	case *model.Schema:
		return nil, wrap(model.KindSchema, fmt.Errorf("schemas carry no labels: pubsubctl manages a schema only while the configuration declares it, so remove the schema block instead (plan never deletes a schema it does not declare)"))
	default:
		return nil, fmt.Errorf("cannot forget %T", r)
	}
	l, err := ForgetLabels(*labels, stack)
	if err != nil {
		return nil, wrap(kind, err)
	}
	*labels = l
	return c, nil
}

// ForgetChange returns the change that makes stack stop managing the live
// resource r, known in the configuration as addr: an ActionForget whose
// After is r without the ownership labels (see Forget). Apply's executor
// runs it as a labels-only update.
func ForgetChange(project, stack string, addr model.Address, r model.Resource) (Change, error) {
	u, err := Forget(r, stack)
	if err != nil {
		return Change{}, err
	}
	kind := r.Address().Kind
	return Change{
		Address: addr,
		Kind:    kind,
		ID:      r.ID(),
		Name:    model.FullName(project, kind, r.ID()),
		Action:  ActionForget,
		Before:  Wrap(r),
		After:   Wrap(u),
		Fields:  diffFields(project, u, r),
	}, nil
}
