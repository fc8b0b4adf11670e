package model

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// Limits of the real service that are not bounds of one field (those are
// in the field table, fields.go), as docs/language.md states them.
const (
	maxLabels   = 64
	maxIDLength = 255
)

// Validate checks a configuration against Pub/Sub's rules and pubsubctl's
// least-privilege and safety rules, without any network call. It expects
// ApplyDefaults to have run (it also works on a bare Config, skipping the
// fields that are unset). Every diagnostic's Subject is the range of the
// offending field when the loader recorded one, else the declaration of the
// resource. Diagnostics are returned in source order.
func Validate(c *Config) hcl.Diagnostics {
	if c == nil {
		return nil
	}
	v := &validator{
		c:            c,
		userSubs:     map[Address]*Subscription{},
		seenDefaults: map[string]bool{},
	}
	for _, s := range c.Subscriptions {
		if s.DerivedFrom == nil {
			v.userSubs[s.Addr] = s
		}
	}
	v.project()
	v.quota()
	v.names()
	for _, s := range c.Schemas {
		v.schema(s)
	}
	for _, t := range c.Topics {
		v.labels(t, t.Labels)
		v.topic(t)
	}
	for _, s := range c.Subscriptions {
		v.labels(s, s.Labels)
		v.subscription(s)
	}
	return v.result()
}

type validator struct {
	c        *Config
	diags    hcl.Diagnostics
	userSubs map[Address]*Subscription
	// seenDefaults de-duplicates diagnostics about values every resource
	// inherits from the defaults block.
	seenDefaults map[string]bool
	// fullNames indexes the full names of the declared topics and
	// schemas (see declared).
	fullNames map[Kind]map[string]bool
}

// NewDiagnostic is a diagnostic about r (none for a zero range). detail is
// a format for args, or taken as it is without args.
func NewDiagnostic(sev hcl.DiagnosticSeverity, r hcl.Range, summary, detail string, args ...any) *hcl.Diagnostic {
	if len(args) > 0 {
		detail = fmt.Sprintf(detail, args...)
	}
	d := &hcl.Diagnostic{Severity: sev, Summary: summary, Detail: detail}
	if !isZeroRange(r) {
		d.Subject = &r
	}
	return d
}

func (v *validator) add(sev hcl.DiagnosticSeverity, r hcl.Range, summary, detail string, args ...any) {
	v.diags = append(v.diags, NewDiagnostic(sev, r, summary, detail, args...))
}

func (v *validator) errorf(r hcl.Range, summary, detail string, args ...any) {
	v.add(hcl.DiagError, r, summary, detail, args...)
}

func (v *validator) warnf(r hcl.Range, summary, detail string, args ...any) {
	v.add(hcl.DiagWarning, r, summary, detail, args...)
}

// warnOn is warnf about one resource: the diagnostic's Extra says which
// (ResourceDiagnostic), so that the same warning about many resources can
// be shown once.
func (v *validator) warnOn(res Resource, r hcl.Range, summary, detail string, args ...any) {
	v.warnf(r, summary, detail, args...)
	v.diags[len(v.diags)-1].Extra = &ResourceDiagnostic{Kind: res.Address().Kind, Resource: describe(res)}
}

// ResourceDiagnostic is the Extra (hcl.Diagnostic.Extra) of a warning
// about one resource. Two such warnings whose summaries are equal and
// whose details are equal once Resource is taken out of them are the same
// warning about different resources: render.Diagnostics shows them once,
// with the count and the first resources.
type ResourceDiagnostic struct {
	Kind Kind
	// Resource names the resource the way the detail does (Describe):
	// subscription.orders, subscription.audit["eu"].
	Resource string
}

// fieldError reports an error on a field of res. A value inherited from the
// defaults block is reported once, not once per resource.
func (v *validator) fieldError(res Resource, path, summary, detail string, args ...any) {
	v.fieldErrorAt(res, path, res.Metadata().Range(path), summary, detail, args...)
}

// fieldErrorAt is fieldError with an explicit subject.
func (v *validator) fieldErrorAt(res Resource, path string, r hcl.Range, summary, detail string, args ...any) {
	m := res.Metadata()
	if m.Source(path) == SourceDefaults {
		key := path + "\x00" + summary
		if v.seenDefaults[key] {
			return
		}
		v.seenDefaults[key] = true
		detail += " This value comes from the defaults block."
	}
	v.errorf(r, summary, detail, args...)
}

// result sorts the diagnostics (SortDiagnostics).
func (v *validator) result() hcl.Diagnostics { return SortDiagnostics(v.diags) }

// SortDiagnostics sorts diagnostics by position (stably, so that
// diagnostics on the same position keep their order; those without a
// position last) and drops exact duplicates. Validate's result is sorted;
// a caller that adds diagnostics of other rules (IAM lint) sorts them all.
func SortDiagnostics(diags hcl.Diagnostics) hcl.Diagnostics {
	type key struct {
		sev                  hcl.DiagnosticSeverity
		summary, detail, pos string
	}
	seen := map[key]bool{}
	var out hcl.Diagnostics
	for _, d := range diags {
		k := key{d.Severity, d.Summary, d.Detail, ""}
		if d.Subject != nil {
			k.pos = d.Subject.String()
		}
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, d)
	}
	slices.SortStableFunc(out, func(a, b *hcl.Diagnostic) int {
		switch {
		case a.Subject == nil && b.Subject == nil:
			return 0
		case a.Subject == nil:
			return 1
		case b.Subject == nil:
			return -1
		}
		if c := cmp.Compare(a.Subject.Filename, b.Subject.Filename); c != 0 {
			return c
		}
		if c := cmp.Compare(a.Subject.Start.Line, b.Subject.Start.Line); c != 0 {
			return c
		}
		return cmp.Compare(a.Subject.Start.Column, b.Subject.Start.Column)
	})
	return out
}

// IsZeroRange reports whether r is the zero range (no position known).
func IsZeroRange(r hcl.Range) bool { return isZeroRange(r) }

func isZeroRange(r hcl.Range) bool {
	return r.Filename == "" && r.Start.Line == 0 && r.End.Line == 0 && r.Start.Byte == 0 && r.End.Byte == 0
}

// at renders a range's start as file:line,col for details.
func at(r hcl.Range) string {
	if isZeroRange(r) {
		return "an unknown location"
	}
	return fmt.Sprintf("%s:%d,%d", r.Filename, r.Start.Line, r.Start.Column)
}

// Describe names a resource for diagnostics: topic.orders, or "the
// dead-letter topic of subscription.x" for derived resources.
func Describe(res Resource) string { return describe(res) }

func describe(res Resource) string {
	if from := DerivedFrom(res); from != nil {
		return fmt.Sprintf("the dead-letter %s of %s", res.Address().Kind, from)
	}
	return res.Address().String()
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// ---- labels ----------------------------------------------------------------

func (v *validator) labels(res Resource, labels map[string]string) {
	m := res.Metadata()
	n := len(labels)
	if _, ok := labels[LabelManagedBy]; !ok {
		n++
	}
	if _, ok := labels[LabelStack]; !ok && v.c.Stack != "" {
		n++
	}
	if n > maxLabels {
		v.errorf(m.Range("labels"), "Too many labels",
			"%s has %d labels, counting pubsubctl's ownership labels %s and %s; Pub/Sub allows at most %d per resource.",
			describe(res), n, LabelManagedBy, LabelStack, maxLabels)
	}
	keys := make([]string, 0, len(labels))
	for k := range labels {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		path := "labels." + k
		src := m.Source(path)
		written := m.HasRange(path)
		if k == LabelManagedBy || k == LabelStack {
			if written || src == SourceUser || src == SourceDefaults {
				v.fieldError(res, path, "Reserved label key",
					"The label %q is reserved: pubsubctl sets %s = %q and %s = <stack> on every resource it manages, to know which resources it owns. Remove it from the labels.",
					k, LabelManagedBy, ManagedByValue, LabelStack)
			}
			continue
		}
		if !labelKeyRE.MatchString(k) {
			v.fieldError(res, path, "Invalid label key",
				"%q is not a valid label key. Keys are 1 to 63 characters long, start with a lower-case letter, and contain only lower-case letters, digits, underscores and hyphens (international characters are allowed).",
				k)
		}
		if val := labels[k]; !labelValueRE.MatchString(val) {
			v.fieldError(res, path, "Invalid label value",
				"The value %q of label %q is not valid. Values are at most 63 characters long and contain only lower-case letters, digits, underscores and hyphens (international characters are allowed).",
				val, k)
		}
	}
}

// ---- references -------------------------------------------------------------

// declared reports whether full names a topic or schema of this
// configuration (whose own name is validated where it is declared). The
// full names of each kind are indexed on first use, so that checking every
// subscription's topic costs one map lookup each, not a scan.
func (v *validator) declared(k Kind, full string) bool {
	if k != KindTopic && k != KindSchema {
		return false
	}
	if v.fullNames == nil {
		v.fullNames = map[Kind]map[string]bool{}
	}
	names, ok := v.fullNames[k]
	if !ok {
		names = map[string]bool{}
		if k == KindTopic {
			for _, t := range v.c.Topics {
				names[FullName(v.c.Project, k, t.Name)] = true
			}
		} else {
			for _, s := range v.c.Schemas {
				names[FullName(v.c.Project, k, s.Name)] = true
			}
		}
		v.fullNames[k] = names
	}
	return names[full]
}
