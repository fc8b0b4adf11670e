package render

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/pubsubctl/pubsubctl/plan"
)

// Section is one configuration of a run over several directories (plan
// DIR... or apply DIR...), as the combined report shows it.
type Section struct {
	// Dir is the configuration directory as the user named it.
	Dir string
	// Plan is the configuration's plan; nil when it could not be made.
	Plan *plan.Plan
	// Err is what went wrong, or "".
	Err string
	// Output is what the configuration's own run printed on stdout: its
	// human or Markdown plan (and, for apply, its progress and result).
	Output []byte
}

// sectionResult is the one-line result of a section in the summaries
// (an error's first line; the section itself shows it whole).
func sectionResult(s Section) string {
	s.Err, _, _ = strings.Cut(s.Err, "\n")
	switch {
	case s.Plan == nil && s.Err != "":
		return "error: " + s.Err
	case s.Plan == nil:
		return "failed: see its messages on stderr"
	case !s.Plan.HasChanges() && !s.Plan.InEffect():
		return "no changes, but declared resources are not managed by this stack"
	case !s.Plan.HasChanges():
		return "no changes"
	}
	r := strings.TrimSuffix(summary(s.Plan), ".")
	if i := iamSummary(s.Plan); i != "" {
		r += "; IAM: " + strings.TrimSuffix(i, ".")
	}
	if s.Err != "" {
		r += "; error: " + s.Err
	}
	return r
}

func sectionWho(s Section) string {
	if s.Plan == nil {
		return ""
	}
	return fmt.Sprintf("stack %s, project %s", s.Plan.Stack, s.Plan.Project)
}

// SectionsHuman writes each section's output under a rule naming its
// directory, then a summary of all of them.
func SectionsHuman(w io.Writer, secs []Section, o Options) error {
	pal := newPalette(o.Color)
	var b strings.Builder
	for i, s := range secs {
		if i > 0 {
			b.WriteString("\n")
		}
		head := "── " + s.Dir
		if who := sectionWho(s); who != "" {
			head += " (" + who + ")"
		}
		b.WriteString(pal.bold.Sprint(head+" "+strings.Repeat("─", max(3, 72-len([]rune(head))))) + "\n\n")
		b.Write(s.Output)
		if s.Err != "" {
			fmt.Fprintf(&b, "%s %s\n", pal.danger.Sprint("Error:"), s.Err)
		}
	}
	fmt.Fprintf(&b, "\n%s\n", pal.bold.Sprintf("Summary of %d configurations:", len(secs)))
	width := 0
	for _, s := range secs {
		width = max(width, len(s.Dir))
	}
	for _, s := range secs {
		who := sectionWho(s)
		if who != "" {
			who = " (" + who + ")"
		}
		fmt.Fprintf(&b, "  %-*s  %s%s\n", width, s.Dir, sectionResult(s), who)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// SectionsMarkdown writes one pull-request comment for several
// configurations: a hidden marker naming the directories, a heading, a
// summary table, and each configuration's own Markdown plan (rendered by
// the caller with Options.MaxBytes = SectionBytes(n)).
func SectionsMarkdown(w io.Writer, secs []Section) error {
	var b strings.Builder
	dirs := make([]string, len(secs))
	for i, s := range secs {
		dirs[i] = s.Dir
	}
	fmt.Fprintf(&b, "%sdirs=%q -->\n", MarkerPrefix, strings.Join(dirs, ","))
	fmt.Fprintf(&b, "## pubsubctl plan: %d configurations\n\n", len(secs))
	b.WriteString("| Configuration | Stack | Project | Result |\n|---|---|---|---|\n")
	for _, s := range secs {
		stack, project := "", ""
		if s.Plan != nil {
			stack, project = code(s.Plan.Stack), code(s.Plan.Project)
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", code(s.Dir), stack, project, cell(sectionResult(s)))
	}
	for _, s := range secs {
		b.WriteString("\n")
		if len(s.Output) > 0 {
			b.Write(s.Output)
		} else {
			fmt.Fprintf(&b, "### %s\n\n", code(s.Dir))
		}
		if s.Err != "" {
			fmt.Fprintf(&b, "\n> [!CAUTION]\n> **%s failed:** %s\n", code(s.Dir), mdText(s.Err))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// SectionBytes is the share of MaxCommentBytes each of n configurations'
// Markdown plans gets in a combined comment (the summary table takes the
// rest).
func SectionBytes(n int) int {
	if n < 1 {
		n = 1
	}
	return (MaxCommentBytes - 4_000) / n
}

// SectionsJSON writes one JSON object for several configurations:
// {"format_version": "2", "configurations": [{"dir", "plan", "error"}]},
// each plan in the JSON plan form (docs/plan-json.md) or null.
func SectionsJSON(w io.Writer, secs []Section) error {
	type entry struct {
		Dir   string          `json:"dir"`
		Plan  json.RawMessage `json:"plan"`
		Error *string         `json:"error"`
	}
	doc := struct {
		FormatVersion  string  `json:"format_version"`
		Configurations []entry `json:"configurations"`
	}{FormatVersion: plan.FormatVersion, Configurations: []entry{}}
	for _, s := range secs {
		e := entry{Dir: s.Dir, Plan: json.RawMessage("null"), Error: nullable(s.Err)}
		if s.Plan != nil {
			b, err := json.Marshal(toJSON(s.Plan))
			if err != nil {
				return err
			}
			e.Plan = b
		}
		doc.Configurations = append(doc.Configurations, e)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(doc)
}
