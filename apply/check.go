package apply

import (
	"fmt"
	"strings"

	"github.com/pubsubctl/pubsubctl/model"
	"github.com/pubsubctl/pubsubctl/plan"
)

// Violation is a change the options do not allow.
type Violation struct {
	Address string // "subscription.orders-billing"
	Action  string // "delete" or "replace"
	Reason  string
}

func (v Violation) String() string { return v.Address + " (" + v.Action + "): " + v.Reason }

// Check returns the guard violations of p under o without executing
// anything: every delete without AllowDestroy, every replace without
// AllowReplace, and every delete or replace of a resource whose
// lifecycle.prevent_destroy is set (refused even with the flags). A change
// may have more than one violation.
func Check(p *plan.Plan, o Options) []Violation {
	if p == nil {
		return nil
	}
	var out []Violation
	for i := range p.Changes {
		ch := &p.Changes[i]
		for _, r := range refusals(ch, o) {
			out = append(out, Violation{Address: ch.Address.String(), Action: string(ch.Action), Reason: r})
		}
	}
	return out
}

func refusals(ch *plan.Change, o Options) []string {
	var out []string
	destructive := ch.Action == plan.ActionDelete || ch.Action == plan.ActionReplace
	if destructive && ch.PreventDestroy {
		out = append(out, fmt.Sprintf("lifecycle.prevent_destroy is set: %s is never deleted or replaced, whatever the flags (remove prevent_destroy first if you really mean it)", ch.Address))
	}
	switch {
	case ch.Action == plan.ActionDelete && !o.AllowDestroy:
		out = append(out, fmt.Sprintf("deleting requires %s", flagOr(ch.RequiresFlag, "--allow-destroy")))
	case ch.Action == plan.ActionDelete && len(ch.Orphans) > 0 && !o.AllowOrphan:
		out = append(out, fmt.Sprintf("deleting detaches subscriptions this stack does not manage (%s): their topic becomes _deleted-topic_ and they stop receiving messages for good; it requires --allow-orphan", strings.Join(ch.Orphans, ", ")))
	case ch.Action == plan.ActionReplace && !o.AllowReplace:
		what := "deletes and re-creates it"
		if ch.Kind == model.KindSubscription {
			what += ", losing its backlog"
		}
		out = append(out, fmt.Sprintf("replacing %s; it requires %s", what, flagOr(ch.RequiresFlag, "--allow-replace")))
	}
	return out
}

func flagOr(f, def string) string {
	if f == "" {
		return def
	}
	return f
}
