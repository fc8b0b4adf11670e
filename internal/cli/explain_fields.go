package cli

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/pubsubctl/pubsubctl/model"
	"github.com/pubsubctl/pubsubctl/plan"
)

// The field table as explain reads it: where a value came from, its
// defaults, and how apply changes it.

// explainField describes one rendered field (plan.Values).
func explainField(kind model.Kind, meta *model.Meta, v plan.FieldDiff, from *model.Address) fieldExplanation {
	f := fieldExplanation{Path: v.Path, source: v.Source, Source: v.Source.Name(), Sensitive: v.Sensitive}
	if v.Sensitive {
		f.Value, f.shown = plan.SensitiveValue, plan.SensitiveValue
	} else {
		f.Value, f.shown = plan.Native(v.After), shownValue(v.After)
		if inSeconds(kind, v.Path) {
			f.shown = seconds(f.shown)
		}
	}
	if v.Source == model.SourceUser || v.Source == model.SourceDefaults {
		if r := meta.Range(v.Path); r != meta.DeclRange || from == nil {
			f.Location = location(r)
		}
	}
	f.BuiltinDefault = builtinDefault(kind, v.Path)
	f.PubSubDefault = pubsubDefault(kind, v.Path)
	f.Change, f.Why = mutability(kind, v.Path)
	return f
}

// inSeconds reports whether Pub/Sub counts a field in seconds
// (ack_deadline_seconds): explain shows it in seconds too ("60s", not
// "1m").
func inSeconds(kind model.Kind, path string) bool {
	row := exactRow(kind, path)
	return row != nil && countsSeconds(row)
}

// countsSeconds reports whether Pub/Sub counts row's field in seconds.
func countsSeconds(row *model.Field) bool {
	return strings.HasSuffix(row.Mask, "_seconds")
}

// seconds renders a duration text in seconds; any other text is returned
// as it is.
func seconds(s string) string {
	d, err := model.ParseDuration(s)
	if err != nil {
		return s
	}
	return strconv.FormatInt(int64(d.Seconds()), 10) + "s"
}

// exactRow is the field table's row for exactly path, or nil.
func exactRow(kind model.Kind, path string) *model.Field {
	for _, f := range model.Fields {
		if f.Kind == kind && f.Name == path {
			return f
		}
	}
	return nil
}

// builtinDefault is pubsubctl's built-in default of a field, from the
// field table ("" when it has none).
func builtinDefault(kind model.Kind, path string) string {
	switch {
	case kind == model.KindSubscription && path == model.SubExpiration.Name:
		return "never"
	case strings.HasPrefix(path, "labels."+model.LabelManagedBy):
		return model.ManagedByValue
	}
	if row := exactRow(kind, path); row != nil {
		return tableDefault(row, row.Default, row.DefaultCount)
	}
	return ""
}

// pubsubDefault is what Pub/Sub itself does when a field is not set, from
// the field table ("" when the table says nothing).
func pubsubDefault(kind model.Kind, path string) string {
	if kind == model.KindSubscription {
		switch {
		case strings.HasPrefix(path, model.SubRetryPolicy.Name):
			return "no retry policy: immediate redelivery"
		case path == model.SubDeadLetter.Name || path == model.SubDeadLetter.Name+".topic":
			return "no dead-letter topic: a message that keeps failing is redelivered forever"
		}
	}
	if strings.HasPrefix(path, "labels.") {
		return "no labels"
	}
	if row := exactRow(kind, path); row != nil {
		return tableDefault(row, row.ServerDefault, row.ServerDefaultCount)
	}
	return ""
}

// tableDefault renders one of row's defaults (pubsubctl's or Pub/Sub's):
// the duration d, in seconds when Pub/Sub counts the field in seconds, or
// else the count n ("" when both are 0).
func tableDefault(row *model.Field, d time.Duration, n int64) string {
	switch {
	case d != 0 && countsSeconds(row):
		return seconds(model.FormatDuration(d))
	case d != 0:
		return model.FormatDuration(d)
	case n != 0:
		return strconv.FormatInt(n, 10)
	}
	return ""
}

// mutability says how apply changes a field, and why, from the field
// table.
func mutability(kind model.Kind, path string) (change, why string) {
	if path == model.ResourceNameField {
		return "replace", "a resource's name is its identity: a new name is a new resource"
	}
	row := model.LookupField(kind, path)
	switch {
	case row == nil:
		return "in-place", ""
	case row.Immutable != "":
		return "replace", row.Immutable
	case row == model.SchemaDefinition:
		return "new-revision", "a changed definition is committed as a new revision of the schema"
	case row.Mask != "":
		return "in-place", "updated in place (update mask " + row.Mask + ")"
	}
	return "in-place", ""
}

// shownValue is a rendered value as people read it: durations and
// "never" without quotes.
func shownValue(v string) string {
	if s, err := strconv.Unquote(v); err == nil {
		if _, err := model.ParseDuration(s); err == nil || s == "never" {
			return s
		}
	}
	return v
}

// location renders a range as file:line.
func location(r hcl.Range) string {
	if r.Filename == "" {
		return ""
	}
	return fmt.Sprintf("%s:%d", relDir(r.Filename), r.Start.Line)
}
