package render

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/fatih/color"

	"github.com/pubsubctl/pubsubctl/model"
	"github.com/pubsubctl/pubsubctl/plan"
)

// Options tune the human renderers (Human and Diagnostics).
type Options struct {
	// Color turns ANSI colours on. The caller decides (terminal, NO_COLOR,
	// --no-color); the package never looks at the environment.
	Color bool
	// Verbose (-v) shows the provenance of every value, the attributes an
	// update leaves unchanged, and the names of unmanaged resources.
	Verbose bool
	// Dir is the configuration directory, as the user named it: the
	// Markdown form names it in its marker and heading (a monorepo has
	// several).
	Dir string
	// MaxBytes bounds the Markdown form (0: MaxCommentBytes); a combined
	// report of several configurations gives each its share.
	MaxBytes int
}

// palette holds the renderer's own colours, so that colour is decided per
// call and never through color.NoColor.
type palette struct {
	create, update, del, adopt, bold, warn, warnBold, danger, dangerBold, okBold *color.Color
}

func newPalette(on bool) *palette {
	p := &palette{
		create:     color.New(color.FgGreen),
		update:     color.New(color.FgYellow),
		del:        color.New(color.FgRed),
		adopt:      color.New(color.FgCyan),
		bold:       color.New(color.Bold),
		warn:       color.New(color.FgYellow),
		warnBold:   color.New(color.FgYellow, color.Bold),
		danger:     color.New(color.FgRed),
		dangerBold: color.New(color.FgRed, color.Bold),
		okBold:     color.New(color.FgGreen, color.Bold),
	}
	for _, c := range []*color.Color{p.create, p.update, p.del, p.adopt, p.bold, p.warn, p.warnBold, p.danger, p.dangerBold, p.okBold} {
		if on {
			c.EnableColor()
		} else {
			c.DisableColor()
		}
	}
	return p
}

// paint colours s; the empty string stays empty.
func paint(c *color.Color, s string) string {
	if s == "" {
		return ""
	}
	return c.Sprint(s)
}

// Human writes the plan the way `pubsubctl plan` shows it: Terraform's
// layout, destructive changes flagged first, a summary last.
func Human(w io.Writer, p *plan.Plan, o Options) error {
	h := newHuman(p, o)
	h.render()
	_, err := io.WriteString(w, h.b.String())
	return err
}

type human struct {
	b strings.Builder
	o Options
	c *palette
	p *plan.Plan
	// actions maps the address of every resource change to its action, so
	// that IAM blocks can say whether their resource is new.
	actions map[string]plan.Action
}

func newHuman(p *plan.Plan, o Options) *human {
	h := &human{o: o, c: newPalette(o.Color), p: p, actions: map[string]plan.Action{}}
	for _, ch := range p.Changes {
		h.actions[ch.Address.String()] = ch.Action
	}
	return h
}

func (h *human) line(s string) {
	h.b.WriteString(s)
	h.b.WriteByte('\n')
}

func (h *human) linef(format string, a ...any) {
	fmt.Fprintf(&h.b, format, a...)
	h.b.WriteByte('\n')
}

func (h *human) blank() { h.b.WriteByte('\n') }

// LargePlan is the number of changes above which the human plan starts
// with its totals by kind.
const LargePlan = 100

// kindCounts counts the changes of a plan by kind and action, one line
// each: "1000 topics to create".
func kindCounts(p *plan.Plan) []string {
	type key struct {
		kind model.Kind
		act  plan.Action
	}
	counts := map[key]int{}
	var order []key
	for _, ch := range p.Changes {
		k := key{ch.Kind, ch.Action}
		if counts[k] == 0 {
			order = append(order, k)
		}
		counts[k]++
	}
	var out []string
	for _, k := range order {
		out = append(out, fmt.Sprintf("%s to %s", plural(counts[k], k.kind.String(), k.kind.String()+"s"), k.act))
	}
	if n := len(p.IAM); n > 0 {
		out = append(out, plural(n, "IAM policy", "IAM policies")+" to update")
	}
	return out
}

func (h *human) render() {
	if !h.p.HasChanges() && !h.p.InEffect() {
		h.line(paint(h.c.warnBold, "No changes can be applied, but the configuration is not in effect."))
		h.blank()
		h.linef("%s declared in the configuration exist in %s but are not managed by this stack, so pubsubctl leaves them as they are:", plural(len(h.p.NotInEffect()), "resource", "resources"), context(h.p))
		for _, u := range h.p.NotInEffect() {
			h.linef("  %s", NotInEffectLine(u))
		}
		h.blank()
		h.line("Adopt unlabelled ones with `pubsubctl apply --adopt` (`plan --adopt` shows what adoption changes); release another stack's with `pubsubctl forget` in that stack first.")
		h.trailer()
		return
	}
	if !h.p.HasChanges() {
		h.line(paint(h.c.okBold, "No changes.") + paint(h.c.bold, " Live state matches the configuration."))
		h.blank()
		h.linef("pubsubctl compared %s with the configuration and found no differences, so no changes are needed.", context(h.p))
		h.trailer()
		return
	}
	h.destructiveBox()
	if n := len(h.p.Changes) + len(h.p.IAM); n > LargePlan {
		// A plan of thousands of changes: the totals first, by kind, so a
		// reader knows what scrolls past (they are repeated at the end).
		h.linef("This plan has %d changes:", n)
		for _, l := range kindCounts(h.p) {
			h.line("  " + l)
		}
		h.blank()
	}
	h.legend()
	h.linef("pubsubctl will perform the following actions on %s:", context(h.p))
	for _, ch := range h.p.Changes {
		h.blank()
		h.change(ch)
	}
	for _, ic := range h.p.IAM {
		h.blank()
		h.iam(ic)
	}
	h.blank()
	h.footer()
	h.trailer()
}

// context describes where the plan applies: "project P (stack S, target T)".
func context(p *plan.Plan) string {
	var parts []string
	if p.Stack != "" {
		parts = append(parts, "stack "+p.Stack)
	}
	if p.Target != "" {
		parts = append(parts, "target "+p.Target)
	}
	s := "project " + p.Project
	if len(parts) > 0 {
		s += " (" + strings.Join(parts, ", ") + ")"
	}
	return s
}

// destructiveBox flags, before anything else, every change that destroys
// data, with its consequences and the flag apply requires.
func (h *human) destructiveBox() {
	d := h.p.Destructive()
	if len(d) == 0 {
		return
	}
	bar := paint(h.c.warn, "│")
	row := func(s string) {
		if s == "" {
			h.line(bar)
			return
		}
		h.line(bar + " " + s)
	}
	h.line(paint(h.c.warn, "╷"))
	row(paint(h.c.warnBold, "Warning:") + paint(h.c.bold, " this plan destroys data"))
	row("")
	var protected []plan.Change
	for _, ch := range d {
		s := ch.Address.String() + " " + destroyVerb(ch.Action)
		if ch.RequiresFlag != "" {
			s += " (apply needs " + ch.RequiresFlag + ")"
		}
		if len(ch.Warnings) > 0 {
			s += ":"
		}
		row(s)
		for _, w := range ch.Warnings {
			row("  - " + w)
		}
		if ch.PreventDestroy {
			protected = append(protected, ch)
		}
	}
	if len(protected) > 0 {
		row("")
		for _, ch := range protected {
			row(paint(h.c.dangerBold, ch.Address.String()+" has lifecycle.prevent_destroy set:") +
				paint(h.c.danger, " apply will refuse this plan, whatever the flags, until prevent_destroy is removed or the change is undone"))
		}
	}
	h.line(paint(h.c.warn, "╵"))
	h.blank()
}

func destroyVerb(a plan.Action) string {
	if a == plan.ActionReplace {
		return "will be replaced"
	}
	return "will be deleted"
}

// actionTexts say, in legend order, what each action does: in the legend,
// and in the heading of a change (actionPhrase).
var actionTexts = []struct {
	action plan.Action
	legend string
	phrase string
}{
	{plan.ActionCreate, "create", "will be created"},
	{plan.ActionUpdate, "update in-place", "will be updated in-place"},
	{plan.ActionReplace, "delete and then create replacement", "must be replaced"},
	{plan.ActionDelete, "delete", "will be deleted"},
	{plan.ActionAdopt, "adopt (add ownership labels)", "will be adopted (ownership labels added)"},
}

// legend lists the symbols the plan uses, as Terraform does.
func (h *human) legend() {
	used := map[plan.Action]bool{}
	for _, ch := range h.p.Changes {
		used[ch.Action] = true
	}
	for _, ic := range h.p.IAM {
		used[h.iamAction(ic)] = true
	}
	h.line("Resource actions are indicated with the following symbols:")
	for _, t := range actionTexts {
		if used[t.action] {
			h.linef("%s %s", h.symbol(t.action), t.legend)
		}
	}
	h.blank()
}

// symbol returns the action's symbol right-aligned in three columns and
// coloured.
func (h *human) symbol(a plan.Action) string {
	switch a {
	case plan.ActionCreate:
		return "  " + paint(h.c.create, "+")
	case plan.ActionUpdate:
		return "  " + paint(h.c.update, "~")
	case plan.ActionReplace:
		return paint(h.c.del, "-") + "/" + paint(h.c.create, "+")
	case plan.ActionDelete:
		return "  " + paint(h.c.del, "-")
	case plan.ActionAdopt:
		return " " + paint(h.c.adopt, "<=")
	}
	return "  ?"
}

func (h *human) attrSymbol(s string) string {
	switch s {
	case "+":
		return paint(h.c.create, s)
	case "-":
		return paint(h.c.del, s)
	case "~":
		return paint(h.c.update, s)
	}
	return s
}

func actionPhrase(a plan.Action) string {
	for _, t := range actionTexts {
		if t.action == a {
			return t.phrase
		}
	}
	return "will be changed"
}

// derivedPhrase explains a resource pubsubctl materializes itself.
func derivedPhrase(ch plan.Change) string {
	if ch.DerivedFrom == nil {
		return ""
	}
	switch ch.Kind {
	case model.KindTopic:
		return "dead-letter topic for " + ch.DerivedFrom.String()
	case model.KindSubscription:
		return "dead-letter subscription for " + ch.DerivedFrom.String()
	}
	return "derived from " + ch.DerivedFrom.String()
}

// attr is one line inside a resource block.
type attr struct {
	sym, path, value, suffix string
}

func (h *human) change(ch plan.Change) {
	head := "# " + ch.Address.String() + " " + actionPhrase(ch.Action)
	if d := derivedPhrase(ch); d != "" {
		head += " (" + d + ")"
	}
	h.line("  " + paint(h.c.bold, head))
	comment := func(s string) { h.line("  # " + s) }
	if ch.NewRevision {
		comment("(the definition changes: a new schema revision is committed; the schema is not replaced)")
	}
	if ch.Action == plan.ActionDelete {
		by := "pubsubctl"
		if h.p.Stack != "" {
			by = "stack " + h.p.Stack
		}
		comment("(because it is not in the configuration and is labelled as managed by " + by + ")")
	}
	for _, r := range ch.ReplaceReasons {
		comment("(" + r + ")")
	}
	for _, w := range ch.Warnings {
		h.line("  " + paint(h.c.danger, "# ! "+w))
	}
	if ch.RequiresFlag != "" {
		comment("(apply refuses this change without " + ch.RequiresFlag + ")")
	}
	if ch.PreventDestroy {
		h.line("  " + paint(h.c.dangerBold, "# ! lifecycle.prevent_destroy is set: apply will refuse this change"))
	}

	var attrs []attr
	hidden := 0
	switch ch.Action {
	case plan.ActionCreate:
		for _, f := range ch.Fields {
			_, after := f.Display()
			attrs = append(attrs, attr{"+", f.Path, after, h.annotate(f.Source, false)})
		}
	case plan.ActionDelete:
		attrs = append(attrs, attr{"-", "name", strconv.Quote(ch.Name), ""})
	default:
		forces := ch.Action == plan.ActionReplace
		changed := map[string]bool{}
		for _, f := range ch.Fields {
			changed[f.Path] = true
			fr := forces && f.ForcesReplace
			before, after := f.Display()
			switch {
			case before == "":
				attrs = append(attrs, attr{"+", f.Path, after, h.annotate(f.Source, fr)})
			case after == "":
				attrs = append(attrs, attr{"-", f.Path, before, h.annotate(removed, fr)})
			default:
				attrs = append(attrs, attr{"~", f.Path, before + " -> " + after, h.annotate(f.Source, fr)})
			}
		}
		if r := ch.After.Get(); r != nil {
			for _, v := range plan.Values(h.p.Project, r) {
				if changed[v.Path] {
					continue
				}
				if h.o.Verbose {
					_, after := v.Display()
					attrs = append(attrs, attr{" ", v.Path, after, h.annotate(v.Source, false)})
				} else {
					hidden++
				}
			}
		}
	}

	h.linef("%s %s %s {", h.symbol(ch.Action), ch.Kind, strconv.Quote(ch.ID))
	width := 0
	for _, a := range attrs {
		width = max(width, utf8.RuneCountInString(a.path))
	}
	for _, a := range attrs {
		pad := strings.Repeat(" ", width-utf8.RuneCountInString(a.path))
		h.linef("      %s %s%s = %s%s", h.attrSymbol(a.sym), a.path, pad, a.value, a.suffix)
	}
	if hidden > 0 {
		h.linef("        # (%s hidden)", plural(hidden, "unchanged attribute", "unchanged attributes"))
	}
	h.line("    }")
}

// removed is the pseudo-source of a value that is going away: it has no
// provenance to show.
const removed model.Source = -1

// annotate returns what follows a value: the provenance marker, or with
// Verbose the provenance comment, and "# forces replacement".
func (h *human) annotate(src model.Source, forces bool) string {
	var comments []string
	if forces {
		comments = append(comments, "forces replacement")
	}
	s := ""
	if h.o.Verbose {
		if p := textOf(src).comment; p != "" {
			comments = append(comments, p)
		}
	} else {
		s = textOf(src).marker
	}
	if len(comments) > 0 {
		c := "# " + strings.Join(comments, "; ")
		if forces {
			c = paint(h.c.danger, c)
		}
		s += " " + c
	}
	return s
}
