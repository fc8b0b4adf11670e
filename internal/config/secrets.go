package config

import (
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"

	"github.com/pubsubctl/pubsubctl/model"
)

// Sensitive values. A variable declared sensitive = true, and every value
// derived from it (through locals, functions and templates), must never
// appear in pubsubctl's output:
//
//   - expressions that refer to one (refsSensitive) are evaluated without
//     HCL's "with var.x as ..." context in their diagnostics;
//   - resource fields set from one are marked in model.Meta
//     (MarkSensitive), so renderers show "(sensitive)";
//   - they are refused where a value becomes part of every resource's
//     identity and so cannot be hidden: for_each, name, and the pubsubctl
//     block's project, stack and project_number;
//   - the source text of a sensitive variable's default and of its
//     var-file line is masked in the copy of the file used for snippets;
//   - finally every diagnostic's summary and detail is redacted: each
//     secret string (Result.Secrets) is replaced with "(sensitive)".

// Redacted replaces a secret in text.
const Redacted = "(sensitive)"

// minSecretLen is the length from which a secret is redacted wherever it
// occurs. Shorter secrets are redacted only where they appear as a whole
// quoted value ("ab"): replacing every "ab" in a message would garble it
// and would tell the reader which letters the secret has.
const minSecretLen = 4

// Secrets returns every string that must not be shown: the value of each
// sensitive variable as text (a string as is; other types in their HCL
// and JSON renderings, and every string and number inside them), the raw
// text of sensitive --var and PUBSUBCTL_VAR_ values, and every string value
// decoded from an expression that refers to a sensitive variable (field
// values, labels, IAM members, including the full names made from them).
// Booleans and null are not included (redacting "true" everywhere would
// hide nothing and garble everything), nor is the empty string. The list
// is de-duplicated and sorted longest first, so that replacing in order
// replaces the longest match. Use Redact to apply it consistently with the
// diagnostics of Load.
func (r *Result) Secrets() []string {
	if r == nil {
		return nil
	}
	return append([]string(nil), r.secrets...)
}

// Redact replaces every secret in s with "(sensitive)": secrets of 4 or
// more bytes wherever they occur, shorter ones only as a whole quoted
// value ("ab" or a Go-escaped "a\tb").
func (r *Result) Redact(s string) string {
	if r == nil || len(r.secrets) == 0 {
		return s
	}
	if r.redactor == nil {
		r.redactor = newRedactor(r.secrets)
	}
	return r.redactor.Replace(s)
}

// newRedactor builds one replacer for all secrets, longest first so that
// a secret containing another is replaced whole.
func newRedactor(secrets []string) *strings.Replacer {
	type pair struct{ old, new string }
	var pairs []pair
	add := func(s string) {
		if len(s) >= minSecretLen {
			pairs = append(pairs, pair{s, Redacted})
		}
		q := strconv.Quote(s)
		pairs = append(pairs, pair{q, `"` + Redacted + `"`})
		if inner := q[1 : len(q)-1]; inner != s && len(inner) >= minSecretLen {
			pairs = append(pairs, pair{inner, Redacted})
		}
	}
	for _, s := range secrets {
		add(s)
	}
	sort.SliceStable(pairs, func(i, j int) bool { return len(pairs[i].old) > len(pairs[j].old) })
	args := make([]string, 0, 2*len(pairs))
	seen := map[string]bool{}
	for _, p := range pairs {
		if seen[p.old] {
			continue
		}
		seen[p.old] = true
		args = append(args, p.old, p.new)
	}
	return strings.NewReplacer(args...)
}

// collectSecrets gathers Result.Secrets.
func (l *loader) collectSecrets(cfg *model.Config) []string {
	set := map[string]bool{}
	add := func(s string) {
		if s != "" && s != "true" && s != "false" && s != "null" {
			set[s] = true
		}
	}
	for _, v := range l.varOrder {
		if !v.Sensitive {
			continue
		}
		for _, s := range v.rawTexts {
			add(s)
		}
		for _, val := range []cty.Value{v.Value, v.raw} {
			if val == cty.NilVal || !val.IsWhollyKnown() {
				continue
			}
			addValueTexts(val, add)
		}
	}
	for _, s := range l.secrets {
		add(s)
	}
	out := make([]string, 0, len(set))
	for s := range set {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool {
		if len(out[i]) != len(out[j]) {
			return len(out[i]) > len(out[j])
		}
		return out[i] < out[j]
	})
	return out
}

// addValueTexts adds a value's renderings and the strings and numbers in
// it.
func addValueTexts(v cty.Value, add func(string)) {
	if v.IsNull() {
		return
	}
	ty := v.Type()
	switch {
	case ty == cty.String:
		add(v.AsString())
		return
	case ty == cty.Number:
		add(v.AsBigFloat().Text('f', -1))
		return
	case ty == cty.Bool:
		return
	}
	if b, err := ctyjson.Marshal(v, ty); err == nil {
		add(string(b))
	}
	add(strings.TrimSpace(string(hclwrite.TokensForValue(v).Bytes())))
	addStrings(v, add)
}

// addStrings adds the strings and numbers inside a value (map keys too).
func addStrings(v cty.Value, add func(string)) {
	if !v.IsKnown() || v.IsNull() {
		return
	}
	ty := v.Type()
	switch {
	case ty == cty.String:
		add(v.AsString())
	case ty == cty.Number:
		add(v.AsBigFloat().Text('f', -1))
	case ty.IsListType() || ty.IsSetType() || ty.IsMapType() || ty.IsTupleType() || ty.IsObjectType():
		for it := v.ElementIterator(); it.Next(); {
			k, e := it.Element()
			if ty.IsMapType() {
				add(k.AsString())
			}
			addStrings(e, add)
		}
	}
}

// redactDiagnostics removes secrets from diagnostics: summary and detail
// are redacted, and the "with ..." context of HCL's rendering is dropped
// whenever the expression refers to a sensitive value.
func (l *loader) redactDiagnostics(diags hcl.Diagnostics, r *Result) {
	anySensitive := false
	for _, v := range l.varOrder {
		anySensitive = anySensitive || v.Sensitive
	}
	if !anySensitive || r == nil {
		return
	}
	for _, d := range diags {
		if d.Subject != nil && l.aboutSensitive(*d.Subject) {
			// A message about a value derived from a secret may quote a
			// part of it that no secret string matches (a filter's first
			// word, say): it quotes nothing.
			d.Detail = redactQuoted(d.Detail)
			d.Expression, d.EvalContext = nil, nil
		}
		d.Summary = r.Redact(d.Summary)
		d.Detail = r.Redact(d.Detail)
		if d.Expression != nil && l.refsSensitive(d.Expression) {
			d.Expression, d.EvalContext = nil, nil
		}
	}
}

// quotedRE matches a double-quoted string with backslash escapes.
var quotedRE = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)

// redactQuoted replaces every quoted string of a message with
// "(sensitive)", except the names in HCL's `Invalid value for "NAME"
// parameter`.
func redactQuoted(s string) string {
	var b strings.Builder
	last := 0
	for _, m := range quotedRE.FindAllStringIndex(s, -1) {
		if strings.HasPrefix(s[m[1]:], " parameter") {
			continue
		}
		b.WriteString(s[last:m[0]])
		b.WriteString(`"` + Redacted + `"`)
		last = m[1]
	}
	b.WriteString(s[last:])
	return b.String()
}

// aboutSensitive reports whether a range overlaps an expression whose
// value derives from a sensitive variable.
func (l *loader) aboutSensitive(r hcl.Range) bool {
	for s := range l.sensitiveRanges {
		if s.Filename == r.Filename && (s.Overlaps(r) || s.ContainsOffset(r.Start.Byte) || r.Empty() && s.Start.Byte == r.Start.Byte) {
			return true
		}
	}
	return false
}

// maskSource blanks the bytes of rng in the copy of a file kept for
// snippets, keeping newlines so that line numbers stay right.
func (l *loader) maskSource(rng hcl.Range) {
	f := l.files[rng.Filename]
	if f == nil || f.Bytes == nil {
		return
	}
	start, end := rng.Start.Byte, rng.End.Byte
	if start < 0 || end > len(f.Bytes) || start >= end {
		return
	}
	masked := append([]byte(nil), f.Bytes...)
	for i := start; i < end; i++ {
		if masked[i] != '\n' && masked[i] != '\r' {
			masked[i] = '*'
		}
	}
	nf := *f
	nf.Bytes = masked
	l.files[rng.Filename] = &nf
}

// checkNotSensitive reports a sensitive value where one cannot be hidden;
// what names the argument, why says where its value is shown.
func (l *loader) checkNotSensitive(a *hclsyntax.Attribute, what, why string) bool {
	if a == nil || !l.refsSensitive(a.Expr) {
		return true
	}
	l.errorf(a.Expr.Range(), "Sensitive value not allowed here",
		"%s refers to a sensitive variable, but %s, so it cannot be kept secret. Use a variable that is not declared sensitive.", what, why)
	return false
}

// Where the values that must not be sensitive are shown.
const (
	whyProject       = "the project ID is part of every resource's full name, which every plan and message shows"
	whyStack         = "the stack name is the value of the pubsubctl-stack label of every resource, which every plan shows"
	whyProjectNumber = "the project number names the Pub/Sub service agent in the IAM grants every plan shows"
	whyForEach       = "its keys become the instances' addresses (topic.NAME[\"KEY\"]), which every plan and message shows"
	whyName          = "a resource's name is part of its full name and address, which every plan and message shows"
)
