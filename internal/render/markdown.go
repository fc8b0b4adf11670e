package render

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"

	"github.com/pubsubctl/pubsubctl/iam"
	"github.com/pubsubctl/pubsubctl/model"
	"github.com/pubsubctl/pubsubctl/plan"
)

// MaxCommentBytes bounds the Markdown form: a pull-request comment on
// GitHub holds at most 65,536 characters. Past it, the collapsed full plan
// is cut, with a line saying how to see the rest.
const MaxCommentBytes = 60_000

// MarkerPrefix starts the hidden first line of the Markdown form, which
// identifies the stack, project and configuration directory, so that a
// bot can find its own comment and update it in place.
const MarkerPrefix = "<!-- pubsubctl-plan "

// Marker is the hidden first line of the Markdown form of p.
func Marker(p *plan.Plan, dir string) string {
	return fmt.Sprintf("%sstack=%q project=%q dir=%q -->", MarkerPrefix, p.Stack, p.Project, dir)
}

// Markdown writes the plan for a pull-request comment (GitHub-flavoured
// Markdown): a hidden marker (Marker) and a heading naming the stack,
// project and directory; a CAUTION alert when the plan destroys data; the
// summary, a table of changes, warnings, and the full human plan in a
// collapsed ```diff block, cut to keep the comment under MaxCommentBytes.
func Markdown(w io.Writer, p *plan.Plan, o Options) error {
	maxBytes := MaxCommentBytes
	if o.MaxBytes > 0 {
		maxBytes = o.MaxBytes
	}
	var b strings.Builder
	line := func(s string) {
		b.WriteString(s)
		b.WriteByte('\n')
	}
	linef := func(format string, a ...any) {
		fmt.Fprintf(&b, format, a...)
		b.WriteByte('\n')
	}
	line(Marker(p, o.Dir))
	heading := "### pubsubctl plan: stack " + code(p.Stack) + ", project " + code(p.Project)
	if o.Dir != "" {
		heading += ", " + code(o.Dir)
	}
	line(heading)
	line("")

	if !p.HasChanges() && !p.InEffect() {
		line("> [!WARNING]")
		line("> **No changes can be applied, but the configuration is not in effect.** These declared resources exist but are not managed by this stack:")
		line(">")
		for _, u := range p.NotInEffect() {
			linef("> - `%s`", NotInEffectLine(u))
		}
		line("")
		linef("Adopt unlabelled ones with `pubsubctl apply --adopt`; release another stack's with `pubsubctl forget` in that stack first. Compared: %s.", mdContext(p))
		mdTrailer(&b, p)
		_, err := io.WriteString(w, b.String())
		return err
	}
	if !p.HasChanges() {
		line("No changes. Live state matches the configuration.")
		line("")
		linef("pubsubctl compared %s with the configuration and found no differences.", mdContext(p))
		mdTrailer(&b, p)
		_, err := io.WriteString(w, b.String())
		return err
	}

	if d := p.Destructive(); len(d) > 0 {
		line("> [!CAUTION]")
		linef("> **This plan destroys data.** %s:", destroyCounts(d))
		line(">")
		var protected []plan.Change
		for _, ch := range d {
			s := "> - " + code(ch.Address.String()) + " " + destroyVerb(ch.Action)
			if ch.RequiresFlag != "" {
				s += " (apply needs " + code(ch.RequiresFlag) + ")"
			}
			if len(ch.Warnings) > 0 {
				s += ": " + mdText(strings.Join(ch.Warnings, "; "))
			}
			line(s + ".")
			if ch.PreventDestroy {
				protected = append(protected, ch)
			}
		}
		for _, ch := range protected {
			line(">")
			linef("> **%s has %s set: apply will refuse this plan** until it is removed or the change is undone.", code(ch.Address.String()), code("lifecycle.prevent_destroy"))
		}
		line("")
	}

	linef("#### pubsubctl plan for %s", mdContext(p))
	line("")
	s := "**Plan:** " + summary(p)
	if is := iamSummary(p); is != "" {
		s += " **IAM:** " + is
	}
	line(s)
	line("")

	line("| Action | Address | Details |")
	line("|---|---|---|")
	// The table takes at most half of a comment; the rest of the rows are
	// counted in one last row.
	rows, shown := len(p.Changes)+len(p.IAM), 0
	row := func(format string, a ...any) bool {
		if b.Len() > maxBytes/2 {
			return false
		}
		linef(format, a...)
		shown++
		return true
	}
	for _, ch := range p.Changes {
		if !row("| %s | %s | %s |", cell(code(ch.Action.Symbol())+" "+string(ch.Action)), cell(code(ch.Address.String())), cell(changeDetails(ch))) {
			break
		}
	}
	for _, ic := range p.IAM {
		act := plan.ActionUpdate
		if a := actionOf(p, ic.Address); a == plan.ActionCreate || a == plan.ActionReplace {
			act = plan.ActionCreate
		}
		addr := code(ic.Address.String())
		if external(ic) {
			addr = ic.Kind.String() + " " + code(ic.Name)
		}
		if !row("| %s | %s | %s |", cell(code(act.Symbol())+" IAM"), cell(addr), cell(iamDetails(ic))) {
			break
		}
	}
	if shown < rows {
		linef("| … | %d more | not shown: the comment would be too long; see the full plan in the workflow's artifact, or run pubsubctl plan |", rows-shown)
	}
	if t := Topology(p); t != "" {
		line("")
		line("```mermaid")
		b.WriteString(t)
		line("```")
	}

	mdTrailer(&b, p)

	var full strings.Builder
	if err := Human(&full, p, Options{}); err != nil {
		return err
	}
	text := diffHighlight(full.String())
	fence := "```"
	for strings.Contains(text, fence) {
		fence += "`"
	}
	const closing = 200 // the fence, </details> and the truncation line
	if room := maxBytes - b.Len() - closing; len(text) > room {
		cut := strings.LastIndexByte(text[:max(room, 0)], '\n') + 1
		more := strings.Count(text[cut:], "\n")
		text = text[:cut] + fmt.Sprintf("... (%d more lines not shown: the comment would be too long; see the full plan in the workflow's artifact, or run pubsubctl plan)\n", more)
	}
	line("")
	line("<details><summary>Full plan</summary>")
	line("")
	line(fence + "diff")
	b.WriteString(text)
	line(fence)
	line("")
	line("</details>")
	_, err := io.WriteString(w, b.String())
	return err
}

// mdTrailer writes the plan's warnings and what was left alone.
func mdTrailer(b *strings.Builder, p *plan.Plan) {
	if ws := planWarnings(p); len(ws) > 0 {
		b.WriteString("\n> [!WARNING]\n")
		for _, w := range ws {
			b.WriteString("> - " + mdText(w) + "\n")
		}
	}
	if len(p.Unmanaged) > 0 {
		b.WriteString("\n<details><summary>" + htmlEscape(unmanagedSummary(p, false)) + "</summary>\n\n")
		for _, u := range p.Unmanaged {
			b.WriteString("- " + code(u.Address.String()) + mdText(unmanagedNote(u)) + "\n")
		}
		b.WriteString("\n</details>\n")
	}
}

func mdContext(p *plan.Plan) string {
	var parts []string
	if p.Stack != "" {
		parts = append(parts, "stack "+code(p.Stack))
	}
	if p.Target != "" {
		parts = append(parts, "target "+code(p.Target))
	}
	s := "project " + code(p.Project)
	if len(parts) > 0 {
		s += " (" + strings.Join(parts, ", ") + ")"
	}
	return s
}

func actionOf(p *plan.Plan, a model.Address) plan.Action {
	for _, ch := range p.Changes {
		if ch.Address == a {
			return ch.Action
		}
	}
	return ""
}

// destroyCounts says "1 subscription will be replaced, 1 topic and 2
// subscriptions will be deleted".
func destroyCounts(d []plan.Change) string {
	var sentences []string
	for _, a := range []plan.Action{plan.ActionReplace, plan.ActionDelete} {
		var kinds []string
		for _, k := range []model.Kind{model.KindSchema, model.KindTopic, model.KindSubscription} {
			n := 0
			for _, ch := range d {
				if ch.Action == a && ch.Kind == k {
					n++
				}
			}
			if n > 0 {
				kinds = append(kinds, plural(n, k.String(), k.String()+"s"))
			}
		}
		if len(kinds) > 0 {
			sentences = append(sentences, strings.Join(kinds, " and ")+" "+destroyVerb(a))
		}
	}
	return strings.Join(sentences, ", ")
}

func changeDetails(ch plan.Change) string {
	var parts []string
	if d := derivedPhrase(ch); d != "" {
		parts = append(parts, mdText(d))
	}
	paths := func() string {
		var ps []string
		for _, f := range ch.Fields {
			ps = append(ps, code(f.Path))
		}
		return strings.Join(ps, ", ")
	}
	switch ch.Action {
	case plan.ActionUpdate:
		if len(ch.Fields) > 0 {
			parts = append(parts, "changes "+paths())
		}
		if ch.NewRevision {
			parts = append(parts, "commits a new schema revision")
		}
	case plan.ActionReplace:
		parts = append(parts, mdText(strings.Join(ch.ReplaceReasons, "; ")))
	case plan.ActionDelete:
		parts = append(parts, "not in the configuration")
		if len(ch.Warnings) > 0 {
			parts = append(parts, mdText(strings.Join(ch.Warnings, "; ")))
		}
	case plan.ActionAdopt:
		parts = append(parts, "ownership labels added")
		var other []string
		for _, f := range ch.Fields {
			if f.Path != "labels."+model.LabelManagedBy && f.Path != "labels."+model.LabelStack {
				other = append(other, code(f.Path))
			}
		}
		if len(other) > 0 {
			parts = append(parts, "also changes "+strings.Join(other, ", "))
		}
	}
	if ch.PreventDestroy {
		parts = append(parts, "**blocked by "+code("lifecycle.prevent_destroy")+"**")
	} else if ch.RequiresFlag != "" {
		parts = append(parts, "needs "+code(ch.RequiresFlag))
	}
	return strings.Join(parts, "; ")
}

func iamDetails(ic plan.IAMChange) string {
	added, removed := iam.CountChanges(ic.Members)
	var parts []string
	if added > 0 {
		parts = append(parts, plural(added, "member", "members")+" added")
	}
	if removed > 0 {
		parts = append(parts, plural(removed, "member", "members")+" removed")
	}
	s := strings.Join(parts, ", ")
	if ic.WholePolicy {
		s += " (whole policy managed)"
	}
	return s
}

// diffHighlight moves each line's leading +, - or ~ to the first column (~
// becoming !), so that GitHub's diff highlighting colours the plan.
func diffHighlight(s string) string {
	lines := strings.SplitAfter(s, "\n")
	for i, l := range lines {
		t := strings.TrimLeft(l, " ")
		indent := len(l) - len(t)
		if indent == 0 || len(t) < 2 || t[1] != ' ' {
			continue
		}
		switch t[0] {
		case '+', '-':
			lines[i] = t[:1] + strings.Repeat(" ", indent) + t[1:]
		case '~':
			lines[i] = "!" + strings.Repeat(" ", indent) + t[1:]
		}
	}
	return strings.Join(lines, "")
}

// code renders s as a code span.
func code(s string) string {
	fence := "`"
	for strings.Contains(s, fence) {
		fence += "`"
	}
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		return fence + " " + s + " " + fence
	}
	return fence + s + fence
}

// mdText makes plan text safe as Markdown prose: no HTML, no emphasis or
// links by accident (_deleted-topic_), no line breaks. Backtick code spans
// in the text (`pubsubctl forget`) are kept as code, and Go-quoted values
// ("attributes.type = \"placed\"", as the plan's reasons quote them)
// become code spans of the value itself (`attributes.type = "placed"`), so
// that a reader sees the value, not its escapes.
func mdText(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	var b, prose strings.Builder
	flush := func() {
		b.WriteString(mdEscaper.Replace(htmlEscape(prose.String())))
		prose.Reset()
	}
	for i := 0; i < len(s); {
		switch s[i] {
		case '`':
			if j := strings.IndexByte(s[i+1:], '`'); j >= 0 {
				flush()
				b.WriteString(s[i : i+j+2])
				i += j + 2
				continue
			}
			prose.WriteString("`") // unbalanced: escaped below
			i++
			continue
		case '"':
			if n, v, ok := quotedValue(s[i:]); ok {
				flush()
				b.WriteString(v)
				i += n
				continue
			}
		}
		prose.WriteByte(s[i])
		i++
	}
	flush()
	return b.String()
}

// quotedValue reads the Go string literal that s starts with and returns
// its length and its Markdown form: a code span of the value, or of the
// literal itself when the value would not read well unquoted (empty,
// leading or trailing blanks, control characters such as a newline).
func quotedValue(s string) (n int, md string, ok bool) {
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			v, err := strconv.Unquote(s[:i+1])
			if err != nil {
				return 0, "", false
			}
			if v == "" || strings.TrimSpace(v) != v || strings.ContainsFunc(v, unicode.IsControl) {
				return i + 1, code(s[:i+1]), true
			}
			return i + 1, code(v), true
		}
	}
	return 0, "", false
}

var mdEscaper = strings.NewReplacer(`\`, `\\`, "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`, "~", `\~`, "`", "\\`")

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// cell makes s safe inside a table cell.
func cell(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\n", " "), "|", `\|`)
}
