package config

import (
	"regexp"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"

	"github.com/pubsubctl/pubsubctl/model"
)

// outputSpec is the body of an `output "NAME" { ... }` block.
var outputSpec = &bodySpec{
	attrs:    []string{"value", "description", "sensitive"},
	required: []string{"value"},
	noBlocks: "An output block contains only the arguments value, description and sensitive.",
}

// outputNameRE is what an output name may be: it becomes an environment
// variable name (upper-cased) in `pubsubctl output --format env`.
var outputNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// decodeOutputs evaluates the output blocks among blocks, once every
// resource name is known. Values may use var., local., topic.,
// subscription., schema. and functions; they must be strings, numbers or
// bools (outputs are environment variables for applications).
func (l *loader) decodeOutputs(blocks []*hclsyntax.Block, res *Result) {
	seen := map[string]hcl.Range{}
	for _, b := range blocks {
		if b.Type != "output" || len(b.Labels) != 1 {
			continue
		}
		name := b.Labels[0]
		o := model.Output{Name: name, DeclRange: b.LabelRanges[0]}
		if !outputNameRE.MatchString(name) {
			l.errorf(b.LabelRanges[0], "Invalid output name",
				"%q is not a valid output name: use letters, digits and _, starting with a letter or _ (it becomes an environment variable name).", name)
			continue
		}
		if prev, ok := seen[name]; ok {
			l.errorf(b.LabelRanges[0], "Duplicate output",
				"An output named %q was already declared at %s.", name, rangeString(prev))
			continue
		}
		seen[name] = b.LabelRanges[0]
		sc := scope{roots: rootAll, where: "an output"}
		if a := b.Body.Attributes["description"]; a != nil {
			v, ok := l.eval(a.Expr, scope{where: "an output's description"})
			if ok && (v.IsNull() || v.Type() != cty.String) {
				l.typeError(a, "string", v)
			} else if ok {
				o.Description = v.AsString()
			}
		}
		if a := b.Body.Attributes["sensitive"]; a != nil {
			v, ok := l.eval(a.Expr, scope{where: "an output's sensitive argument"})
			if ok && (v.IsNull() || v.Type() != cty.Bool) {
				l.typeError(a, "bool", v)
			} else if ok {
				o.Sensitive = v.True()
			}
		}
		a := b.Body.Attributes["value"]
		if a == nil {
			continue // reported by checkBody
		}
		o.Range = a.Expr.Range()
		v, ok := l.eval(a.Expr, sc)
		if !ok {
			continue
		}
		if l.refsSensitive(a.Expr) && !o.Sensitive {
			l.addSensitiveRange(a.Expr.Range())
			l.errorf(a.Expr.Range(), "Output refers to sensitive values",
				"The value of output %q derives from a sensitive variable. Add sensitive = true to the output block to confirm that it may hold a secret: its value is then never printed.", name)
			continue
		}
		if v.IsNull() {
			l.errorf(a.Expr.Range(), "Invalid output value", "The value of output %q is null.", name)
			continue
		}
		if !v.Type().IsPrimitiveType() {
			l.typeMismatch(a, "a string, number or bool is required (outputs are environment variables for applications; use jsonencode() for a collection)", v)
			continue
		}
		s, err := convert.Convert(v, cty.String)
		if err != nil {
			l.typeError(a, "string", v)
			continue
		}
		o.Value = s.AsString()
		if o.Sensitive && o.Value != "" {
			res.secrets = append(res.secrets, o.Value)
		}
		res.Outputs = append(res.Outputs, o)
	}
}
