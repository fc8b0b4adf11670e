package render

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/pubsubctl/pubsubctl/plan"
)

func (h *human) footer() {
	h.line(paint(h.c.bold, "Plan:") + " " + summary(h.p))
	if s := iamSummary(h.p); s != "" {
		h.line(paint(h.c.bold, "IAM:") + " " + s)
	}
}

// trailer prints the plan's warnings and what was left alone.
func (h *human) trailer() {
	warnings := planWarnings(h.p)
	if len(warnings) > 0 {
		h.blank()
		for _, w := range warnings {
			h.line(paint(h.c.warnBold, "Warning:") + " " + w)
		}
	}
	if len(h.p.Unmanaged) > 0 {
		h.blank()
		h.line(unmanagedSummary(h.p, !h.o.Verbose))
		if h.o.Verbose {
			for _, u := range h.p.Unmanaged {
				h.line("  - " + u.Address.String() + unmanagedNote(u))
			}
		}
	}
}

// planWarnings returns the plan's warnings, preceded by one for --target.
func planWarnings(p *plan.Plan) []string {
	var out []string
	if len(p.Targets) > 0 {
		out = append(out, "resource targeting is in effect ("+strings.Join(p.Targets, ", ")+"): changes to other resources are not planned and the plan may be incomplete")
	}
	return append(out, p.Warnings...)
}

func unmanagedSummary(p *plan.Plan, hint bool) string {
	n := len(p.Unmanaged)
	s := plural(n, "resource in the project is", "resources in the project are")
	verb := "were"
	if n == 1 {
		verb = "was"
	}
	by := "this stack"
	if p.Stack != "" {
		by = "stack " + p.Stack
	}
	s += " not managed by " + by + " and " + verb + " left alone"
	if hint {
		s += " (-v lists them)"
	}
	return s + "."
}

func unmanagedNote(u plan.Unmanaged) string {
	switch {
	case u.Stack != "" && u.InConfig:
		return " (declared in the configuration, managed by stack " + u.Stack + ")"
	case u.Stack != "":
		return " (managed by stack " + u.Stack + ")"
	case u.InConfig:
		return " (declared in the configuration, exists without ownership labels)"
	}
	return ""
}

// plural renders "1 thing" or "N things".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// NotInEffectLine says why a declared resource is not managed.
func NotInEffectLine(u plan.Unmanaged) string {
	if u.Stack != "" {
		return fmt.Sprintf("%s: managed by stack %q", u.Address, u.Stack)
	}
	return fmt.Sprintf("%s: exists, not managed by any stack", u.Address)
}
