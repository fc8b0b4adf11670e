package config

import (
	"math/big"
	"time"

	"github.com/pubsubctl/pubsubctl/internal/safefile"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/pubsubctl/pubsubctl/model"
)

// dec decodes the arguments of one body into Go values, recording the
// provenance and range of every argument the user wrote in meta under
// prefix + name.
type dec struct {
	l      *loader
	sc     scope
	meta   *model.Meta
	prefix string
}

// nested returns a decoder for a nested block: paths get "name." prepended.
func (d *dec) nested(name string) *dec {
	c := *d
	c.prefix = d.prefix + name + "."
	return &c
}

// block finds the block name in body and records it; it returns the
// block's body and a decoder for its arguments, or nils when there is
// none.
func (d *dec) block(body *hclsyntax.Body, name string) (*hclsyntax.Body, *dec) {
	b := d.l.block(body, name)
	if b == nil {
		return nil, nil
	}
	d.markBlock(name, b)
	return b.Body, d.nested(name)
}

// markBlock records that the user wrote a block.
func (d *dec) markBlock(name string, b *hclsyntax.Block) {
	if d.meta != nil {
		r := b.DefRange()
		d.meta.Set(d.prefix+name, model.SourceUser, &r)
	}
}

func (d *dec) mark(name string, rng hcl.Range) {
	if d.meta != nil {
		d.meta.Set(d.prefix+name, model.SourceUser, &rng)
	}
}

// markAttr records an argument like mark, and marks it sensitive when its
// expression refers to a sensitive variable.
func (d *dec) markAttr(name string, a *hclsyntax.Attribute) {
	d.mark(name, a.Expr.Range())
	d.markSensitive(name, a)
}

// markSensitive marks a field whose expression refers to a sensitive
// variable. For an object literal (labels = { team = var.x }) only the
// keys whose item refers to one are marked.
func (d *dec) markSensitive(name string, a *hclsyntax.Attribute) {
	if d.meta == nil || !d.l.refsSensitive(a.Expr) {
		return
	}
	if obj, ok := a.Expr.(*hclsyntax.ObjectConsExpr); ok {
		for _, item := range obj.Items {
			if !d.l.refsSensitive(item.KeyExpr) && !d.l.refsSensitive(item.ValueExpr) {
				continue
			}
			k, ds := item.KeyExpr.Value(nil)
			if ds.HasErrors() || !k.IsKnown() || k.IsNull() || k.Type() != cty.String {
				d.meta.MarkSensitive(d.prefix + name)
				return
			}
			d.meta.MarkSensitive(d.prefix + name + "." + k.AsString())
		}
		return
	}
	d.meta.MarkSensitive(d.prefix + name)
}

// value evaluates an argument. ok is false when it is absent, null or
// failed to evaluate.
func (d *dec) value(body *hclsyntax.Body, name string) (cty.Value, *hclsyntax.Attribute, bool) {
	a := body.Attributes[name]
	if a == nil {
		return cty.NilVal, nil, false
	}
	v, ok := d.l.eval(a.Expr, d.sc)
	if !ok || v.IsNull() {
		return cty.NilVal, a, false
	}
	if !d.l.countDecoded(v, a.Expr.Range()) {
		return cty.NilVal, a, false
	}
	d.l.addDerivedSecrets(a.Expr, v)
	return v, a, true
}

// addDerivedSecrets records the strings of v that derive from a sensitive
// variable: all of them, or for an object or tuple literal only those of
// the items that refer to one.
func (l *loader) addDerivedSecrets(expr hcl.Expression, v cty.Value) {
	if !l.refsSensitive(expr) {
		return
	}
	add := func(s string) { l.secrets = append(l.secrets, s) }
	ty := v.Type()
	switch e := expr.(type) {
	case *hclsyntax.ObjectConsExpr:
		if !ty.IsMapType() && !ty.IsObjectType() {
			break
		}
		for _, item := range e.Items {
			if !l.refsSensitive(item.KeyExpr) && !l.refsSensitive(item.ValueExpr) {
				continue
			}
			l.addSensitiveRange(hcl.RangeBetween(item.KeyExpr.Range(), item.ValueExpr.Range()))
			k, ds := item.KeyExpr.Value(nil)
			if ds.HasErrors() || !k.IsKnown() || k.IsNull() || k.Type() != cty.String {
				l.addSensitiveRange(expr.Range())
				addStrings(v, add)
				return
			}
			if l.refsSensitive(item.KeyExpr) {
				add(k.AsString())
			}
			if ty.IsMapType() && v.HasIndex(k).True() {
				addStrings(v.Index(k), add)
			} else if ty.IsObjectType() && ty.HasAttribute(k.AsString()) {
				addStrings(v.GetAttr(k.AsString()), add)
			}
		}
		return
	case *hclsyntax.TupleConsExpr:
		if (ty.IsListType() || ty.IsTupleType()) && v.LengthInt() == len(e.Exprs) {
			for i, x := range e.Exprs {
				if l.refsSensitive(x) {
					l.addSensitiveRange(x.Range())
					addStrings(v.Index(cty.NumberIntVal(int64(i))), add)
				}
			}
			return
		}
	}
	l.addSensitiveRange(expr.Range())
	addStrings(v, add)
}

// addSensitiveRange records the source range of an expression whose value
// derives from a sensitive variable: diagnostics about it do not quote
// anything (see redactDiagnostics).
func (l *loader) addSensitiveRange(r hcl.Range) {
	if l.sensitiveRanges == nil {
		l.sensitiveRanges = map[hcl.Range]bool{}
	}
	l.sensitiveRanges[r] = true
}

// countDecoded adds the strings of a decoded value to MaxDecodedBytes.
func (l *loader) countDecoded(v cty.Value, rng hcl.Range) bool {
	l.decoded += stringSize.of(v)
	return l.checkDecoded(rng)
}

func (l *loader) checkDecoded(rng hcl.Range) bool {
	if l.decoded <= MaxDecodedBytes {
		return true
	}
	if !l.decodedOver {
		l.decodedOver = true
		l.errorf(rng, "Configuration too large",
			"The string values of this configuration's resources add up to more than %s (a value used by many resources counts once for each), the limit for one configuration. Values this large are not Pub/Sub settings; check for a value repeated by for_each or defaults.",
			safefile.FormatBytes(MaxDecodedBytes))
	}
	return false
}

// countDefaults adds the defaults block's labels, which ApplyDefaults
// copies into every topic or subscription, to MaxDecodedBytes.
func (l *loader) countDefaults(cfg *model.Config, def *model.Defaults) {
	if def == nil || l.defaults == nil {
		return
	}
	size := func(m map[string]string) int64 {
		n := int64(0)
		for k, v := range m {
			n += int64(len(k) + len(v))
		}
		return n
	}
	// Once per resource besides the one count of decoding.
	l.decoded += size(def.Topic.Labels) * int64(max(len(cfg.Topics)-1, 0))
	l.decoded += size(def.Subscription.Labels) * int64(max(len(cfg.Subscriptions)-1, 0))
	l.checkDecoded(l.defaults.TypeRange)
}

// decodeArg decodes the argument name, of type ty, into dst and records
// it. required is the type error's "... required"; conv turns a value of
// type ty into a T, reporting at rng a value it cannot take.
func decodeArg[T any](d *dec, body *hclsyntax.Body, name string, ty cty.Type, required string, dst *T, conv func(v cty.Value, rng hcl.Range) (T, bool)) bool {
	v, a, ok := d.value(body, name)
	if !ok {
		return false
	}
	if v.Type() != ty {
		d.l.typeMismatch(a, required, v)
		return false
	}
	x, ok := conv(v, a.Expr.Range())
	if !ok {
		return false
	}
	*dst = x
	d.markAttr(name, a)
	return true
}

// always is a conversion for decodeArg that takes every value.
func always[T any](get func(cty.Value) T) func(cty.Value, hcl.Range) (T, bool) {
	return func(v cty.Value, _ hcl.Range) (T, bool) { return get(v), true }
}

func (d *dec) str(body *hclsyntax.Body, name string, dst *string) bool {
	return decodeArg(d, body, name, cty.String, "string required", dst, always(cty.Value.AsString))
}

func (d *dec) boolean(body *hclsyntax.Body, name string, dst *bool) bool {
	return decodeArg(d, body, name, cty.Bool, "bool required", dst, always(cty.Value.True))
}

func (d *dec) duration(body *hclsyntax.Body, name string, dst *time.Duration) bool {
	return decodeArg(d, body, name, cty.String, `a duration string with a unit is required (e.g. "60s", "10m", "7d")`, dst,
		func(v cty.Value, rng hcl.Range) (time.Duration, bool) {
			dur, err := model.ParseDuration(v.AsString())
			if err != nil {
				d.l.errorf(rng, "Invalid duration", "Argument %q: %v.", name, err)
				return 0, false
			}
			return dur, true
		})
}

func (d *dec) integer(body *hclsyntax.Body, name string, dst *int64) bool {
	return decodeArg(d, body, name, cty.Number, "number required", dst,
		func(v cty.Value, rng hcl.Range) (int64, bool) {
			bf := v.AsBigFloat()
			if !bf.IsInt() {
				d.l.errorf(rng, "Invalid number", "Argument %q must be a whole number.", name)
				return 0, false
			}
			i, acc := bf.Int64()
			if acc != big.Exact {
				d.l.errorf(rng, "Invalid number", "Argument %q is out of range.", name)
				return 0, false
			}
			return i, true
		})
}

func (d *dec) integerInt(body *hclsyntax.Body, name string, dst *int) bool {
	var i int64
	if !d.integer(body, name, &i) {
		return false
	}
	if int64(int(i)) != i {
		d.l.errorf(body.Attributes[name].Expr.Range(), "Invalid number", "Argument %q is out of range.", name)
		return false
	}
	*dst = int(i)
	return true
}

// stringMap decodes a map of strings (labels, push attributes), recording
// "name" and one "name.KEY" path per key. A key's range is its item in an
// object literal, or the whole expression.
func (d *dec) stringMap(body *hclsyntax.Body, name string) (map[string]string, bool) {
	v, a, ok := d.value(body, name)
	if !ok {
		return nil, false
	}
	ty := v.Type()
	if !ty.IsMapType() && !ty.IsObjectType() {
		d.l.typeError(a, "map of string", v)
		return nil, false
	}
	out := map[string]string{}
	for it := v.ElementIterator(); it.Next(); {
		k, e := it.Element()
		key := k.AsString()
		if e.IsNull() || e.Type() != cty.String {
			d.l.errorf(a.Expr.Range(), "Incorrect argument type",
				"Inappropriate value for argument %q: element %q: string required, got %s.", name, key, friendlyTypeOrNull(e))
			return nil, false
		}
		out[key] = e.AsString()
	}
	whole := a.Expr.Range()
	d.mark(name, whole)
	items := itemRanges(a.Expr)
	for k := range out {
		r, ok := items[k]
		if !ok {
			r = whole
		}
		d.mark(name+"."+k, r)
	}
	d.markSensitive(name, a)
	return out, true
}

// itemRanges maps the literal keys of an object constructor to the ranges
// of their "key = value" items.
func itemRanges(expr hcl.Expression) map[string]hcl.Range {
	obj, ok := expr.(*hclsyntax.ObjectConsExpr)
	if !ok {
		return nil
	}
	out := map[string]hcl.Range{}
	for _, item := range obj.Items {
		k, ds := item.KeyExpr.Value(nil)
		if ds.HasErrors() || !k.IsKnown() || k.IsNull() || k.Type() != cty.String {
			continue
		}
		out[k.AsString()] = hcl.RangeBetween(item.KeyExpr.Range(), item.ValueExpr.Range())
	}
	return out
}

// stringList decodes a list (or set or tuple) of strings and the range of
// each element.
func (d *dec) stringList(body *hclsyntax.Body, name string) ([]string, []hcl.Range, *hclsyntax.Attribute, bool) {
	v, a, ok := d.value(body, name)
	if !ok {
		return nil, nil, a, false
	}
	ty := v.Type()
	if !ty.IsListType() && !ty.IsSetType() && !ty.IsTupleType() {
		d.l.typeError(a, "list of string", v)
		return nil, nil, a, false
	}
	out := []string{}
	for it := v.ElementIterator(); it.Next(); {
		_, e := it.Element()
		if e.IsNull() || e.Type() != cty.String {
			d.l.errorf(a.Expr.Range(), "Incorrect argument type",
				"Inappropriate value for argument %q: element %d: string required, got %s.", name, len(out), friendlyTypeOrNull(e))
			return nil, nil, a, false
		}
		out = append(out, e.AsString())
	}
	whole := a.Expr.Range()
	d.markSensitive(name, a)
	ranges := make([]hcl.Range, len(out))
	tup, isTuple := a.Expr.(*hclsyntax.TupleConsExpr)
	for i := range ranges {
		ranges[i] = whole
		if isTuple && len(tup.Exprs) == len(out) && !ty.IsSetType() {
			ranges[i] = tup.Exprs[i].Range()
		}
	}
	d.mark(name, whole)
	return out, ranges, a, true
}

// name decodes a reference to a topic or schema: a reference such as
// topic.orders (already the full name), a full name in any project, or a
// plain ID in the configuration's project.
func (d *dec) name(body *hclsyntax.Body, attr string, kind model.Kind, dst *string) bool {
	v, a, ok := d.value(body, attr)
	if !ok {
		return false
	}
	ty := v.Type()
	if ty.IsMapType() || ty.IsObjectType() {
		d.l.errorf(a.Expr.Range(), "Incorrect argument type",
			"Inappropriate value for argument %q: a %s name is required, got a map. A %s with for_each has one name per instance: pick one, e.g. %s.NAME[\"KEY\"].",
			attr, kind, kind, kind)
		return false
	}
	if ty != cty.String {
		d.l.typeError(a, "string", v)
		return false
	}
	s := v.AsString()
	full, ok := d.l.qualify(s, kind)
	if !ok {
		d.l.errorf(a.Expr.Range(), "Invalid "+kind.String()+" name",
			"%q is not a %s name: use a reference such as %s.orders, a %s ID in this project, or a full name projects/PROJECT/%s/ID.",
			s, kind, kind, kind, kind.Collection())
		return false
	}
	*dst = full
	d.markAttr(attr, a)
	return true
}

// qualify turns an ID or full name into a full name.
func (l *loader) qualify(s string, kind model.Kind) (string, bool) {
	if _, _, ok := model.SplitName(s, kind); ok {
		return s, true
	}
	if s == "" {
		return "", false
	}
	for _, r := range s {
		if r == '/' {
			return "", false
		}
	}
	return model.FullName(l.project, kind, s), true
}

// blocks returns the well-formed nested blocks of a type.
func (l *loader) blocks(body *hclsyntax.Body, typ string) []*hclsyntax.Block {
	var out []*hclsyntax.Block
	for _, b := range body.Blocks {
		if b.Type == typ && !l.bad[b] {
			out = append(out, b)
		}
	}
	return out
}

// block returns the first well-formed nested block of a type, or nil.
func (l *loader) block(body *hclsyntax.Body, typ string) *hclsyntax.Block {
	if bs := l.blocks(body, typ); len(bs) > 0 {
		return bs[0]
	}
	return nil
}
