package config

import (
	"strings"

	"github.com/pubsubctl/pubsubctl/internal/safefile"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	"github.com/zclconf/go-cty/cty/function"
)

// Evaluation guards. A value is checked (checkValue) after every
// evaluation, but one expression can build a huge value before it returns:
// a template joining a string with itself many times, a for expression
// nested in another, a function call such as join or replace. So, once a
// file is parsed, its syntax tree is instrumented:
//
//   - each interpolated part of a string template is passed through an
//     internal function that counts the bytes the template builds;
//   - the tuple a %{for} directive joins is counted the same way;
//   - the collection of each for expression is passed through an
//     internal function that counts iterations (MaxForIterations);
//   - arithmetic operations check that their result is a sane number;
//   - number literals are checked (an error is reported at the literal).
//
// The user-facing functions are wrapped too (guardFunction): arguments
// are checked before the call when the result could be larger than its
// inputs, and results after it.

const (
	internalPrefix = "__pubsubctl_"
	fnPart         = internalPrefix + "part"
	fnJoin         = internalPrefix + "join"
	fnIter         = internalPrefix + "iter"
)

// budget is what one Load may spend while evaluating.
type budget struct {
	iterations int64
	built      int64
	templates  []int64 // bytes built so far by each instrumented template
	// exhausted is the error of the first budget exceeded; from then on
	// every guarded function fails at once instead of doing more work
	// (HCL goes on evaluating the rest of a for expression after an
	// error in one of its iterations).
	exhausted error
}

func (b *budget) addBuilt(n int64) error {
	b.built += n
	if b.built > MaxBuiltBytes {
		return b.exhaust(limitErrorf("Too much text built",
			"Evaluating this configuration builds more than %s of strings in total (templates and string functions together), the limit for one configuration", safefile.FormatBytes(MaxBuiltBytes)))
	}
	return nil
}

func (b *budget) exhaust(err error) error {
	if b.exhausted == nil {
		b.exhausted = err
	}
	return err
}

// instrument adds the guards to a parsed file's syntax tree and reports
// out-of-range number literals. The type constraints of variables are left
// alone: they are read as syntax, not evaluated.
func (l *loader) instrument(body *hclsyntax.Body) {
	for _, a := range body.Attributes {
		l.instrumentExpr(a.Expr)
	}
	for _, b := range body.Blocks {
		if b.Type == "variable" {
			for name, a := range b.Body.Attributes {
				if name != "type" {
					l.instrumentExpr(a.Expr)
				}
			}
			for _, nb := range b.Body.Blocks {
				l.instrument(nb.Body)
			}
			continue
		}
		l.instrument(b.Body)
	}
}

func (l *loader) instrumentExpr(expr hclsyntax.Expression) {
	hclsyntax.VisitAll(expr, func(n hclsyntax.Node) hcl.Diagnostics {
		switch e := n.(type) {
		case *hclsyntax.LiteralValueExpr:
			if !l.checkLiteral(e) {
				e.Val = cty.UnknownVal(e.Val.Type())
			}
		case *hclsyntax.BinaryOpExpr:
			if g := guardedOps[e.Op]; g != nil {
				e.Op = g
			}
		case *hclsyntax.TemplateExpr:
			l.instrumentTemplate(e)
		case *hclsyntax.TemplateJoinExpr:
			if !isInternalCall(e.Tuple) {
				e.Tuple = internalCall(fnJoin, e.Tuple)
			}
		case *hclsyntax.ForExpr:
			if !isInternalCall(e.CollExpr) {
				e.CollExpr = internalCall(fnIter, e.CollExpr)
			}
		}
		return nil
	})
}

// checkLiteralExpr prepares an expression that is evaluated without a
// context (a variable file's or --var value): numbers are checked and
// arithmetic guarded as in instrument, and for expressions, which could
// multiply a literal's size without bound, are refused. It reports
// whether the expression may be evaluated.
func (l *loader) checkLiteralExpr(expr hclsyntax.Expression) bool {
	ok := true
	hclsyntax.VisitAll(expr, func(n hclsyntax.Node) hcl.Diagnostics {
		switch e := n.(type) {
		case *hclsyntax.LiteralValueExpr:
			ok = l.checkLiteral(e) && ok
		case *hclsyntax.BinaryOpExpr:
			if g := guardedOps[e.Op]; g != nil {
				e.Op = g
			}
		case *hclsyntax.ForExpr:
			if ok {
				l.errorf(e.SrcRange, "Invalid variable value",
					"Variable values given outside the configuration (variable files, --var, PUBSUBCTL_VAR_) must be literal values; for expressions are not allowed there.")
			}
			ok = false
		}
		return nil
	})
	return ok
}

// checkLiteral reports a literal number out of range or a literal string
// (a heredoc, say) longer than MaxStringBytes.
func (l *loader) checkLiteral(e *hclsyntax.LiteralValueExpr) bool {
	v := e.Val
	if !v.IsKnown() || v.IsNull() {
		return true
	}
	switch v.Type() {
	case cty.Number:
		if p := numberProblem(v.AsBigFloat()); p != "" {
			l.errorf(e.SrcRange, "Number out of range", "This number %s: %s.", p, numberRange)
			return false
		}
	case cty.String:
		if n := len(v.AsString()); n > MaxStringBytes {
			l.limitError(e.SrcRange, errStringTooLong(int64(n)))
			return false
		}
	}
	return true
}

// instrumentTemplate passes the parts of a template that has
// interpolations through fnPart(part, id, base): the first part (literal
// or not; it cannot fail, so it always resets the template's count) with
// base = the bytes of all literal parts, every other non-literal part with
// base = -1.
func (l *loader) instrumentTemplate(e *hclsyntax.TemplateExpr) {
	literal := int64(0)
	dynamic := false
	for _, p := range e.Parts {
		if lit, ok := p.(*hclsyntax.LiteralValueExpr); ok {
			if lit.Val.Type() == cty.String && lit.Val.IsKnown() && !lit.Val.IsNull() {
				literal += int64(len(lit.Val.AsString()))
			}
			continue
		}
		if isInternalCall(p) {
			return // already instrumented
		}
		dynamic = true
	}
	if !dynamic {
		return
	}
	id := len(l.budget.templates)
	l.budget.templates = append(l.budget.templates, 0)
	for i, p := range e.Parts {
		_, isLit := p.(*hclsyntax.LiteralValueExpr)
		switch {
		case i == 0:
			e.Parts[i] = internalCall(fnPart, p, numberLit(int64(id), p.Range()), numberLit(literal, p.Range()))
		case !isLit:
			e.Parts[i] = internalCall(fnPart, p, numberLit(int64(id), p.Range()), numberLit(-1, p.Range()))
		}
	}
}

func numberLit(n int64, rng hcl.Range) hclsyntax.Expression {
	return &hclsyntax.LiteralValueExpr{Val: cty.NumberIntVal(n), SrcRange: rng}
}

// internalCall wraps expr in a call of an internal function; the call has
// expr's range, so diagnostics point where they did.
func internalCall(name string, expr hclsyntax.Expression, extra ...hclsyntax.Expression) *hclsyntax.FunctionCallExpr {
	r := expr.Range()
	start := expr.StartRange()
	return &hclsyntax.FunctionCallExpr{
		Name:            name,
		Args:            append([]hclsyntax.Expression{expr}, extra...),
		NameRange:       start,
		OpenParenRange:  start,
		CloseParenRange: hcl.Range{Filename: r.Filename, Start: r.End, End: r.End},
	}
}

func isInternalCall(e hclsyntax.Expression) bool {
	c, ok := e.(*hclsyntax.FunctionCallExpr)
	return ok && strings.HasPrefix(c.Name, internalPrefix)
}

// internalFunctions are the functions instrument's calls use. Their names
// start with internalPrefix; they are not part of the language.
func (l *loader) internalFunctions() map[string]function.Function {
	any := func(name string) function.Parameter {
		return function.Parameter{Name: name, Type: cty.DynamicPseudoType, AllowNull: true, AllowUnknown: true, AllowDynamicType: true, AllowMarked: true}
	}
	return map[string]function.Function{
		fnPart: function.New(&function.Spec{
			Description: "Counts the bytes a string template builds.",
			Params:      []function.Parameter{any("value"), {Name: "id", Type: cty.Number}, {Name: "base", Type: cty.Number}},
			Type:        func(args []cty.Value) (cty.Type, error) { return args[0].Type(), nil },
			Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
				if l.budget.exhausted != nil {
					return cty.NilVal, l.budget.exhausted
				}
				id, _ := args[1].AsBigFloat().Int64()
				base, _ := args[2].AsBigFloat().Int64()
				if id < 0 || id >= int64(len(l.budget.templates)) {
					return args[0], nil
				}
				if base >= 0 {
					l.budget.templates[id] = base
				}
				n, err := textSize(args[0])
				if err != nil {
					return cty.NilVal, err
				}
				l.budget.templates[id] += n
				if l.budget.templates[id] > MaxStringBytes {
					return cty.NilVal, limitErrorf("String too long",
						"This template builds a string longer than %s, the limit for any string value", safefile.FormatBytes(MaxStringBytes))
				}
				if err := l.budget.addBuilt(n); err != nil {
					return cty.NilVal, err
				}
				return args[0], nil
			},
		}),
		fnJoin: function.New(&function.Spec{
			Description: "Counts the bytes a %{for} directive builds.",
			Params:      []function.Parameter{any("value")},
			Type:        func(args []cty.Value) (cty.Type, error) { return args[0].Type(), nil },
			Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
				v := args[0]
				if lengthOf(v) == 0 {
					return v, nil
				}
				total := int64(0)
				for it := v.ElementIterator(); it.Next(); {
					_, e := it.Element()
					n, err := textSize(e)
					if err != nil {
						return cty.NilVal, err
					}
					total += n
					if total > MaxStringBytes {
						return cty.NilVal, limitErrorf("String too long",
							"This template's %%{for} directive builds a string longer than %s, the limit for any string value", safefile.FormatBytes(MaxStringBytes))
					}
				}
				if err := l.budget.addBuilt(total); err != nil {
					return cty.NilVal, err
				}
				return v, nil
			},
		}),
		fnIter: function.New(&function.Spec{
			Description: "Counts the iterations of for expressions.",
			Params:      []function.Parameter{any("collection")},
			Type:        func(args []cty.Value) (cty.Type, error) { return args[0].Type(), nil },
			Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
				if l.budget.exhausted != nil {
					return cty.NilVal, l.budget.exhausted
				}
				l.budget.iterations += int64(lengthOf(args[0]))
				if l.budget.iterations > MaxForIterations {
					return cty.NilVal, l.budget.exhaust(limitErrorf("Too many iterations",
						"The for expressions of this configuration iterate more than %s times in total, the limit for one configuration (nested loops multiply)", safefile.FormatCount(MaxForIterations)))
				}
				return args[0], nil
			},
		}),
	}
}

// textSize is the length of a value converted to a string in a template:
// its bytes for a string, a few for a number or bool (after checking the
// number's range).
func textSize(v cty.Value) (int64, error) {
	v, ok := concrete(v)
	if !ok {
		return 0, nil
	}
	switch v.Type() {
	case cty.String:
		n := int64(len(v.AsString()))
		if n > MaxStringBytes {
			return 0, errStringTooLong(n)
		}
		return n, nil
	case cty.Number:
		if p := numberProblem(v.AsBigFloat()); p != "" {
			return 0, limitErrorf("Number out of range", "The number %s: %s", p, numberRange)
		}
		return 32, nil
	}
	return 8, nil
}

// guardedOps are the arithmetic operations with a range check of their
// result (1e300 * 1e300 * ... would otherwise make a number whose text has
// millions of digits).
var guardedOps = func() map[*hclsyntax.Operation]*hclsyntax.Operation {
	m := map[*hclsyntax.Operation]*hclsyntax.Operation{}
	for _, op := range []*hclsyntax.Operation{hclsyntax.OpAdd, hclsyntax.OpSubtract, hclsyntax.OpMultiply, hclsyntax.OpDivide, hclsyntax.OpModulo} {
		f := op.Impl
		m[op] = &hclsyntax.Operation{
			Type: op.Type,
			Impl: function.New(&function.Spec{
				Description: f.Description(),
				Params:      f.Params(),
				Type:        function.StaticReturnType(op.Type),
				Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
					v, err := f.Call(args)
					if err != nil {
						return v, err
					}
					if v.IsKnown() && !v.IsNull() && v.Type() == cty.Number {
						if p := numberProblem(v.AsBigFloat()); p != "" {
							return cty.NilVal, limitErrorf("Number out of range", "The result %s: %s", p, numberRange)
						}
					}
					return v, nil
				},
			}),
		}
	}
	return m
}()

// preCheck checks the arguments of a function before it runs, for the
// functions whose result can be much larger than their arguments.
type preCheck func(args []cty.Value) error

var preChecks = map[string]preCheck{
	"join":       checkJoin,
	"format":     checkFormat,
	"formatlist": checkFormatList,
	"replace":    checkReplace,
	"jsonencode": checkJSONEncode,
	"jsondecode": checkJSONDecode,
	"split":      checkSplit,
	"concat":     checkSumLengths,
	"setunion":   checkSumLengths,
	"merge":      checkSumLengths,
	"flatten":    checkFlatten,
}

// toTypes are the types the conversion functions convert to; their
// parameter is dynamic, so fastConvert needs to be told.
var toTypes = map[string]cty.Type{
	"tolist": cty.List(cty.DynamicPseudoType),
	"toset":  cty.Set(cty.DynamicPseudoType),
	"tomap":  cty.Map(cty.DynamicPseudoType),
}

// noGuard are the functions left unwrapped: try and can take expressions,
// not values, and must see them as HCL passes them.
var noGuard = map[string]bool{"try": true, "can": true}

// guardFunction wraps a function: its parameters become dynamic so that
// HCL does not convert large tuples itself (cty's conversion of a tuple to
// a list compares every element type with every other: quadratic);
// fastArgs converts them in linear time, then the pre-check runs, then the
// function, then the result is checked against the limits.
func (l *loader) guardFunction(name string, f function.Function) function.Function {
	if noGuard[name] {
		return f
	}
	params := f.Params()
	vparam := f.VarParam()
	dyn := func(p function.Parameter) function.Parameter {
		return function.Parameter{Name: p.Name, Description: p.Description, Type: cty.DynamicPseudoType,
			AllowNull: true, AllowUnknown: true, AllowDynamicType: true, AllowMarked: true}
	}
	spec := &function.Spec{Description: f.Description()}
	for _, p := range params {
		spec.Params = append(spec.Params, dyn(p))
	}
	if vparam != nil {
		v := dyn(*vparam)
		spec.VarParam = &v
	}
	paramType := func(i int) cty.Type {
		if t, ok := toTypes[name]; ok && i == 0 {
			return t
		}
		if i < len(params) {
			return params[i].Type
		}
		if vparam != nil {
			return vparam.Type
		}
		return cty.DynamicPseudoType
	}
	convertArgs := func(args []cty.Value) ([]cty.Value, error) {
		// As HCL would have done for the original parameters: convert
		// every argument to its parameter's type.
		out := make([]cty.Value, len(args))
		for i, a := range args {
			want := paramType(i)
			c, _, err := fastConvert(a, want)
			if _, ok := toTypes[name]; err == nil && !ok {
				c, err = convert.Convert(c, want)
			}
			if err != nil {
				return nil, function.NewArgError(i, err)
			}
			out[i] = c
		}
		return out, nil
	}
	// prepare converts the arguments, then runs check (if any).
	prepare := func(args []cty.Value, check preCheck) ([]cty.Value, error) {
		args, err := convertArgs(args)
		if err != nil {
			return nil, err
		}
		if check != nil {
			if err := check(args); err != nil {
				return nil, err
			}
		}
		return args, nil
	}
	pre := preChecks[name]
	// Typing runs the pre-check too: some functions do their work while
	// typing (jsondecode parses its argument to know the result's type).
	// format and formatlist instead check only their widths while typing,
	// before any work.
	typeCheck, widths := pre, name == "format" || name == "formatlist"
	if widths {
		typeCheck = nil
	}
	spec.Type = func(args []cty.Value) (cty.Type, error) {
		if widths {
			if err := checkFormatWidths(args); err != nil {
				return cty.NilType, err
			}
		}
		args, err := prepare(args, typeCheck)
		if err != nil {
			return cty.NilType, err
		}
		return f.ReturnTypeForValues(args)
	}
	spec.Impl = func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		if l.budget.exhausted != nil {
			return cty.NilVal, l.budget.exhausted
		}
		args, err := prepare(args, pre)
		if err != nil {
			return cty.NilVal, err
		}
		v, err := f.Call(args)
		if err != nil {
			return v, err
		}
		if err := checkValue(v); err != nil {
			return cty.NilVal, err
		}
		if v.IsKnown() && !v.IsNull() && v.Type() == cty.String {
			if err := l.budget.addBuilt(int64(len(v.AsString()))); err != nil {
				return cty.NilVal, err
			}
		}
		return v, nil
	}
	return function.New(spec)
}
