package render

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/pubsubctl/pubsubctl/internal/safefile"
	"github.com/pubsubctl/pubsubctl/model"
)

// MaxDiagnostics is how many diagnostics Diagnostics writes; the rest are
// counted in one closing line. A broken file can produce thousands of
// errors, and the first ones are the ones to fix.
const MaxDiagnostics = 100

// MaxQuoted is how many characters of a quoted value a diagnostic shows;
// the rest is replaced by "…(N more characters)".
const MaxQuoted = 200

// maxSnippetLine is the longest source line written whole in a snippet;
// longer lines are cut around the highlighted part.
const maxSnippetLine = 1000

// Diagnostics writes configuration diagnostics: for each one a compact
// `file:line,col: severity: summary` line (what editors and CI annotations
// parse), then the same rendering as HCL's own diagnostic writer: the
// source snippet with the subject underlined, the values of the variables
// involved, and the detail. files is the parser's file map; a diagnostic
// whose file is missing from it is written without a snippet. Colour is
// used only when o.Color is set. Details are not wrapped, so that output
// does not depend on the terminal.
//
// The same warning about many resources is written once (see
// groupDiagnostics): the first one, then how many resources it applies to
// and the first MaxGroupListed of them, or all of them with o.Verbose.
// Errors are never grouped.
//
// Output is bounded: at most MaxDiagnostics diagnostics (a group counts
// as one) are written, quoted values are cut to MaxQuoted characters and
// long source lines to a window around the subject. Each file's lines are
// indexed once, so the cost is linear in the size of the files and the
// number of diagnostics (HCL's writer rescans the whole file for every
// diagnostic).
func Diagnostics(w io.Writer, files map[string]*hcl.File, diags hcl.Diagnostics, o Options) error {
	if len(diags) == 0 {
		return nil
	}
	bw := bufio.NewWriter(w)
	dw := &diagWriter{w: bw, files: files, color: o.Color, lines: map[string][]int{}}
	groups := groupDiagnostics(diags)
	shown := groups
	if len(shown) > MaxDiagnostics {
		shown = shown[:MaxDiagnostics]
	}
	for _, g := range shown {
		if g.d == nil {
			continue
		}
		line := DiagnosticLine(g.d)
		if o.Color {
			line = colorSeverity(line, g.d.Severity)
		}
		if len(g.more) > 0 {
			line += fmt.Sprintf(" (%s)", countNounSep(1+len(g.more), g.noun()))
		}
		fmt.Fprintln(bw, line)
		dw.write(g.d)
		if len(g.more) > 0 {
			dw.writeGroup(g, o.Verbose)
		}
	}
	if rest := groups[len(shown):]; len(rest) > 0 {
		errs, warns := 0, 0
		for _, g := range rest {
			if g.d != nil && g.d.Severity == hcl.DiagWarning {
				warns += 1 + len(g.more)
			} else {
				errs++
			}
		}
		var parts []string
		if errs > 0 {
			parts = append(parts, countNoun(errs, "more error"))
		}
		if warns > 0 {
			parts = append(parts, countNoun(warns, "more warning"))
		}
		fmt.Fprintf(bw, "... and %s not shown (only the first %d diagnostics are written).\n\n", strings.Join(parts, " and "), MaxDiagnostics)
	}
	return bw.Flush()
}

// MaxGroupListed is how many resources a grouped warning names without
// -v.
const MaxGroupListed = 3

// diagGroup is one diagnostic as written: a diagnostic, or the same
// warning about several resources (d the first, more the others).
type diagGroup struct {
	d    *hcl.Diagnostic
	more []*hcl.Diagnostic
}

// groupDiagnostics groups warnings about one resource each
// (model.ResourceDiagnostic) whose summaries are equal and whose details
// are equal once the resource's name is taken out: one warning per
// subscription that dead-lettering is off becomes one warning with the
// list of subscriptions. A group takes the place of its first warning, so
// the order stays that of diags. Errors are never grouped.
func groupDiagnostics(diags hcl.Diagnostics) []*diagGroup {
	type key struct {
		summary, detail string
	}
	index := map[key]*diagGroup{}
	out := make([]*diagGroup, 0, len(diags))
	for _, d := range diags {
		rd := resourceOf(d)
		if rd == nil || d.Severity != hcl.DiagWarning {
			out = append(out, &diagGroup{d: d})
			continue
		}
		k := key{d.Summary, strings.ReplaceAll(d.Detail, rd.Resource, "\x00")}
		if g := index[k]; g != nil {
			g.more = append(g.more, d)
			continue
		}
		g := &diagGroup{d: d}
		index[k] = g
		out = append(out, g)
	}
	return out
}

// resourceOf returns the resource a diagnostic is about, or nil.
func resourceOf(d *hcl.Diagnostic) *model.ResourceDiagnostic {
	if d == nil {
		return nil
	}
	if rd, ok := d.Extra.(*model.ResourceDiagnostic); ok && rd != nil && rd.Resource != "" {
		return rd
	}
	return nil
}

// noun is what a group is about: "subscriptions" when every member is a
// subscription, else "resources".
func (g *diagGroup) noun() string {
	k := resourceOf(g.d).Kind
	for _, d := range g.more {
		if resourceOf(d).Kind != k {
			return "resource"
		}
	}
	return k.String()
}

// writeGroup writes which resources a grouped warning applies to: the
// first MaxGroupListed, or with verbose all of them, one a line (with
// their positions when these differ).
func (dw *diagWriter) writeGroup(g *diagGroup, verbose bool) {
	all := append([]*hcl.Diagnostic{g.d}, g.more...)
	noun := g.noun()
	if verbose {
		samePlace := true
		for _, d := range g.more {
			if !sameSubject(d.Subject, g.d.Subject) {
				samePlace = false
				break
			}
		}
		fmt.Fprintf(dw.w, "The same warning applies to %s:\n", countNounSep(len(all), noun))
		for _, d := range all {
			if samePlace || d.Subject == nil {
				fmt.Fprintf(dw.w, "  %s\n", CutQuoted(resourceOf(d).Resource))
				continue
			}
			fmt.Fprintf(dw.w, "  %s (%s:%d,%d)\n", CutQuoted(resourceOf(d).Resource), d.Subject.Filename, d.Subject.Start.Line, d.Subject.Start.Column)
		}
		dw.w.WriteByte('\n')
		return
	}
	n := min(len(all), MaxGroupListed)
	names := make([]string, n)
	for i, d := range all[:n] {
		names[i] = CutQuoted(resourceOf(d).Resource)
	}
	if rest := len(all) - n; rest > 0 {
		fmt.Fprintf(dw.w, "The same warning applies to %s: %s ... and %s; -v lists them all.\n\n",
			countNounSep(len(all), noun), strings.Join(names, ", "), countNounSep(rest, "more "+noun))
		return
	}
	fmt.Fprintf(dw.w, "The same warning applies to %s: %s and %s.\n\n",
		countNounSep(len(all), noun), strings.Join(names[:n-1], ", "), names[n-1])
}

func sameSubject(a, b *hcl.Range) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

func countNoun(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// countNounSep is countNoun with thousands separators: "1,000 subscriptions".
func countNounSep(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return safefile.FormatCount(int64(n)) + " " + noun + "s"
}

// DiagnosticLine renders a diagnostic as `file:line,col: severity: summary`
// (without a position when it has no subject).
func DiagnosticLine(d *hcl.Diagnostic) string {
	sev := "error"
	if d.Severity == hcl.DiagWarning {
		sev = "warning"
	}
	summary := CutQuoted(d.Summary)
	if d.Subject == nil {
		return fmt.Sprintf("%s: %s", sev, summary)
	}
	return fmt.Sprintf("%s:%d,%d: %s: %s", d.Subject.Filename, d.Subject.Start.Line, d.Subject.Start.Column, sev, summary)
}

// colorSeverity colours the severity word of a DiagnosticLine: red for an
// error, yellow for a warning.
func colorSeverity(line string, sev hcl.DiagnosticSeverity) string {
	word, code := "error", "\x1b[31m"
	if sev == hcl.DiagWarning {
		word, code = "warning", "\x1b[33m"
	}
	if i := strings.Index(line, word+": "); i >= 0 {
		return line[:i] + code + word + "\x1b[0m" + line[i+len(word):]
	}
	return line
}

// CutQuoted shortens every double-quoted part of s (a Go- or HCL-quoted
// value, escapes honoured) that is longer than MaxQuoted characters to its
// first MaxQuoted characters and "…(N more characters)".
func CutQuoted(s string) string {
	if len(s) <= MaxQuoted {
		return s
	}
	var b strings.Builder
	i := 0
	for {
		q := strings.IndexByte(s[i:], '"')
		if q < 0 {
			b.WriteString(s[i:])
			return b.String()
		}
		open := i + q
		b.WriteString(s[i : open+1])
		// Find the closing quote and the cut point.
		j, chars, cut := open+1, 0, -1
		closed := false
		for j < len(s) {
			c := s[j]
			if c == '"' {
				closed = true
				break
			}
			if chars == MaxQuoted && cut < 0 {
				cut = j
			}
			w := 1
			if c == '\\' && j+1 < len(s) {
				w = 2
			} else if c >= utf8.RuneSelf {
				_, w = utf8.DecodeRuneInString(s[j:])
			}
			j += w
			chars++
		}
		if !closed {
			// An unbalanced quote: leave the rest alone.
			b.WriteString(s[open+1:])
			return b.String()
		}
		if cut < 0 {
			b.WriteString(s[open+1 : j+1])
		} else {
			b.WriteString(s[open+1 : cut])
			fmt.Fprintf(&b, "\"…(%d more characters)", chars-MaxQuoted)
		}
		i = j + 1
	}
}

type diagWriter struct {
	w     *bufio.Writer
	files map[string]*hcl.File
	color bool
	lines map[string][]int // file name -> byte offsets of line starts
}

// lineStarts indexes a file's lines once.
func (dw *diagWriter) lineStarts(name string, src []byte) []int {
	if ls, ok := dw.lines[name]; ok {
		return ls
	}
	ls := []int{0}
	for i, c := range src {
		if c == '\n' {
			ls = append(ls, i+1)
		}
	}
	dw.lines[name] = ls
	return ls
}

// write renders one diagnostic like hcl's DiagnosticTextWriter (width 0).
func (dw *diagWriter) write(diag *hcl.Diagnostic) {
	w := dw.w
	var colorCode, highlightCode, resetCode string
	if dw.color {
		switch diag.Severity {
		case hcl.DiagError:
			colorCode = "\x1b[31m"
		case hcl.DiagWarning:
			colorCode = "\x1b[33m"
		}
		resetCode = "\x1b[0m"
		highlightCode = "\x1b[1;4m"
	}
	// The severity and summary were just written on the diagnostic's
	// first line (DiagnosticLine): each diagnostic is said once. The
	// colour marks that line's severity instead.
	_ = colorCode
	fmt.Fprintln(w)

	if diag.Subject != nil {
		snipRange := *diag.Subject
		highlightRange := snipRange
		if diag.Context != nil {
			snipRange = hcl.RangeOver(snipRange, *diag.Context)
		}
		if snipRange.Empty() {
			snipRange.End.Byte++
			snipRange.End.Column++
		}
		if highlightRange.Empty() {
			highlightRange.End.Byte++
			highlightRange.End.Column++
		}
		file := dw.files[diag.Subject.Filename]
		if file == nil || file.Bytes == nil {
			fmt.Fprintf(w, "  on %s line %d:\n  (source code not available)\n\n", diag.Subject.Filename, diag.Subject.Start.Line)
		} else {
			contextLine := ""
			if cs, ok := file.Nav.(interface{ ContextString(int) string }); ok {
				if c := cs.ContextString(diag.Subject.Start.Byte); c != "" {
					contextLine = ", in " + CutQuoted(c)
				}
			}
			fmt.Fprintf(w, "  on %s line %d%s:\n", diag.Subject.Filename, diag.Subject.Start.Line, contextLine)
			dw.snippet(file.Bytes, diag.Subject.Filename, snipRange, highlightRange, highlightCode, resetCode)
			w.WriteByte('\n')
		}

		if diag.Expression != nil && diag.EvalContext != nil {
			writeValues(w, diag.Expression, diag.EvalContext)
		}
	}

	if diag.Detail != "" {
		fmt.Fprintf(w, "%s\n\n", CutQuoted(diag.Detail))
	}
}

// snippet writes the source lines that overlap snipRange, with
// highlightRange marked.
func (dw *diagWriter) snippet(src []byte, name string, snipRange, highlightRange hcl.Range, highlightCode, resetCode string) {
	ls := dw.lineStarts(name, src)
	// The line holding the start of the range, and the one before (a range
	// that starts at a newline overlaps the line that newline ends).
	first := sort.Search(len(ls), func(i int) bool { return ls[i] > snipRange.Start.Byte }) - 2
	if first < 0 {
		first = 0
	}
	for n := first; n < len(ls); n++ {
		start := ls[n]
		if start > snipRange.End.Byte || start >= len(src) {
			break
		}
		end := len(src)
		if n+1 < len(ls) {
			end = ls[n+1] - 1 // the newline
		}
		if end > start && src[end-1] == '\r' {
			end--
		}
		lineRange := hcl.Range{
			Filename: name,
			Start:    hcl.Pos{Line: n + 1, Byte: start},
			End:      hcl.Pos{Line: n + 1, Byte: end},
		}
		if !lineRange.Overlaps(snipRange) {
			continue
		}
		before, highlighted, after := lineRange.PartitionAround(highlightRange)
		if highlighted.Empty() {
			fmt.Fprintf(dw.w, "%4d: %s\n", n+1, cutLine(src[start:end], maxSnippetLine, true))
			continue
		}
		b, h, a := before.SliceBytes(src), highlighted.SliceBytes(src), after.SliceBytes(src)
		if len(b)+len(h)+len(a) > maxSnippetLine {
			b = cutTail(b, 100)
			h = cutLine(h, maxSnippetLine/2, true)
			a = cutLine(a, 100, false)
		}
		fmt.Fprintf(dw.w, "%4d: %s%s%s%s%s\n", n+1, b, highlightCode, h, resetCode, a)
	}
}

// cutLine keeps the first max bytes of b (at a character boundary) and
// marks the cut.
func cutLine(b []byte, max int, count bool) []byte {
	if len(b) <= max {
		return b
	}
	i := max
	for i > 0 && !utf8.RuneStart(b[i]) {
		i--
	}
	out := append([]byte(nil), b[:i]...)
	if count {
		return append(out, fmt.Sprintf("…(%d more bytes)", len(b)-i)...)
	}
	return append(out, "…"...)
}

// cutTail keeps the last max bytes of b.
func cutTail(b []byte, max int) []byte {
	if len(b) <= max {
		return b
	}
	i := len(b) - max
	for i < len(b) && !utf8.RuneStart(b[i]) {
		i++
	}
	return append([]byte("…"), b[i:]...)
}

// writeValues writes "with var.x as ..." for the variables an expression
// refers to, as HCL's writer does.
func writeValues(w *bufio.Writer, expr hcl.Expression, ctx *hcl.EvalContext) {
	vars := expr.Variables()
	stmts := make([]string, 0, len(vars))
	seen := make(map[string]struct{}, len(vars))
	for _, traversal := range vars {
		val, diags := traversal.TraverseAbs(ctx)
		if diags.HasErrors() {
			continue
		}
		ts := traversalStr(traversal)
		if _, exists := seen[ts]; exists {
			continue
		}
		switch {
		case !val.IsKnown():
			continue
		case val.IsNull():
			stmts = append(stmts, ts+" set to null")
		case val.IsMarked():
			continue
		default:
			stmts = append(stmts, ts+" as "+valueStr(val))
		}
		seen[ts] = struct{}{}
	}
	sort.Strings(stmts)
	for i, stmt := range stmts {
		if i == 0 {
			w.WriteString("with ")
		} else {
			w.WriteString("     ")
		}
		w.WriteString(stmt)
		if i == len(stmts)-1 {
			w.WriteString(".\n\n")
		} else {
			w.WriteString(",\n")
		}
	}
}

func traversalStr(traversal hcl.Traversal) string {
	var buf bytes.Buffer
	for _, step := range traversal {
		switch s := step.(type) {
		case hcl.TraverseRoot:
			buf.WriteString(s.Name)
		case hcl.TraverseAttr:
			buf.WriteByte('.')
			buf.WriteString(s.Name)
		case hcl.TraverseIndex:
			buf.WriteByte('[')
			if s.Key.Type().IsPrimitiveType() {
				buf.WriteString(valueStr(s.Key))
			} else {
				buf.WriteString("...")
			}
			buf.WriteByte(']')
		}
	}
	return buf.String()
}

// valueStr renders a value concisely, as HCL's writer does, with strings
// cut to MaxQuoted characters.
func valueStr(val cty.Value) string {
	ty := val.Type()
	switch {
	case val.IsNull():
		return "null"
	case !val.IsKnown():
		return "(not yet known)"
	case ty == cty.Bool:
		if val.True() {
			return "true"
		}
		return "false"
	case ty == cty.Number:
		return val.AsBigFloat().Text('g', 10)
	case ty == cty.String:
		return quoteCut(val.AsString())
	case ty.IsCollectionType() || ty.IsTupleType():
		l := val.LengthInt()
		switch l {
		case 0:
			return "empty " + ty.FriendlyName()
		case 1:
			return ty.FriendlyName() + " with 1 element"
		default:
			return fmt.Sprintf("%s with %d elements", ty.FriendlyName(), l)
		}
	case ty.IsObjectType():
		atys := ty.AttributeTypes()
		switch len(atys) {
		case 0:
			return "object with no attributes"
		case 1:
			for k := range atys {
				return "object with 1 attribute " + quoteCut(k)
			}
		}
		return fmt.Sprintf("object with %d attributes", len(atys))
	}
	return ty.FriendlyName()
}

// quoteCut quotes s like %q, cut to MaxQuoted characters.
func quoteCut(s string) string {
	if n := utf8.RuneCountInString(s); n > MaxQuoted {
		cut := 0
		for i := 0; i < MaxQuoted; i++ {
			_, w := utf8.DecodeRuneInString(s[cut:])
			cut += w
		}
		return fmt.Sprintf("%q…(%d more characters)", s[:cut], n-MaxQuoted)
	}
	return fmt.Sprintf("%q", s)
}
