package model

import (
	"strings"
	"testing"
)

// TestFieldTable: the table is well formed: one row per kind and name, a
// top-level row is either updatable (a mask) or immutable (a reason), a
// sub-path row belongs to a top-level row, and defaults lie within bounds.
func TestFieldTable(t *testing.T) {
	seen := map[string]bool{}
	for _, f := range Fields {
		key := f.Kind.String() + "." + f.Name
		if seen[key] {
			t.Errorf("%s: two rows", key)
		}
		seen[key] = true
		top := !strings.Contains(f.Name, ".")
		switch {
		case top && f.Kind != KindSchema && (f.Mask == "") == (f.Immutable == ""):
			t.Errorf("%s: a top-level row needs exactly one of Mask and Immutable", key)
		case !top && (f.Mask != "" || f.Immutable != ""):
			t.Errorf("%s: a sub-path row takes its mask and mutability from its attribute", key)
		case !top && LookupField(f.Kind, f.Name) == nil:
			t.Errorf("%s: no row for its attribute", key)
		}
		if f.Max != 0 && (f.Default > f.Max || f.ServerDefault > f.Max || f.Min > f.Max) {
			t.Errorf("%s: a default or the minimum exceeds the maximum", key)
		}
		if f.Default != 0 && f.Default < f.Min {
			t.Errorf("%s: the default is below the minimum", key)
		}
		if f.MaxCount != 0 && (f.DefaultCount > f.MaxCount || f.MinCount > f.MaxCount) {
			t.Errorf("%s: count bounds", key)
		}
	}
	if !IsImmutable(KindSubscription, "filter") || !IsImmutable(KindTopic, "name") || IsImmutable(KindSubscription, "retry_policy.minimum_backoff") {
		t.Error("IsImmutable")
	}
	if f := LookupField(KindSubscription, "retry_policy.maximum_backoff"); f != SubRetryPolicy {
		t.Errorf("LookupField of a sub-path = %v, want its attribute", f)
	}
}
