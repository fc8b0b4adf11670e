package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2/ext/tryfunc"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

// maxFileSize bounds what file() reads: schema definitions are small, and a
// configuration must never be able to make pubsubctl read a device or a
// huge file into memory.
const maxFileSize = 4 << 20

// functions returns the functions available in expressions. file() reads
// paths relative to dir.
func functions(dir string) map[string]function.Function {
	return map[string]function.Function{
		"abs":          stdlib.AbsoluteFunc,
		"can":          tryfunc.CanFunc,
		"ceil":         stdlib.CeilFunc,
		"chomp":        stdlib.ChompFunc,
		"coalesce":     coalesceFunc,
		"coalescelist": stdlib.CoalesceListFunc,
		"compact":      stdlib.CompactFunc,
		"concat":       stdlib.ConcatFunc,
		"contains":     stdlib.ContainsFunc,
		"distinct":     stdlib.DistinctFunc,
		"element":      stdlib.ElementFunc,
		"endswith":     endsWithFunc,
		"file":         fileFunc(dir),
		"flatten":      stdlib.FlattenFunc,
		"floor":        stdlib.FloorFunc,
		"format":       guardFormat(stdlib.FormatFunc),
		"formatlist":   guardFormat(stdlib.FormatListFunc),
		"join":         stdlib.JoinFunc,
		"jsondecode":   stdlib.JSONDecodeFunc,
		"jsonencode":   stdlib.JSONEncodeFunc,
		"keys":         stdlib.KeysFunc,
		"length":       lengthFunc,
		"lookup":       stdlib.LookupFunc,
		"lower":        stdlib.LowerFunc,
		"max":          stdlib.MaxFunc,
		"merge":        stdlib.MergeFunc,
		"min":          stdlib.MinFunc,
		"range":        stdlib.RangeFunc,
		"replace":      stdlib.ReplaceFunc,
		"reverse":      stdlib.ReverseListFunc,
		"setunion":     stdlib.SetUnionFunc,
		"sort":         stdlib.SortFunc,
		"split":        stdlib.SplitFunc,
		"startswith":   startsWithFunc,
		"substr":       stdlib.SubstrFunc,
		"title":        stdlib.TitleFunc,
		"tobool":       stdlib.MakeToFunc(cty.Bool),
		"tolist":       stdlib.MakeToFunc(cty.List(cty.DynamicPseudoType)),
		"tomap":        stdlib.MakeToFunc(cty.Map(cty.DynamicPseudoType)),
		"tonumber":     stdlib.MakeToFunc(cty.Number),
		"toset":        stdlib.MakeToFunc(cty.Set(cty.DynamicPseudoType)),
		"tostring":     stdlib.MakeToFunc(cty.String),
		"trim":         stdlib.TrimFunc,
		"trimprefix":   stdlib.TrimPrefixFunc,
		"trimspace":    stdlib.TrimSpaceFunc,
		"trimsuffix":   stdlib.TrimSuffixFunc,
		"try":          tryfunc.TryFunc,
		"upper":        stdlib.UpperFunc,
		"values":       stdlib.ValuesFunc,
		"zipmap":       stdlib.ZipmapFunc,
	}
}

// fileFunc returns file(path): the contents of a UTF-8 text file, with
// relative paths resolved against the configuration directory.
func fileFunc(dir string) function.Function {
	return function.New(&function.Spec{
		Description: "Reads the contents of a UTF-8 text file; relative paths are resolved against the configuration directory.",
		Params:      []function.Parameter{{Name: "path", Type: cty.String}},
		Type:        function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			p := args[0].AsString()
			if p == "" {
				return cty.NilVal, fmt.Errorf("the path is empty")
			}
			full := p
			if !filepath.IsAbs(p) {
				full = filepath.Join(dir, p)
			}
			fi, err := os.Stat(full)
			if err != nil {
				if os.IsNotExist(err) {
					return cty.NilVal, fmt.Errorf("no file exists at %q (relative paths are resolved against the configuration directory %q)", p, dir)
				}
				return cty.NilVal, fmt.Errorf("cannot read %q: %v", p, err)
			}
			if !fi.Mode().IsRegular() {
				return cty.NilVal, fmt.Errorf("%q is not a regular file", p)
			}
			if fi.Size() > maxFileSize {
				return cty.NilVal, fmt.Errorf("%q is larger than %d bytes", p, maxFileSize)
			}
			b, err := os.ReadFile(full)
			if err != nil {
				return cty.NilVal, fmt.Errorf("cannot read %q: %v", p, err)
			}
			if len(b) > maxFileSize {
				return cty.NilVal, fmt.Errorf("%q is larger than %d bytes", p, maxFileSize)
			}
			if !utf8.Valid(b) {
				return cty.NilVal, fmt.Errorf("%q is not valid UTF-8 text", p)
			}
			return cty.StringVal(string(b)), nil
		},
	})
}

// lengthFunc is length() for collections, structural values and strings
// (counted in Unicode grapheme clusters, like Terraform).
var lengthFunc = function.New(&function.Spec{
	Description: "Returns the number of elements of a collection or the number of characters of a string.",
	Params: []function.Parameter{{
		Name:             "value",
		Type:             cty.DynamicPseudoType,
		AllowDynamicType: true,
		AllowUnknown:     true,
	}},
	Type: function.StaticReturnType(cty.Number),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		v := args[0]
		ty := v.Type()
		switch {
		case v.IsNull():
			return cty.NilVal, fmt.Errorf("argument must not be null")
		case !v.IsKnown():
			return cty.UnknownVal(cty.Number), nil
		case ty == cty.String:
			return stdlib.Strlen(v)
		case ty.IsListType() || ty.IsSetType() || ty.IsMapType() || ty.IsTupleType() || ty.IsObjectType():
			return v.Length(), nil
		}
		return cty.NilVal, fmt.Errorf("argument must be a string, a collection type, or a structural type")
	},
})

// coalesceFunc returns its first argument that is neither null nor an
// empty string (like Terraform's coalesce, unlike cty's, which only skips
// null).
var coalesceFunc = function.New(&function.Spec{
	Description: "Returns the first argument that is neither null nor an empty string.",
	VarParam: &function.Parameter{
		Name:             "vals",
		Type:             cty.DynamicPseudoType,
		AllowUnknown:     true,
		AllowDynamicType: true,
		AllowNull:        true,
	},
	Type: func(args []cty.Value) (cty.Type, error) {
		return stdlib.CoalesceFunc.ReturnTypeForValues(args)
	},
	Impl: func(args []cty.Value, retType cty.Type) (cty.Value, error) {
		for _, a := range args {
			if !a.IsKnown() {
				return cty.UnknownVal(retType), nil
			}
			if a.IsNull() || (a.Type() == cty.String && a.AsString() == "") {
				continue
			}
			return convert.Convert(a, retType)
		}
		return cty.NilVal, fmt.Errorf("no non-null, non-empty-string arguments")
	},
})

var (
	startsWithFunc = affixFunc("Reports whether a string starts with a prefix.", "prefix", strings.HasPrefix)
	endsWithFunc   = affixFunc("Reports whether a string ends with a suffix.", "suffix", strings.HasSuffix)
)

// affixFunc is startswith or endswith: has(str, affix) as a function of
// two strings.
func affixFunc(description, affix string, has func(s, affix string) bool) function.Function {
	return function.New(&function.Spec{
		Description: description,
		Params: []function.Parameter{
			{Name: "str", Type: cty.String},
			{Name: affix, Type: cty.String},
		},
		Type: function.StaticReturnType(cty.Bool),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			return cty.BoolVal(has(args[0].AsString(), args[1].AsString())), nil
		},
	})
}

// guardFormat wraps format/formatlist so that a huge width or precision
// ("%999999999s") is an error instead of an attempt to allocate gigabytes.
func guardFormat(f function.Function) function.Function {
	params := f.Params()
	spec := &function.Spec{
		Description: f.Description(),
		Params:      params,
		VarParam:    f.VarParam(),
		Type: func(args []cty.Value) (cty.Type, error) {
			if err := checkFormatWidths(args); err != nil {
				return cty.NilType, err
			}
			return f.ReturnTypeForValues(args)
		},
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			return f.Call(args)
		},
	}
	return function.New(spec)
}

func checkFormatWidths(args []cty.Value) error {
	if len(args) == 0 || !args[0].IsKnown() || args[0].IsNull() || args[0].Type() != cty.String {
		return nil
	}
	s := args[0].AsString()
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			continue
		}
		if i+1 < len(s) && s[i+1] == '%' {
			i++
			continue
		}
		j := i + 1
		for j < len(s) && strings.IndexByte("-+# 0", s[j]) >= 0 {
			j++
		}
		for part := 0; part < 2; part++ {
			n := 0
			for j < len(s) && s[j] >= '0' && s[j] <= '9' {
				j++
				n++
			}
			if n > 4 {
				return fmt.Errorf("format widths and precisions above 9999 are not supported")
			}
			if j < len(s) && s[j] == '.' {
				j++
				continue
			}
			break
		}
		i = j - 1
	}
	return nil
}
