package config

import (
	"errors"
	"sort"
	"strings"

	"github.com/pubsubctl/pubsubctl/internal/safefile"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/pubsubctl/pubsubctl/model"
)

// roots says which kinds of references an expression may use.
type roots int

const (
	rootVar roots = 1 << iota
	rootLocal
	rootResource
	rootAll = rootVar | rootLocal | rootResource
)

// scope is where an expression is evaluated.
type scope struct {
	roots roots
	each  *instance // the for_each instance, nil outside for_each
	// where names the place for "not allowed here" messages, e.g.
	// "a variable's default".
	where string
}

var rootNames = []string{"var", "local", "topic", "subscription", "schema", "each"}

// localNode is one local value, evaluated on first use.
type localNode struct {
	name      string
	attr      *hclsyntax.Attribute
	state     evalState
	val       cty.Value
	sensitive bool
	// forEach holds the instances of a for_each = local.<name> once
	// worked out, for the next block that uses the same local: iterating
	// a set sorts it, which costs more than the resources it makes.
	forEach []*instance
}

// resourceNode is one topic, subscription or schema block. Its instances
// and their names are resolved on first use (they may depend on locals,
// variables and other resources).
type resourceNode struct {
	kind      model.Kind
	label     string
	block     *hclsyntax.Block
	state     evalState
	forEach   bool
	instances []*instance
	ref       cty.Value // full name, map of key -> full name, or DynamicVal
}

func (n *resourceNode) String() string { return n.kind.String() + "." + n.label }

// instance is one instance of a resource block: the block itself, or one
// for_each element.
type instance struct {
	key    string
	hasKey bool
	each   cty.Value // object {key, value}
	name   string
	ok     bool // name resolved
}

func (l *loader) declareLocals(b *hclsyntax.Block) {
	for _, a := range sortedAttrs(b.Body) {
		if prev, ok := l.locals[a.Name]; ok {
			l.errorf(a.NameRange, "Duplicate local value",
				"A local value named %q was already defined at %s. Local value names must be unique.", a.Name, rangeString(prev.attr.NameRange))
			continue
		}
		n := &localNode{name: a.Name, attr: a}
		l.locals[a.Name] = n
		l.localOrder = append(l.localOrder, n)
	}
}

func (l *loader) declareResource(b *hclsyntax.Block) {
	kind, _ := model.ParseKind(b.Type)
	label := b.Labels[0]
	if !hclsyntax.ValidIdentifier(label) {
		l.errorf(b.LabelRanges[0], "Invalid "+b.Type+" label",
			"The label %q cannot be used in references: a label must start with a letter or underscore and may contain only letters, digits, underscores and dashes. Use a valid label and set the Pub/Sub name with the name argument, e.g. name = %q.", label, label)
		return
	}
	if prev, ok := l.resources[kind][label]; ok {
		l.errorf(b.LabelRanges[0], "Duplicate "+b.Type,
			"A %s labelled %q was already declared at %s. Labels must be unique within a kind.", b.Type, label, rangeString(prev.block.LabelRanges[0]))
		return
	}
	n := &resourceNode{kind: kind, label: label, block: b}
	l.resources[kind][label] = n
	l.resOrder = append(l.resOrder, n)
}

// cycle reports that name, which is being evaluated, was needed again.
func (l *loader) cycle(name string, at hcl.Range) {
	i := len(l.stack) - 1
	for i >= 0 && l.stack[i] != name {
		i--
	}
	if i < 0 {
		i = 0
	}
	chain := append(append([]string(nil), l.stack[i:]...), name)
	l.errorf(at, "Cycle in references",
		"%s refers to itself: %s. Break the cycle by writing one of these values directly.", name, strings.Join(chain, " → "))
}

// resolveLocal evaluates a local value once.
func (l *loader) resolveLocal(n *localNode, at hcl.Range) cty.Value {
	switch n.state {
	case done:
		return n.val
	case visiting:
		l.cycle("local."+n.name, at)
		return cty.DynamicVal
	}
	n.state = visiting
	l.stack = append(l.stack, "local."+n.name)
	v, ok := l.eval(n.attr.Expr, scope{roots: rootAll, where: "a local value"})
	// After eval, which resolved the locals this one refers to.
	n.sensitive = l.refsSensitive(n.attr.Expr)
	if !ok {
		v = cty.DynamicVal
	}
	n.val = v
	n.state = done
	l.stack = l.stack[:len(l.stack)-1]
	return v
}

// resolveProject works out the project: --project, then the pubsubctl
// block's project argument, then PUBSUBCTL_PROJECT, then
// GOOGLE_CLOUD_PROJECT.
func (l *loader) resolveProject(at hcl.Range) (string, bool) {
	switch l.projectState {
	case done:
		return l.project, l.projectOK
	case visiting:
		l.cycle("pubsubctl.project", at)
		return "", false
	}
	l.projectState = visiting
	l.stack = append(l.stack, "pubsubctl.project")
	defer func() {
		l.projectState = done
		l.stack = l.stack[:len(l.stack)-1]
	}()
	var fromBlock string
	var fromBlockRange hcl.Range
	blockFailed := false
	if l.pubsubctl != nil {
		if a := l.pubsubctl.Body.Attributes["project"]; a != nil {
			v, ok := l.eval(a.Expr, scope{roots: rootAll, where: "the project argument"})
			switch {
			case ok && !l.checkNotSensitive(a, "project", whyProject):
				blockFailed = true
			case !ok:
				blockFailed = true
			case v.IsNull():
			case v.Type() != cty.String:
				l.typeError(a, "string", v)
				blockFailed = true
			default:
				fromBlock, fromBlockRange = v.AsString(), a.Expr.Range()
			}
		}
	}
	switch {
	case l.opts.Project != "":
		l.project = l.opts.Project
	case fromBlock != "":
		l.project = fromBlock
		l.projectRange = &fromBlockRange
	case blockFailed:
		return "", false
	case l.env[EnvProject] != "":
		l.project = l.env[EnvProject]
	case l.env[EnvGoogleProject] != "":
		l.project = l.env[EnvGoogleProject]
	case l.pubsubctl == nil:
		// The missing block was reported; check the rest with a
		// placeholder.
		l.project = placeholderProject
	default:
		l.errorf(l.pubsubctl.TypeRange, "No project set",
			"pubsubctl needs the Google Cloud project to manage. Set it with --project, with project = \"...\" in the pubsubctl block, or with the %s or %s environment variable.", EnvProject, EnvGoogleProject)
		return "", false
	}
	l.projectOK = true
	return l.project, true
}

// resolveResource works out a resource's instances and names once.
func (l *loader) resolveResource(n *resourceNode, at hcl.Range) cty.Value {
	switch n.state {
	case done:
		return n.ref
	case visiting:
		l.cycle(n.String(), at)
		return cty.DynamicVal
	}
	n.state = visiting
	l.stack = append(l.stack, n.String())
	defer func() {
		n.state = done
		l.stack = l.stack[:len(l.stack)-1]
	}()
	n.ref = cty.DynamicVal
	project, _ := l.resolveProject(at)
	body := n.block.Body
	nameAttr := body.Attributes["name"]
	fe := body.Attributes["for_each"]
	if nameAttr != nil && !l.checkNotSensitive(nameAttr, "name", whyName) {
		return n.ref
	}
	if fe == nil {
		if !l.countInstances(n, 1, n.block.DefRange()) {
			return n.ref
		}
		inst := &instance{name: n.label, ok: true}
		if nameAttr != nil {
			inst.name, inst.ok = l.instanceName(n, nameAttr, inst)
		}
		n.instances = []*instance{inst}
		if inst.ok {
			n.ref = cty.StringVal(model.FullName(project, n.kind, inst.name))
		}
		return n.ref
	}
	n.forEach = true
	v, ok := l.eval(fe.Expr, scope{roots: rootAll, where: "for_each"})
	if !ok {
		return n.ref
	}
	if !l.checkNotSensitive(fe, "for_each", whyForEach) {
		return n.ref
	}
	insts, ok := l.forEachInstancesOf(fe, v)
	if !ok {
		return n.ref
	}
	if nameAttr == nil {
		l.errorf(fe.NameRange, "Missing name for for_each",
			"%s sets for_each, so every instance needs its own Pub/Sub name: add a name argument that uses each.key, e.g. name = \"%s-${each.key}\".", n, n.label)
		return n.ref
	}
	if !l.countInstances(n, len(insts), fe.Expr.Range()) {
		return n.ref
	}
	names := make(map[string]cty.Value, len(insts))
	for _, inst := range insts {
		inst.name, inst.ok = l.instanceName(n, nameAttr, inst)
		if inst.ok {
			names[inst.key] = cty.StringVal(model.FullName(project, n.kind, inst.name))
		} else {
			names[inst.key] = cty.UnknownVal(cty.String)
		}
	}
	n.instances = insts
	if len(names) == 0 {
		n.ref = cty.MapValEmpty(cty.String)
	} else {
		n.ref = cty.MapVal(names)
	}
	return n.ref
}

func (l *loader) instanceName(n *resourceNode, a *hclsyntax.Attribute, inst *instance) (string, bool) {
	sc := scope{roots: rootAll, where: "the name argument"}
	if inst.hasKey {
		sc.each = inst
	}
	v, ok := l.eval(a.Expr, sc)
	if !ok {
		return "", false
	}
	if v.IsNull() {
		if inst.hasKey {
			l.errorf(a.Expr.Range(), "Invalid name", "The name of %s[%q] is null; every for_each instance needs a name.", n, inst.key)
			return "", false
		}
		return n.label, true
	}
	if v.Type() != cty.String {
		l.typeError(a, "string", v)
		return "", false
	}
	return v.AsString(), true
}

// forEachInstancesOf is forEachInstances, once per local value: every
// block whose for_each is local.<name> gets copies of the same instances.
func (l *loader) forEachInstancesOf(fe *hclsyntax.Attribute, v cty.Value) ([]*instance, bool) {
	ln := l.localRef(fe.Expr)
	if ln == nil || ln.forEach == nil {
		insts, ok := l.forEachInstances(fe, v)
		if ok && ln != nil {
			ln.forEach = insts
		}
		if !ok || ln == nil {
			return insts, ok
		}
	}
	out := make([]*instance, len(ln.forEach))
	for i, inst := range ln.forEach {
		out[i] = &instance{key: inst.key, hasKey: inst.hasKey, each: inst.each}
	}
	return out, true
}

// localRef returns the local that expr is a plain reference to
// (local.<name>, nothing after the name), when that local was evaluated
// without problems; else nil.
func (l *loader) localRef(expr hcl.Expression) *localNode {
	st, ok := hcl.UnwrapExpression(expr).(*hclsyntax.ScopeTraversalExpr)
	if !ok || len(st.Traversal) != 2 || st.Traversal.RootName() != "local" {
		return nil
	}
	name, _, ok := attrStep(st.Traversal)
	if !ok {
		return nil
	}
	n := l.locals[name]
	if n == nil || n.state != done || !n.val.IsKnown() {
		return nil
	}
	return n
}

// forEachInstances turns a for_each value into instances.
func (l *loader) forEachInstances(fe *hclsyntax.Attribute, v cty.Value) ([]*instance, bool) {
	l.forEachEnumerations++
	rng := fe.Expr.Range()
	ty := v.Type()
	if v.IsNull() {
		l.errorf(rng, "Invalid for_each argument", "The for_each value is null; use a map or a set of strings.")
		return nil, false
	}
	if n := lengthOf(v); n > MaxForEachInstances {
		l.errorf(rng, "Too many for_each instances",
			"This for_each has %s keys; at most %s are allowed (Pub/Sub allows at most 10,000 topics, 10,000 subscriptions and 10,000 schemas per project).",
			safefile.FormatCount(int64(n)), safefile.FormatCount(MaxForEachInstances))
		return nil, false
	}
	var out []*instance
	switch {
	case ty.IsSetType() && v.LengthInt() == 0:
		// toset([]) is a set of unknown element type: no instances.
	case ty.IsSetType():
		if !ty.ElementType().Equals(cty.String) {
			l.errorf(rng, "Invalid for_each argument",
				"for_each needs a map or a set of strings; this is a set of %s.", ty.ElementType().FriendlyName())
			return nil, false
		}
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			if e.IsNull() {
				l.errorf(rng, "Invalid for_each argument", "for_each sets must not contain null.")
				return nil, false
			}
			k := e.AsString()
			out = append(out, &instance{key: k, hasKey: true, each: eachValue(k, e)})
		}
	case ty.IsMapType() || ty.IsObjectType():
		for it := v.ElementIterator(); it.Next(); {
			kv, e := it.Element()
			k := kv.AsString()
			out = append(out, &instance{key: k, hasKey: true, each: eachValue(k, e)})
		}
	case ty.IsListType() || ty.IsTupleType():
		l.errorf(rng, "Invalid for_each argument",
			"for_each needs a map or a set of strings, and a list has no keys to name the instances by. Convert it with toset(...).")
		return nil, false
	default:
		l.errorf(rng, "Invalid for_each argument",
			"for_each needs a map or a set of strings; got %s.", ty.FriendlyName())
		return nil, false
	}
	sort.Slice(out, func(i, j int) bool { return out[i].key < out[j].key })
	return out, true
}

// countInstances adds n instances of a resource to its kind's count and
// reports whether the count is still within MaxResourcesPerKind.
func (l *loader) countInstances(n *resourceNode, count int, rng hcl.Range) bool {
	before := l.kindCount[n.kind]
	l.kindCount[n.kind] = before + count
	if before+count <= MaxResourcesPerKind {
		return true
	}
	if before <= MaxResourcesPerKind {
		// Reported once per kind, where the limit was crossed.
		l.errorf(rng, "Too many "+n.kind.Collection(),
			"With %s, this configuration declares more than %s %s; Pub/Sub allows at most %s per project, so it could never be applied.",
			n, safefile.FormatCount(MaxResourcesPerKind), n.kind.Collection(), safefile.FormatCount(MaxResourcesPerKind))
	}
	return false
}

func eachValue(key string, v cty.Value) cty.Value {
	return cty.ObjectVal(map[string]cty.Value{"key": cty.StringVal(key), "value": v})
}

// baseContext is the evaluation context once every local and resource
// name is known.
func (l *loader) baseContext() *hcl.EvalContext {
	locals := map[string]cty.Value{}
	for name, n := range l.locals {
		locals[name] = n.val
	}
	vars := map[string]cty.Value{
		"var":   l.varObj,
		"local": cty.ObjectVal(locals),
	}
	for kind, nodes := range l.resources {
		m := map[string]cty.Value{}
		for label, n := range nodes {
			m[label] = n.ref
		}
		vars[kind.String()] = cty.ObjectVal(m)
	}
	return &hcl.EvalContext{Variables: vars, Functions: l.funcs}
}

// eval checks the references of expr, resolves what they need, and
// evaluates it. ok is false when evaluation failed (a diagnostic was
// reported) or depended on a value that failed earlier; the caller must
// then ignore the expression.
func (l *loader) eval(expr hcl.Expression, sc scope) (cty.Value, bool) {
	// Once every name is resolved, an expression that does not use each
	// has the same value for every for_each instance: evaluate it once.
	// (Its diagnostics would be the same too, and are reported once.)
	memo := l.base != nil && !l.usesEach(expr)
	if memo {
		if m, ok := l.memo[expr]; ok {
			return m.v, m.ok
		}
	}
	v, ok := l.evalOnce(expr, sc)
	if memo {
		if l.memo == nil {
			l.memo = map[hcl.Expression]memoValue{}
		}
		l.memo[expr] = memoValue{v, ok}
	}
	return v, ok
}

type memoValue struct {
	v  cty.Value
	ok bool
}

// usesEach reports whether an expression refers to each.key or each.value.
func (l *loader) usesEach(expr hcl.Expression) bool {
	if u, ok := l.eachMemo[expr]; ok {
		return u
	}
	u := false
	for _, t := range expr.Variables() {
		if t.RootName() == "each" {
			u = true
			break
		}
	}
	if l.eachMemo == nil {
		l.eachMemo = map[hcl.Expression]bool{}
	}
	l.eachMemo[expr] = u
	return u
}

func (l *loader) evalOnce(expr hcl.Expression, sc scope) (cty.Value, bool) {
	ctx, ok := l.context(expr, sc)
	if !ok {
		return cty.DynamicVal, false
	}
	v, ds := expr.Value(ctx)
	if len(ds) > 0 {
		sensitive := l.refsSensitive(expr)
		if sensitive {
			l.addSensitiveRange(expr.Range())
		}
		for _, d := range ds {
			fixLimitDiag(d)
			if sensitive || isInternalExpr(d.Expression) {
				d.Expression, d.EvalContext = nil, nil
			}
		}
	}
	l.addAll(ds)
	if ds.HasErrors() || !l.whollyKnown(expr, v) {
		return cty.DynamicVal, false
	}
	if _, isRef := hcl.UnwrapExpression(expr).(*hclsyntax.ScopeTraversalExpr); !isRef {
		// References are parts of values checked when they were made.
		if err := checkValue(v); err != nil {
			l.limitError(expr.Range(), err)
			return cty.DynamicVal, false
		}
	}
	return v, true
}

// whollyKnown is v.IsWhollyKnown() for the value of expr, without looking
// into a plain reference to a local: a local's value is either wholly known
// (it was checked here when it was evaluated) or unknown. Looking into a
// set sorts it, so checking local.names again for every block that uses it
// would cost more than its resources.
func (l *loader) whollyKnown(expr hcl.Expression, v cty.Value) bool {
	if l.localRef(expr) != nil {
		return v.IsKnown()
	}
	return v.IsWhollyKnown()
}

// limitError reports an exceeded limit at rng.
func (l *loader) limitError(rng hcl.Range, err error) {
	summary, detail := "Limit exceeded", err.Error()
	var le *limitError
	if errors.As(err, &le) {
		summary, detail = le.summary, le.detail+"."
	}
	l.errorf(rng, summary, "%s", detail)
}

// isInternalExpr reports whether an expression is one of instrument's
// internal calls, whose "with ..." values would only confuse.
func isInternalExpr(e hcl.Expression) bool {
	se, ok := e.(hclsyntax.Expression)
	return ok && isInternalCall(se)
}
