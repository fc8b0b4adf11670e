package config

import (
	"fmt"
	"math/big"
	"strings"

	"github.com/pubsubctl/pubsubctl/internal/safefile"
	"github.com/pubsubctl/pubsubctl/model"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// Limits. Every input pubsubctl reads is bounded, so that no configuration,
// variable file or --var value can exhaust memory, overflow the stack or
// run for minutes; going over a limit is an ordinary error diagnostic.
// docs/language.md ("Limits") explains each value; keep the two in step.
const (
	// MaxFileBytes bounds every file read as configuration: *.hcl files,
	// --var-file files. A real configuration is a few kilobytes to a few
	// hundred; the parser needs about 200 bytes of memory per token.
	MaxFileBytes = 4 << 20

	// MaxFileTokens bounds the tokens (names, numbers, strings, operators,
	// brackets) of one file, and MaxConfigTokens those of all files and
	// variable files together: the parser holds every token of a file in
	// memory at once (~200 bytes each while parsing) and keeps a syntax
	// tree of all files. 500,000 tokens are enough to write out 10,000
	// topics and 10,000 subscriptions one by one.
	MaxFileTokens   = 200_000
	MaxConfigTokens = 500_000

	// MaxNestingDepth bounds how deeply brackets, braces, parentheses,
	// "${...}" interpolations and %{if}/%{for} directives nest. The HCL
	// parser recurses once per level; without a bound 100,000 "(" overflow
	// the stack.
	MaxNestingDepth = 100

	// MaxOperatorChain bounds the operators (+ - * / % == != < > && || !
	// ?: and postfix [index]) in a row within one expression: the parser
	// builds one nested node per operator, and evaluation recurses
	// through them.
	MaxOperatorChain = 1000

	// MaxStringBytes bounds every string value: literals, interpolation
	// results, function results, variable values and file(). Pub/Sub's
	// longest string field, a schema definition, is limited to 300 KB.
	MaxStringBytes = 1 << 20

	// MaxValueElements bounds the elements of any list, set, map, tuple or
	// object value, nested elements included: a for_each may have at
	// most MaxForEachInstances keys, and no other value needs more.
	MaxValueElements = 100_000

	// MaxForIterations bounds the iterations of all for expressions of one
	// configuration together (nested loops multiply). An iteration costs
	// up to ~15µs; an expression that does not use each.key or each.value
	// is evaluated once, not once per for_each instance.
	MaxForIterations = 50_000

	// MaxBuiltBytes bounds the bytes of all strings built while
	// evaluating one configuration (string templates, join, format,
	// replace, jsonencode and other string functions): a loop can build
	// many strings below MaxStringBytes each.
	MaxBuiltBytes = 64 << 20

	// MaxDecodedBytes bounds the total size of the strings decoded into
	// resources (names, labels, filters, definitions, members ...,
	// counted once per resource that uses them). Every later step
	// (validation messages, plans) is proportional to it.
	MaxDecodedBytes = 16 << 20

	// MaxForEachInstances bounds the keys of one for_each, and
	// MaxResourcesPerKind the topics, subscriptions and schemas a
	// configuration declares: Pub/Sub allows at most 10,000 topics,
	// 10,000 subscriptions and 10,000 schemas per project
	// (model.QuotaPerProject), so a configuration that declares more can
	// never be applied. The dead-letter topics and subscriptions pubsubctl
	// derives are not counted here (at most one of each per declared
	// subscription, so the work stays bounded: 40,000 topics and
	// subscriptions at most); model.Validate warns when they take a kind
	// over the quota.
	MaxForEachInstances = model.QuotaPerProject
	MaxResourcesPerKind = model.QuotaPerProject

	// maxNumberExp bounds the binary exponent of numbers: about ±1e308,
	// the range of a float64. Larger numbers are almost always mistakes
	// and turning 1e600000000 into text would take gigabytes.
	maxNumberExp = 1024
)

// limitSep separates the summary and detail of a limitError in its text,
// so that the summary survives HCL's "Call to function ... failed: %s"
// wrapping of function errors.
const limitSep = "\x1f"

// limitError is an exceeded limit.
type limitError struct {
	summary, detail string
}

func (e *limitError) Error() string { return e.summary + limitSep + e.detail }

func limitErrorf(summary, format string, args ...any) error {
	return &limitError{summary: summary, detail: fmt.Sprintf(format, args...)}
}

// fixLimitDiag turns a diagnostic that wraps a limitError (a function or
// operation that failed on a limit) into a plain one: summary from the
// error, detail without HCL's wrapping, and no "with ..." values, which
// might be the huge value itself.
func fixLimitDiag(d *hcl.Diagnostic) {
	i := strings.Index(d.Detail, limitSep)
	if i < 0 {
		return
	}
	// The summary is the text between the wrapping prefix (which ends in
	// ": ") and the separator.
	head := d.Detail[:i]
	if j := strings.LastIndex(head, ": "); j >= 0 {
		head = head[j+2:]
	}
	detail := strings.TrimSuffix(d.Detail[i+len(limitSep):], ".") + "."
	d.Summary, d.Detail = head, detail
	d.Expression, d.EvalContext = nil, nil
}

// numberProblem says what is wrong with a number, or "" when it is within
// range.
func numberProblem(bf *big.Float) string {
	if bf.IsInf() {
		return "is infinite"
	}
	if bf.Sign() == 0 {
		return ""
	}
	if exp := bf.MantExp(nil); exp > maxNumberExp || exp < -maxNumberExp {
		if exp > 0 {
			return "is too large"
		}
		return "is too close to zero"
	}
	return ""
}

// numberRange says which numbers are accepted.
const numberRange = "pubsubctl accepts 0 and numbers from about 1e-308 to 1e308 in absolute value (the range of a 64-bit floating-point number)"

// checkValue checks a value against MaxStringBytes, MaxValueElements and
// the number range. It stops at the first problem, so its cost is bounded
// by the limits, not by the value.
func checkValue(v cty.Value) error {
	n := 0
	return checkValueRec(v, &n)
}

func checkValueRec(v cty.Value, n *int) error {
	v, ok := concrete(v)
	if !ok {
		return nil
	}
	ty := v.Type()
	switch {
	case ty == cty.String:
		if l := len(v.AsString()); l > MaxStringBytes {
			return errStringTooLong(int64(l))
		}
	case ty == cty.Number:
		if p := numberProblem(v.AsBigFloat()); p != "" {
			return limitErrorf("Number out of range", "The number %s: %s", p, numberRange)
		}
	case ty.IsListType() || ty.IsSetType() || ty.IsMapType() || ty.IsTupleType() || ty.IsObjectType():
		*n += v.LengthInt()
		if *n > MaxValueElements {
			return errTooManyElements()
		}
		if ty.IsSetType() && ty.ElementType().IsPrimitiveType() {
			// Iterating a set sorts it, which costs more than everything
			// else here. Its strings and numbers were checked where they
			// were made: literals by instrument, templates and functions
			// by their guards, variable values when they were set.
			return nil
		}
		for it := v.ElementIterator(); it.Next(); {
			k, e := it.Element()
			if ty.IsMapType() {
				if err := checkValueRec(k, n); err != nil {
					return err
				}
			}
			if err := checkValueRec(e, n); err != nil {
				return err
			}
		}
	}
	return nil
}

func errStringTooLong(n int64) error {
	return limitErrorf("String too long",
		"This value is a string of %s; the limit for any string value is %s (Pub/Sub's longest string, a schema definition, may have 300 KB)",
		safefile.FormatBytes(n), safefile.FormatBytes(MaxStringBytes))
}

func errTooManyElements() error {
	return limitErrorf("Value too large",
		"This value has more than %s elements (nested elements included), the limit for any list, set, map or object", safefile.FormatCount(MaxValueElements))
}

// concrete is v without its marks, and whether it is known and not null:
// the values whose contents the limits and size estimates look at.
func concrete(v cty.Value) (cty.Value, bool) {
	v, _ = v.Unmark()
	return v, v.IsKnown() && !v.IsNull()
}

// lengthOf is the number of elements of a known collection or structural
// value, and 0 for anything else.
func lengthOf(v cty.Value) int {
	v, ok := concrete(v)
	if !ok {
		return 0
	}
	ty := v.Type()
	if ty.IsListType() || ty.IsSetType() || ty.IsMapType() || ty.IsTupleType() || ty.IsObjectType() {
		return v.LengthInt()
	}
	return 0
}
