package render

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/pubsubctl/pubsubctl/iam"
	"github.com/pubsubctl/pubsubctl/model"
	"github.com/pubsubctl/pubsubctl/plan"
)

// iamAction is the symbol an IAM block gets: + when its resource is new
// (created or re-created), so the whole policy is new, ~ otherwise.
func (h *human) iamAction(ic plan.IAMChange) plan.Action {
	switch h.actions[ic.Address.String()] {
	case plan.ActionCreate, plan.ActionReplace:
		return plan.ActionCreate
	}
	return plan.ActionUpdate
}

// external reports whether an IAM change is on a resource outside the
// configuration (a grant on another project's dead-letter topic).
func external(ic plan.IAMChange) bool {
	return ic.Address.Name == ic.Name && strings.HasPrefix(ic.Name, "projects/")
}

func iamSubject(ic plan.IAMChange) string {
	if external(ic) {
		return ic.Kind.String() + " " + ic.Name + " (not in the configuration)"
	}
	return ic.Address.String()
}

func iamPhrase(a plan.Action) string {
	switch a {
	case plan.ActionCreate:
		return "will be set once it is created"
	case plan.ActionReplace:
		return "will be re-applied once it is re-created"
	}
	return "will be updated"
}

func (h *human) iam(ic plan.IAMChange) {
	h.line("  " + paint(h.c.bold, "# IAM of "+iamSubject(ic)+" "+iamPhrase(h.actions[ic.Address.String()])))
	if ic.WholePolicy {
		h.line(`  # (iam_policy = "authoritative": roles the configuration does not name lose their members)`)
	}
	label := model.ShortName(h.p.Project, ic.Kind, ic.Name)
	h.linef("%s iam %s %s {", h.symbol(h.iamAction(ic)), ic.Kind, strconv.Quote(label))
	for _, m := range ic.Members {
		sym := "~"
		switch m.Action {
		case iam.ActionAdd:
			sym = "+"
		case iam.ActionRemove:
			sym = "-"
		}
		h.linef("      %s %s: %s%s", h.attrSymbol(sym), m.Role, m.Member, memberOrigin(m.Action, m.Origin))
	}
	h.line("    }")
}

func memberOrigin(action, origin string) string {
	switch {
	case origin != "":
		return " (" + origin + ")"
	case action == iam.ActionRemove:
		return " (not in configuration)"
	}
	return ""
}

// iamMembers counts members added and removed across the plan.
func iamMembers(p *plan.Plan) (added, removed int) {
	for _, ic := range p.IAM {
		a, r := iam.CountChanges(ic.Members)
		added, removed = added+a, removed+r
	}
	return added, removed
}

// summary is the "Plan: ..." sentence without its label.
func summary(p *plan.Plan) string {
	c := p.Counts()
	s := fmt.Sprintf("%d to create, %d to update, %d to replace, %d to delete", c.Create, c.Update, c.Replace, c.Delete)
	if c.Adopt > 0 {
		s += fmt.Sprintf(", %d to adopt", c.Adopt)
	}
	return s + "."
}

// iamSummary is the "IAM: ..." sentence without its label, or "".
func iamSummary(p *plan.Plan) string {
	if len(p.IAM) == 0 {
		return ""
	}
	added, removed := iamMembers(p)
	what := plural(len(p.IAM), "resource's policy changes", "resources' policies change")
	return fmt.Sprintf("%s (%s added, %d removed).", what, plural(added, "member", "members"), removed)
}
