package config

import "github.com/zclconf/go-cty/cty"

// A sizeModel measures a value: the bytes its strings take (stringSize,
// for MaxDecodedBytes) or an upper bound of its text as format or
// jsonencode would write it (textBound, for the string functions' guards).
type sizeModel struct {
	str func(string) int64 // a string, and a map or object key
	// unknown, number and other (bool, null) scalars.
	unknown, number, other int64
	// container is the brackets of a collection; elem and key what each
	// element and each key adds besides itself (separators).
	container, elem, key int64
	// stop, when not 0, ends the walk of a collection once its size is
	// above it: the caller only wants to know it is too large.
	stop int64
}

var (
	stringSize = sizeModel{str: func(s string) int64 { return int64(len(s)) }}
	textBound  = sizeModel{str: jsonStringSize, unknown: 4, number: 340, other: 5, container: 2, elem: 1, key: 1, stop: MaxStringBytes * 8}
)

// of measures v.
func (m sizeModel) of(v cty.Value) int64 {
	v, ok := concrete(v)
	if !ok {
		return m.unknown
	}
	ty := v.Type()
	switch {
	case ty == cty.String:
		return m.str(v.AsString())
	case ty == cty.Number:
		return m.number
	case ty.IsListType() || ty.IsSetType() || ty.IsMapType() || ty.IsTupleType() || ty.IsObjectType():
		total := m.container
		keyed := ty.IsMapType() || ty.IsObjectType()
		for it := v.ElementIterator(); it.Next(); {
			k, e := it.Element()
			if keyed {
				total += m.str(k.AsString()) + m.key
			}
			total += m.of(e) + m.elem
			if m.stop > 0 && total > m.stop {
				return total
			}
		}
		return total
	}
	return m.other
}
