package config

import (
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/pubsubctl/pubsubctl/model"
)

// References: which names an expression may use, what it needs resolved
// first, and whether it refers to a sensitive value.

// refsSensitive reports whether expr refers to a sensitive variable or to
// a local derived from one.
func (l *loader) refsSensitive(expr hcl.Expression) bool {
	if expr == nil {
		return false
	}
	if l.base == nil {
		return l.refsSensitiveNow(expr)
	}
	// Every local is resolved: the answer no longer changes.
	if s, ok := l.sensMemo[expr]; ok {
		return s
	}
	s := l.refsSensitiveNow(expr)
	if l.sensMemo == nil {
		l.sensMemo = map[hcl.Expression]bool{}
	}
	l.sensMemo[expr] = s
	return s
}

func (l *loader) refsSensitiveNow(expr hcl.Expression) bool {
	for _, t := range expr.Variables() {
		name, _, ok := attrStep(t)
		if !ok {
			// var or local as a whole, or indexed by a computed key: it
			// may be any of them.
			switch t.RootName() {
			case "var":
				if l.anySensitive() {
					return true
				}
			case "local":
				for _, n := range l.localOrder {
					if n.sensitive {
						return true
					}
				}
			}
			continue
		}
		switch t.RootName() {
		case "var":
			if v := l.vars[name]; v != nil && v.Sensitive {
				return true
			}
		case "local":
			if n := l.locals[name]; n != nil && n.sensitive {
				return true
			}
		}
	}
	return false
}

// attrStep returns the attribute name after a traversal's root.
func attrStep(t hcl.Traversal) (string, hcl.Range, bool) {
	if len(t) < 2 {
		return "", hcl.Range{}, false
	}
	switch s := t[1].(type) {
	case hcl.TraverseAttr:
		return s.Name, hcl.RangeBetween(t[0].SourceRange(), s.SrcRange), true
	case hcl.TraverseIndex:
		if s.Key.Type() == cty.String && s.Key.IsKnown() && !s.Key.IsNull() {
			return s.Key.AsString(), hcl.RangeBetween(t[0].SourceRange(), s.SrcRange), true
		}
	}
	return "", hcl.Range{}, false
}

// context checks every reference of expr and builds the context to
// evaluate it in.
func (l *loader) context(expr hcl.Expression, sc scope) (*hcl.EvalContext, bool) {
	ok := true
	type want struct {
		locals    map[string]hcl.Range
		allLocals bool
		res       map[model.Kind]map[string]hcl.Range
		allRes    map[model.Kind]bool
		each      bool
		vars      bool
	}
	w := want{locals: map[string]hcl.Range{}, res: map[model.Kind]map[string]hcl.Range{}, allRes: map[model.Kind]bool{}}
	for _, t := range expr.Variables() {
		root := t.RootName()
		rootRange := t[0].SourceRange()
		name, rng, hasName := attrStep(t)
		switch root {
		case "var":
			if !l.allowed(sc, rootVar, "var", rootRange) {
				ok = false
				continue
			}
			w.vars = true
			if hasName && l.vars[name] == nil {
				l.errorf(rng, "Reference to undeclared input variable",
					"An input variable named %q has not been declared.%s Declare it with a variable %q block.", name, didYouMean(name, l.varNames()), name)
				ok = false
			}
		case "local":
			if !l.allowed(sc, rootLocal, "local", rootRange) {
				ok = false
				continue
			}
			if !hasName {
				w.allLocals = true
				continue
			}
			if l.locals[name] == nil {
				l.errorf(rng, "Reference to undeclared local value",
					"A local value named %q has not been declared.%s", name, didYouMean(name, l.localNames()))
				ok = false
				continue
			}
			if _, seen := w.locals[name]; !seen {
				w.locals[name] = rng
			}
		case "topic", "subscription", "schema":
			kind, _ := model.ParseKind(root)
			if !l.allowed(sc, rootResource, root, rootRange) {
				ok = false
				continue
			}
			if len(t) == 1 {
				w.allRes[kind] = true
				continue
			}
			if !hasName {
				l.errorf(t.SourceRange(), "Invalid reference",
					"A reference to a %s needs its label, e.g. %s.orders.", root, root)
				ok = false
				continue
			}
			if l.resources[kind][name] == nil {
				l.errorf(rng, "Reference to undeclared "+root,
					"A %s labelled %q has not been declared.%s", root, name, didYouMean(name, l.resourceLabels(kind)))
				ok = false
				continue
			}
			if w.res[kind] == nil {
				w.res[kind] = map[string]hcl.Range{}
			}
			if _, seen := w.res[kind][name]; !seen {
				w.res[kind][name] = rng
			}
		case "each":
			if sc.each == nil {
				l.errorf(t.SourceRange(), "Reference to \"each\" without for_each",
					"each.key and each.value can only be used in a topic, subscription or schema block that sets for_each (and not in for_each itself).")
				ok = false
				continue
			}
			if len(t) > 1 && (!hasName || (name != "key" && name != "value")) {
				detail := "The each object has two attributes: each.key and each.value."
				if hasName {
					detail += didYouMean(name, []string{"key", "value"})
				}
				l.errorf(t.SourceRange(), "Invalid each attribute", "%s", detail)
				ok = false
				continue
			}
			w.each = true
		default:
			l.errorf(rootRange, "Reference to unknown name",
				"There is nothing named %q here.%s References start with var., local., topic., subscription., schema. or (with for_each) each.", root, didYouMean(root, rootNames))
			ok = false
		}
	}
	if !ok {
		return nil, false
	}
	if l.base != nil {
		if sc.each == nil {
			return l.base, true
		}
		ctx := l.base.NewChild()
		ctx.Variables = map[string]cty.Value{"each": sc.each.each}
		return ctx, true
	}
	// Before every name is known: resolve just what expr needs.
	vars := map[string]cty.Value{}
	if w.vars {
		vars["var"] = l.varObj
	}
	if w.allLocals || len(w.locals) > 0 {
		m := map[string]cty.Value{}
		if w.allLocals {
			for _, n := range l.localOrder {
				m[n.name] = l.resolveLocal(n, expr.Range())
			}
		}
		for name, rng := range w.locals {
			m[name] = l.resolveLocal(l.locals[name], rng)
		}
		vars["local"] = cty.ObjectVal(m)
	}
	for kind, nodes := range l.resources {
		if !w.allRes[kind] && len(w.res[kind]) == 0 {
			continue
		}
		m := map[string]cty.Value{}
		if w.allRes[kind] {
			for label, n := range nodes {
				m[label] = l.resolveResource(n, expr.Range())
			}
		}
		for label, rng := range w.res[kind] {
			m[label] = l.resolveResource(nodes[label], rng)
		}
		vars[kind.String()] = cty.ObjectVal(m)
	}
	if w.each {
		vars["each"] = sc.each.each
	}
	return &hcl.EvalContext{Variables: vars, Functions: l.funcs}, true
}

func (l *loader) allowed(sc scope, r roots, root string, rng hcl.Range) bool {
	if sc.roots&r != 0 {
		return true
	}
	l.errorf(rng, "Reference not allowed",
		"%s cannot refer to %s values; only literal values and functions are allowed there.", capitalize(sc.where), root)
	return false
}

func capitalize(s string) string {
	if s == "" {
		return "This value"
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func (l *loader) varNames() []string {
	out := make([]string, 0, len(l.vars))
	for n := range l.vars {
		out = append(out, n)
	}
	return out
}

func (l *loader) localNames() []string {
	out := make([]string, 0, len(l.locals))
	for n := range l.locals {
		out = append(out, n)
	}
	return out
}

func (l *loader) resourceLabels(k model.Kind) []string {
	out := make([]string, 0, len(l.resources[k]))
	for n := range l.resources[k] {
		out = append(out, n)
	}
	return out
}

// typeError reports a value of the wrong type; want names the type.
func (l *loader) typeError(a *hclsyntax.Attribute, want string, v cty.Value) {
	l.typeMismatch(a, want+" required", v)
}

// typeMismatch reports a value of the wrong type; required says what the
// argument takes ("string required", "a duration string is required").
func (l *loader) typeMismatch(a *hclsyntax.Attribute, required string, v cty.Value) {
	l.errorf(a.Expr.Range(), "Incorrect argument type",
		"Inappropriate value for argument %q: %s, got %s.", a.Name, required, friendlyType(v.Type()))
}

func friendlyType(t cty.Type) string {
	switch {
	case t == cty.DynamicPseudoType:
		return "a value of unknown type"
	case t.IsObjectType():
		return "object"
	case t.IsTupleType():
		return "tuple"
	}
	return t.FriendlyName()
}
