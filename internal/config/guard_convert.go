package config

import (
	"fmt"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// fastConvert converts a large tuple to a list or set, or a large object
// to a map, in linear time when want asks for one; anything else is
// returned as is, for cty to convert. Small values are left to cty too,
// so that its error messages stay as they are.
func fastConvert(v cty.Value, want cty.Type) (cty.Value, bool, error) {
	const small = 64
	if v.IsMarked() || !v.IsKnown() || v.IsNull() {
		return v, false, nil
	}
	ty := v.Type()
	toList := (want.IsListType() || want.IsSetType()) && ty.IsTupleType()
	toMap := want.IsMapType() && ty.IsObjectType()
	if !toList && !toMap || v.LengthInt() < small || !v.IsWhollyKnown() {
		return v, false, nil
	}
	et := want.ElementType()
	target := et
	if et == cty.DynamicPseudoType || et.HasDynamicTypes() {
		// Unify the distinct element types, as cty would, but without
		// comparing every element with every other.
		var distinct []cty.Type
	elems:
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			t := e.Type()
			for _, d := range distinct {
				if d.Equals(t) {
					continue elems
				}
			}
			distinct = append(distinct, t)
			if len(distinct) > 16 {
				return cty.NilVal, false, fmt.Errorf("the %d elements have too many different types to make a %s of them", v.LengthInt(), friendlyCollection(want))
			}
		}
		if len(distinct) == 1 {
			target = distinct[0]
		} else {
			target, _ = convert.UnifyUnsafe(distinct)
			if target == cty.NilType {
				return cty.NilVal, false, fmt.Errorf("the elements have types that cannot be unified into a %s", friendlyCollection(want))
			}
		}
		if target.HasDynamicTypes() {
			return v, false, nil
		}
	}
	i := 0
	list := make([]cty.Value, 0, v.LengthInt())
	m := map[string]cty.Value{}
	for it := v.ElementIterator(); it.Next(); i++ {
		k, e := it.Element()
		if !e.Type().Equals(target) {
			c, err := convert.Convert(e, target)
			if err != nil {
				if toMap {
					return cty.NilVal, false, fmt.Errorf("element %q: %s", k.AsString(), err)
				}
				return cty.NilVal, false, fmt.Errorf("element %d: %s", i, err)
			}
			e = c
		}
		if !e.Type().Equals(target) {
			return v, false, nil
		}
		if toMap {
			m[k.AsString()] = e
		} else {
			list = append(list, e)
		}
	}
	if toMap {
		return cty.MapVal(m), true, nil
	}
	return cty.ListVal(list), true, nil
}

func friendlyCollection(t cty.Type) string {
	switch {
	case t.IsListType():
		return "list"
	case t.IsSetType():
		return "set"
	case t.IsMapType():
		return "map"
	}
	return t.FriendlyName()
}

// convertValue converts a value to a type like convert.Convert, but
// converts large collections element by element in linear time.
func convertValue(v cty.Value, want cty.Type) (cty.Value, error) {
	if v.IsMarked() || !v.IsKnown() || v.IsNull() {
		return convert.Convert(v, want)
	}
	ty := v.Type()
	switch {
	case (want.IsListType() || want.IsSetType()) && ty.IsTupleType() && v.LengthInt() >= 64,
		want.IsMapType() && ty.IsObjectType() && v.LengthInt() >= 64:
		et := want.ElementType()
		if !et.HasDynamicTypes() {
			// Convert the elements first (they may be large themselves).
			i := 0
			list := make([]cty.Value, 0, v.LengthInt())
			m := map[string]cty.Value{}
			for it := v.ElementIterator(); it.Next(); i++ {
				k, e := it.Element()
				c, err := convertValue(e, et)
				if err != nil {
					if want.IsMapType() {
						return cty.NilVal, fmt.Errorf("element %q: %s", k.AsString(), err)
					}
					return cty.NilVal, fmt.Errorf("element %d: %s", i, err)
				}
				if want.IsMapType() {
					m[k.AsString()] = c
				} else {
					list = append(list, c)
				}
			}
			if want.IsMapType() {
				if !cty.CanMapVal(m) {
					return convert.Convert(v, want)
				}
				return cty.MapVal(m), nil
			}
			if !cty.CanListVal(list) {
				return convert.Convert(v, want)
			}
			return convert.Convert(cty.ListVal(list), want)
		}
		c, _, err := fastConvert(v, want)
		if err != nil {
			return cty.NilVal, err
		}
		return convert.Convert(c, want)
	}
	return convert.Convert(v, want)
}
