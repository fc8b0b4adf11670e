package config

import (
	"fmt"
	"sort"
	"strings"

	"github.com/pubsubctl/pubsubctl/internal/safefile"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// variable is a declared input variable while it is being resolved.
type variable struct {
	Variable
	block      *hclsyntax.Block
	tyDefaults *typeexpr.Defaults
	hasDefault bool
	failed     bool      // the declaration itself is broken
	raw        cty.Value // highest-precedence value, before conversion
	rawRange   hcl.Range
	hasRaw     bool
	ok         bool     // Value is valid
	rawTexts   []string // texts given for a sensitive variable (--var, environment)
}

func (l *loader) declareVariable(b *hclsyntax.Block) {
	name := b.Labels[0]
	if !hclsyntax.ValidIdentifier(name) {
		l.errorf(b.LabelRanges[0], "Invalid variable name",
			"The name %q cannot be used in references (var.NAME): a name must start with a letter or underscore and may contain only letters, digits, underscores and dashes.", name)
		return
	}
	if prev, ok := l.vars[name]; ok {
		l.errorf(b.LabelRanges[0], "Duplicate variable",
			"A variable named %q was already declared at %s. Variable names must be unique.", name, rangeString(prev.block.LabelRanges[0]))
		return
	}
	v := &variable{
		Variable: Variable{Name: name, Type: cty.DynamicPseudoType, Value: cty.DynamicVal, DeclRange: b.DefRange()},
		block:    b,
	}
	l.vars[name] = v
	l.varOrder = append(l.varOrder, v)
	body := b.Body
	if a := body.Attributes["type"]; a != nil {
		ty, defs, ds := typeexpr.TypeConstraintWithDefaults(a.Expr)
		l.addAll(ds)
		if ds.HasErrors() {
			v.failed = true
		} else {
			v.Type, v.tyDefaults = ty, defs
		}
	}
	sc := scope{where: "a variable declaration"}
	if d, ok := l.typedValue(body.Attributes["description"], sc, cty.String, "string"); ok {
		v.Description = d.AsString()
	}
	if s, ok := l.typedValue(body.Attributes["sensitive"], sc, cty.Bool, "bool"); ok {
		v.Sensitive = s.True()
	}
	if a := body.Attributes["default"]; a != nil {
		if v.Sensitive {
			l.maskSource(a.Expr.Range())
		}
		d, ok := l.eval(a.Expr, scope{where: "a variable's default"})
		if !ok {
			v.failed = true
		} else {
			v.hasDefault = true
			v.raw, v.rawRange, v.hasRaw = d, a.Expr.Range(), true
			v.Source = SourceDefault
		}
	}
}

// resolveVariables picks every variable's value (default < var-files in
// order < PUBSUBCTL_VAR_<name> < --var), converts it to the declared
// type and runs the validation rules.
func (l *loader) resolveVariables() {
	for _, path := range l.opts.VarFiles {
		l.readVarFile(path)
	}
	for _, v := range l.varOrder {
		envName := EnvVarPrefix + v.Name
		if raw, ok := l.env[envName]; ok {
			l.setRaw(v, raw, SourceEnv, envName)
		}
	}
	flagNames := make([]string, 0, len(l.opts.Vars))
	for name := range l.opts.Vars {
		flagNames = append(flagNames, name)
	}
	sort.Strings(flagNames)
	for _, name := range flagNames {
		raw := l.opts.Vars[name]
		v := l.vars[name]
		if v == nil {
			filename := fmt.Sprintf("<value for --var %s>", name)
			l.files[filename] = &hcl.File{Bytes: []byte(raw), Body: hcl.EmptyBody()}
			l.errorf(wholeRange(filename, raw), "Value for undeclared variable",
				"--var %s=...: no variable named %q is declared.%s Declare it with a variable %q block, or remove the flag.",
				name, name, didYouMean(name, l.varNames()), name)
			continue
		}
		l.setRaw(v, raw, SourceFlag, "--var "+name)
	}

	values := map[string]cty.Value{}
	for _, v := range l.varOrder {
		values[v.Name] = cty.DynamicVal
		switch {
		case v.failed:
			continue
		case !v.hasRaw && l.varFileFailed:
			continue // the value may be in the variable file that failed
		case !v.hasRaw:
			l.errorf(v.DeclRange, "No value for required variable",
				"The variable %q has no default, so it needs a value: pass --var %s=VALUE, put %s = VALUE in a --var-file, or set the environment variable %s%s.",
				v.Name, v.Name, v.Name, EnvVarPrefix, v.Name)
			continue
		}
		val := v.raw
		if v.tyDefaults != nil {
			val = v.tyDefaults.Apply(val)
		}
		conv, err := convertValue(val, v.Type)
		if err == nil {
			err = checkValue(conv)
			if le, ok := err.(*limitError); ok {
				err = fmt.Errorf("%s", strings.TrimSuffix(le.detail, "."))
			}
		}
		if err != nil {
			from := "its default"
			if v.Source != SourceDefault {
				from = v.SourceName
			}
			l.errorf(v.rawRange, "Invalid value for variable",
				"The value of var.%s (from %s) is not a valid %s: %s.", v.Name, from, typeexpr.TypeString(v.Type), err)
			continue
		}
		v.Value, v.ok = conv, true
		values[v.Name] = conv
	}
	l.varObj = cty.ObjectVal(values)

	for _, v := range l.varOrder {
		if !v.ok {
			continue
		}
		for _, b := range v.block.Body.Blocks {
			if b.Type == "validation" {
				l.checkValidation(v, b)
			}
		}
	}
}

// readVarFile reads a --var-file: name = value lines (HCL), or a JSON
// object when the name ends in .json. Values must be literals.
func (l *loader) readVarFile(path string) {
	src, err := safefile.ReadBounded(path, MaxFileBytes)
	if err != nil {
		l.errorf(hcl.Range{Filename: path, Start: hcl.InitialPos, End: hcl.InitialPos},
			"Cannot read variable file", "--var-file %s: %s.", path, fileErrorText(err, "variable file"))
		l.varFileFailed = true
		return
	}
	kind := scanHCL
	if strings.HasSuffix(path, ".json") {
		kind = scanJSON
	}
	n, d := scanSource(src, path, hcl.InitialPos, kind, l.tokenBudget())
	l.tokens += n
	if d != nil {
		l.varFileFailed = true
		l.add(d)
		if !l.anySensitive() {
			l.files[path] = &hcl.File{Bytes: src} // for the snippet
		}
		return
	}
	var f *hcl.File
	var ds hcl.Diagnostics
	if kind == scanJSON {
		f, ds = l.parser.ParseJSON(src, path)
	} else {
		f, ds = l.parser.ParseHCL(src, path)
	}
	if f != nil {
		l.files[path] = f
	}
	l.addAll(ds)
	if ds.HasErrors() || f == nil {
		l.varFileFailed = true
		if f != nil && l.anySensitive() {
			// The broken text may hold a secret: no snippets of it.
			l.files[path] = &hcl.File{Body: f.Body}
		}
		return
	}

	attrs, ds := f.Body.JustAttributes()
	l.addAll(ds)
	list := make([]*hcl.Attribute, 0, len(attrs))
	for _, a := range attrs {
		list = append(list, a)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Range.Start.Byte < list[j].Range.Start.Byte })
	for _, a := range list {
		v := l.vars[a.Name]
		if v == nil {
			l.add(&hcl.Diagnostic{
				Severity: hcl.DiagWarning,
				Summary:  "Value for undeclared variable",
				Detail: fmt.Sprintf("The variable file sets %q, but no variable of that name is declared; the value is ignored.%s",
					a.Name, didYouMean(a.Name, l.varNames())),
				Subject: a.NameRange.Ptr(),
			})
			continue
		}
		if v.Sensitive {
			l.maskSource(a.Expr.Range())
		}
		if se, ok := a.Expr.(hclsyntax.Expression); ok && !l.checkLiteralExpr(se) {
			v.failed = true
			continue
		}
		val, ds := a.Expr.Value(nil)
		for _, d := range ds {
			fixLimitDiag(d)
			if v.Sensitive {
				d.Expression, d.EvalContext = nil, nil
			}
		}
		l.addAll(ds)
		if ds.HasErrors() {
			v.failed = true
			continue
		}
		v.raw, v.rawRange, v.hasRaw = val, a.Expr.Range(), true
		v.Source, v.SourceName = SourceVarFile, path
	}
}

// setRaw records a value given as text (--var or the environment). Text is
// taken literally for primitive types and parsed as an HCL expression for
// collections and objects; for type any it is parsed when it is a valid
// literal expression and taken as a string otherwise.
func (l *loader) setRaw(v *variable, raw string, src VariableSource, srcName string) {
	filename := fmt.Sprintf("<value for var.%s from %s>", v.Name, srcName)
	if v.Sensitive {
		v.rawTexts = append(v.rawTexts, raw)
	} else {
		// Lets diagnostics show the text; never for secrets.
		l.files[filename] = &hcl.File{Bytes: []byte(raw), Body: hcl.EmptyBody()}
	}
	rng := wholeRange(filename, raw)
	val := cty.StringVal(raw)
	if len(raw) > MaxStringBytes {
		l.errorf(rng, "Value too long", "The value given by %s is %s long; at most %s are accepted.", srcName, safefile.FormatBytes(int64(len(raw))), safefile.FormatBytes(MaxStringBytes))
		v.failed = true
		return
	}
	if !v.Type.IsPrimitiveType() {
		n, d := scanSource([]byte(raw), filename, hcl.InitialPos, scanExpr, l.tokenBudget())
		l.tokens += n
		if d != nil {
			if v.Type == cty.DynamicPseudoType {
				// Not an expression pubsubctl parses: it is text.
				v.raw, v.rawRange, v.hasRaw = val, rng, true
				v.Source, v.SourceName = src, srcName
				return
			}
			l.add(d)
			v.failed = true
			return
		}
		expr, ds := hclsyntax.ParseExpression([]byte(raw), filename, hcl.InitialPos)
		if !ds.HasErrors() && !l.checkLiteralExpr(expr) {
			v.failed = true
			return
		}
		var parsed cty.Value
		if !ds.HasErrors() {
			var ds2 hcl.Diagnostics
			parsed, ds2 = expr.Value(nil)
			ds = append(ds, ds2...)
		}
		for _, d := range ds {
			fixLimitDiag(d)
			if v.Sensitive {
				d.Expression, d.EvalContext = nil, nil
			}
		}
		switch {
		case v.Type == cty.DynamicPseudoType:
			if !ds.HasErrors() {
				val = parsed
			}
		case ds.HasErrors():
			l.addAll(ds)
			v.failed = true
			return
		default:
			val = parsed
		}
	}
	v.raw, v.rawRange, v.hasRaw = val, rng, true
	v.Source, v.SourceName = src, srcName
}

// wholeRange is the range of all of text in a file of its own.
func wholeRange(filename, text string) hcl.Range {
	end := hcl.Pos{Line: 1, Column: 1, Byte: len(text)}
	for _, r := range text {
		if r == '\n' {
			end.Line++
			end.Column = 1
		} else {
			end.Column++
		}
	}
	return hcl.Range{Filename: filename, Start: hcl.InitialPos, End: end}
}

func (l *loader) checkValidation(v *variable, b *hclsyntax.Block) {
	cond := b.Body.Attributes["condition"]
	msgAttr := b.Body.Attributes["error_message"]
	if cond == nil || msgAttr == nil {
		return // reported by checkBody
	}
	sc := scope{roots: rootVar, where: "a validation rule"}
	c, ok := l.eval(cond.Expr, sc)
	if !ok {
		return
	}
	if c.IsNull() || c.Type() != cty.Bool {
		l.add(&hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid validation condition",
			Detail:   fmt.Sprintf("The condition must be true or false; got %s.", friendlyTypeOrNull(c)),
			Subject:  cond.Expr.Range().Ptr(),
		})
		return
	}
	if c.True() {
		return
	}
	msg := "The value does not satisfy the validation rule."
	if l.refsSensitive(msgAttr.Expr) {
		// Terraform's choice too: the message would show the secret.
		msg = "The value does not satisfy the validation rule. (The rule's error_message refers to a sensitive variable, so it is not shown.)"
	} else if m, ok := l.typedValue(msgAttr, sc, cty.String, "string"); ok {
		msg = m.AsString()
	}
	d := &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Invalid value for variable",
		Detail:   fmt.Sprintf("%s\n\nThis was checked by the validation rule at %s.", msg, rangeString(cond.Expr.Range())),
		Subject:  cond.Expr.Range().Ptr(),
	}
	if !v.Sensitive && !l.refsSensitive(cond.Expr) {
		d.Expression, d.EvalContext = cond.Expr, &hcl.EvalContext{Variables: map[string]cty.Value{"var": l.varObj}, Functions: l.funcs}
	}
	l.add(d)
}

// anySensitive reports whether any declared variable is sensitive.
func (l *loader) anySensitive() bool {
	for _, v := range l.varOrder {
		if v.Sensitive {
			return true
		}
	}
	return false
}

// typedValue evaluates an optional argument of a variable block that must
// be of type ty (want names it in the error). ok is false when the
// argument is absent (a is nil), null, failed to evaluate or has another
// type.
func (l *loader) typedValue(a *hclsyntax.Attribute, sc scope, ty cty.Type, want string) (cty.Value, bool) {
	if a == nil {
		return cty.NilVal, false
	}
	v, ok := l.eval(a.Expr, sc)
	if !ok || v.IsNull() {
		return cty.NilVal, false
	}
	if v.Type() != ty {
		l.typeError(a, want, v)
		return cty.NilVal, false
	}
	return v, true
}

func friendlyTypeOrNull(v cty.Value) string {
	if v.IsNull() {
		return "null"
	}
	return friendlyType(v.Type())
}

// variables returns the public view of the declared variables, by name.
func (l *loader) variables() []Variable {
	out := make([]Variable, 0, len(l.varOrder))
	for _, v := range l.varOrder {
		out = append(out, v.Variable)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
