package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/pubsubctl/pubsubctl/model"
)

// fieldLine is the one-line explanation of a field:
// "60s, pubsubctl built-in default (Pub/Sub's own is 10s), in-place update".
func fieldLine(f fieldExplanation) string {
	var b strings.Builder
	b.WriteString(f.shown)
	b.WriteString(", ")
	switch f.source {
	case model.SourceUser:
		if f.Location != "" {
			b.WriteString("set at " + f.Location)
		} else {
			b.WriteString("derived by pubsubctl")
		}
	case model.SourceDefaults:
		b.WriteString("defaults block")
		if f.Location != "" {
			b.WriteString(" at " + f.Location)
		}
	case model.SourceBuiltin:
		b.WriteString("pubsubctl built-in default")
	default:
		b.WriteString("not set: Pub/Sub's own default applies")
	}
	var notes []string
	if f.source == model.SourceDefaults && f.BuiltinDefault != "" {
		notes = append(notes, "pubsubctl's built-in is "+f.BuiltinDefault)
	}
	if f.PubSubDefault != "" {
		notes = append(notes, "Pub/Sub's own is "+f.PubSubDefault)
	}
	if len(notes) > 0 {
		b.WriteString(" (" + strings.Join(notes, "; ") + ")")
	}
	switch f.Change {
	case "replace":
		b.WriteString(", forces replace: " + f.Why)
	case "new-revision":
		b.WriteString(", new schema revision")
	default:
		b.WriteString(", in-place update")
	}
	return b.String()
}

func liveLine(f fieldExplanation) string {
	if f.Live == nil {
		return ""
	}
	if f.Live.Drift {
		return "live: " + f.Live.shown + " (drift)"
	}
	return "live: " + f.Live.shown + " (as configured)"
}

// writeExplanation prints ex for people. With a field, only the field
// lines (and the live status) are printed.
func writeExplanation(w io.Writer, ex *explanation, field string) {
	if field != "" {
		for _, f := range ex.Fields {
			fmt.Fprintf(w, "%s.%s: %s\n", ex.Address, f.Path, fieldLine(f))
			if l := liveLine(f); l != "" {
				fmt.Fprintf(w, "  %s\n", l)
			}
		}
		if ex.Live != nil && (ex.Live.Status == "absent" || ex.Live.Status == "unmanaged" || ex.Live.Status == "other-stack") {
			fmt.Fprintf(w, "  live (%s): %s\n", ex.Live.Target, ex.Live.Detail)
		}
		for _, s := range ex.Warnings {
			fmt.Fprintf(w, "Warning: %s\n", s)
		}
		return
	}
	fmt.Fprintf(w, "%s\n", ex.Address)
	fmt.Fprintf(w, "  name:        %s\n", ex.Name)
	if ex.DerivedFrom != "" {
		fmt.Fprintf(w, "  derived from: %s (pubsubctl creates it; it is not declared)\n", ex.DerivedFrom)
	}
	if ex.DeclaredAt != "" {
		fmt.Fprintf(w, "  declared at: %s\n", ex.DeclaredAt)
	}
	if ex.Live != nil {
		fmt.Fprintf(w, "  live:        %s, %s (%s)\n", ex.Live.Status, ex.Live.Detail, ex.Live.Target)
		for _, m := range ex.Live.PendingIAM {
			fmt.Fprintf(w, "    IAM pending: %s\n", m)
		}
	}
	fmt.Fprintf(w, "\nFields:\n")
	for _, f := range ex.Fields {
		fmt.Fprintf(w, "  %s: %s\n", f.Path, fieldLine(f))
		if l := liveLine(f); l != "" {
			fmt.Fprintf(w, "    %s\n", l)
		}
	}
	if len(ex.Derived) > 0 {
		fmt.Fprintf(w, "\nDerived resources:\n")
		for _, d := range ex.Derived {
			fmt.Fprintf(w, "  %s: %s\n", d.Address, d.Role)
		}
	}
	if len(ex.IAM) > 0 {
		fmt.Fprintf(w, "\nIAM (on this %s):\n", ex.Kind)
		for _, rm := range ex.IAM {
			fmt.Fprintf(w, "  %s\n", rm.Role)
			for _, m := range rm.Members {
				at := ""
				if m.Location != "" {
					at = ", " + m.Location
				}
				fmt.Fprintf(w, "    %s (%s%s)\n", m.Member, m.Why, at)
			}
		}
	}
	if ex.Kind != model.KindSchema.String() {
		fmt.Fprintf(w, "\nWho can publish (grants on the resources; project-level grants not shown):\n")
		writeAccess(w, ex.Publishers)
		fmt.Fprintf(w, "\nWho consumes:\n")
		writeAccess(w, ex.Consumers)
	}
	if len(ex.Warnings) > 0 {
		fmt.Fprintln(w)
		for _, s := range ex.Warnings {
			fmt.Fprintf(w, "Warning: %s\n", s)
		}
	}
}

func writeAccess(w io.Writer, as []access) {
	if len(as) == 0 {
		fmt.Fprintf(w, "  nobody declared\n")
		return
	}
	for _, a := range as {
		fmt.Fprintf(w, "  %s: %s\n", a.Who, a.Via)
	}
}
