package plan

import (
	"github.com/pubsubctl/pubsubctl/iam"
	"github.com/pubsubctl/pubsubctl/model"
)

// FormatVersion is the one plan format version: the format_version of the
// JSON plan (internal/render, docs/plan-json.md) and of the plan inside a
// saved plan file (internal/savedplan). It changes only when a form changes
// incompatibly.
const FormatVersion = "2"

// Action is what apply does to a resource.
type Action string

// Actions.
const (
	ActionCreate  Action = "create"
	ActionUpdate  Action = "update"
	ActionReplace Action = "replace"
	ActionDelete  Action = "delete"
	ActionAdopt   Action = "adopt"
	// ActionForget removes this stack's ownership labels (pubsubctl
	// forget); plan never computes it.
	ActionForget Action = "forget"
)

// Symbol returns Terraform's symbol for the action.
func (a Action) Symbol() string {
	switch a {
	case ActionCreate:
		return "+"
	case ActionUpdate:
		return "~"
	case ActionReplace:
		return "-/+"
	case ActionDelete:
		return "-"
	case ActionAdopt:
		return "<="
	case ActionForget:
		return "=>"
	}
	return "?"
}

// Resource holds exactly one of its fields; it is how a Plan carries
// resources as plain, serializable data.
type Resource struct {
	Schema       *model.Schema       `json:"schema,omitempty"`
	Topic        *model.Topic        `json:"topic,omitempty"`
	Subscription *model.Subscription `json:"subscription,omitempty"`
}

// Wrap puts r into a Resource.
func Wrap(r model.Resource) *Resource {
	switch r := r.(type) {
	case *model.Schema:
		return &Resource{Schema: r}
	case *model.Topic:
		return &Resource{Topic: r}
	case *model.Subscription:
		return &Resource{Subscription: r}
	}
	return nil
}

// Get returns the wrapped resource, or nil.
func (r *Resource) Get() model.Resource {
	switch {
	case r == nil:
		return nil
	case r.Schema != nil:
		return r.Schema
	case r.Topic != nil:
		return r.Topic
	case r.Subscription != nil:
		return r.Subscription
	}
	return nil
}

// FieldDiff is one field whose value changes. Values are rendered in
// canonical configuration syntax (durations "10m", strings quoted); an
// empty string means "not set".
type FieldDiff struct {
	Path          string       `json:"path"`
	Before        string       `json:"before"`
	After         string       `json:"after"`
	Source        model.Source `json:"source"` // provenance of After
	ForcesReplace bool         `json:"forces_replace,omitempty"`
	// Sensitive is set when the configured value derives from a variable
	// declared sensitive: renderers show Display's "(sensitive)" instead
	// of the values.
	Sensitive bool `json:"sensitive,omitempty"`
}

// SensitiveValue is what renderers show instead of a sensitive value.
const SensitiveValue = "(sensitive)"

// Display returns the values to show: Before and After, or
// SensitiveValue for each one that is set when the field is sensitive.
func (f FieldDiff) Display() (before, after string) {
	if !f.Sensitive {
		return f.Before, f.After
	}
	hide := func(s string) string {
		if s == "" {
			return ""
		}
		return SensitiveValue
	}
	return hide(f.Before), hide(f.After)
}

// Change is one resource-level change.
type Change struct {
	Address model.Address `json:"address"`
	Kind    model.Kind    `json:"kind"`
	ID      string        `json:"id"`
	Name    string        `json:"name"` // full name
	Action  Action        `json:"action"`
	Before  *Resource     `json:"before,omitempty"`
	After   *Resource     `json:"after,omitempty"`
	Fields  []FieldDiff   `json:"fields,omitempty"`
	// ReplaceReasons says why a replace is needed, one line each.
	ReplaceReasons []string `json:"replace_reasons,omitempty"`
	// NewRevision is set on a schema update: the definition changes, which
	// commits a new revision instead of replacing the schema.
	NewRevision bool `json:"new_revision,omitempty"`
	// Warnings describe what the change destroys or orphans.
	Warnings []string `json:"warnings,omitempty"`
	// Orphans lists, for a topic delete, the live subscriptions of the
	// topic that this stack does not manage (another team's): they would
	// be detached (their topic becomes _deleted-topic_), so the delete
	// also needs --allow-orphan.
	Orphans []string `json:"orphans,omitempty"`
	// Destructive is set for deletes and replaces.
	Destructive bool `json:"destructive,omitempty"`
	// RequiresFlag names the apply flag without which the change is refused.
	RequiresFlag string `json:"requires_flag,omitempty"`
	// PreventDestroy is set when lifecycle.prevent_destroy refuses the
	// change whatever the flags.
	PreventDestroy bool `json:"prevent_destroy,omitempty"`
	// DependsOn lists the changes that must succeed first.
	DependsOn   []model.Address `json:"depends_on,omitempty"`
	DerivedFrom *model.Address  `json:"derived_from,omitempty"`
}

// IAMChange is the member-level change of one resource's IAM policy.
type IAMChange struct {
	Address model.Address      `json:"address"` // the resource's address
	Kind    model.Kind         `json:"kind"`
	Name    string             `json:"name"` // full resource name
	Members []iam.MemberChange `json:"members"`
	// WholePolicy is set when the resource's policy is authoritative.
	WholePolicy bool `json:"whole_policy,omitempty"`
	// Desired is what apply recomputes the diff against after each
	// read-modify-write conflict.
	Desired   iam.DesiredPolicy `json:"desired"`
	DependsOn []model.Address   `json:"depends_on,omitempty"`
}

// Unmanaged is a live resource that this stack does not manage.
type Unmanaged struct {
	Kind model.Kind `json:"kind"`
	ID   string     `json:"id"`
	// Stack is the other stack that manages it, if any.
	Stack string `json:"stack,omitempty"`
	// InConfig is set when the configuration declares the resource: it
	// exists live without this stack's labels and is not taken over.
	InConfig bool          `json:"in_config,omitempty"`
	Address  model.Address `json:"address"`
}

// Plan is everything apply would do, as plain data.
type Plan struct {
	FormatVersion string      `json:"format_version"`
	Project       string      `json:"project"`
	Stack         string      `json:"stack"`
	Target        string      `json:"target"`
	Changes       []Change    `json:"changes"`
	IAM           []IAMChange `json:"iam"`
	Unmanaged     []Unmanaged `json:"unmanaged"`
	Warnings      []string    `json:"warnings"`
	IAMSupported  bool        `json:"iam_supported"`
	Unchanged     int         `json:"unchanged"`
	LiveDigest    string      `json:"live_digest"`
	Targets       []string    `json:"targets,omitempty"`
	Adopt         bool        `json:"adopt,omitempty"`
}

// Counts summarizes a plan.
type Counts struct {
	Create, Update, Replace, Delete, Adopt, IAM int
}

// Counts counts the changes by action; IAM counts resources whose policy
// changes.
func (p *Plan) Counts() Counts {
	var c Counts
	for _, ch := range p.Changes {
		switch ch.Action {
		case ActionCreate:
			c.Create++
		case ActionUpdate:
			c.Update++
		case ActionReplace:
			c.Replace++
		case ActionDelete:
			c.Delete++
		case ActionAdopt:
			c.Adopt++
		}
	}
	c.IAM = len(p.IAM)
	return c
}

// HasChanges reports whether apply would change anything.
func (p *Plan) HasChanges() bool { return len(p.Changes) > 0 || len(p.IAM) > 0 }

// NotInEffect returns the declared resources that exist live but that this
// stack does not manage (unlabelled and not adopted, managed by another
// stack, or not adoptable without a replace). Apply never changes them, so
// while there are any the configuration is not in effect even when the
// plan has no changes.
func (p *Plan) NotInEffect() []Unmanaged {
	return filter(p.Unmanaged, func(u Unmanaged) bool { return u.InConfig })
}

// InEffect reports whether live state matches the configuration: no
// changes are needed and every declared resource is managed by this stack.
func (p *Plan) InEffect() bool { return !p.HasChanges() && len(p.NotInEffect()) == 0 }

// Destructive returns the changes that delete or replace something.
func (p *Plan) Destructive() []Change {
	return filter(p.Changes, func(c Change) bool { return c.Destructive })
}

// filter returns the elements of xs that keep keeps, in order; nil when
// there are none.
func filter[T any](xs []T, keep func(T) bool) []T {
	var out []T
	for _, x := range xs {
		if keep(x) {
			out = append(out, x)
		}
	}
	return out
}
