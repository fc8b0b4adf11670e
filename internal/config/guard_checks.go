package config

import (
	"regexp"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/pubsubctl/pubsubctl/internal/safefile"
)

// ---- pre-checks --------------------------------------------------------------

func strLen(v cty.Value) int64 {
	v, ok := concrete(v)
	if !ok || v.Type() != cty.String {
		return 0
	}
	return int64(len(v.AsString()))
}

func errWouldBeTooLong(what string) error {
	return limitErrorf("String too long", "The result of %s would be longer than %s, the limit for any string value", what, safefile.FormatBytes(MaxStringBytes))
}

func checkJoin(args []cty.Value) error {
	if len(args) < 1 {
		return nil
	}
	sep := strLen(args[0])
	total := int64(0)
	for _, list := range args[1:] {
		if lengthOf(list) == 0 {
			continue
		}
		for it := list.ElementIterator(); it.Next(); {
			_, e := it.Element()
			total += strLen(e) + sep
			if total > MaxStringBytes+sep {
				return errWouldBeTooLong("join")
			}
		}
	}
	return nil
}

// formatSize estimates the length of format(args...) from above: the
// format string, every argument's text and the widest padding of every
// verb.
func formatSize(args []cty.Value) int64 {
	if len(args) == 0 {
		return 0
	}
	f := strLen(args[0])
	verbs := int64(0)
	if args[0].IsKnown() && !args[0].IsNull() && args[0].Type() == cty.String {
		verbs = int64(strings.Count(args[0].AsString(), "%"))
	}
	total := f + verbs*10000
	for _, a := range args[1:] {
		total += textBound.of(a)
	}
	return total
}

// jsonStringSize is the length of s as a JSON string, at most: 6 bytes
// for each byte Go's encoder escapes as \u00XX.
func jsonStringSize(s string) int64 {
	n := int64(2)
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20 || c == '<' || c == '>' || c == '&' || c == 0xe2:
			n += 6
		default:
			n++
		}
	}
	return n
}

func checkFormat(args []cty.Value) error {
	if formatSize(args) > MaxStringBytes {
		return errWouldBeTooLong("format")
	}
	return nil
}

func checkFormatList(args []cty.Value) error {
	n := int64(1)
	for _, a := range args[1:] {
		if l := int64(lengthOf(a)); l > n {
			n = l
		}
	}
	if n > MaxValueElements {
		return errTooManyElements()
	}
	if formatSize(args)*n > MaxBuiltBytes {
		return limitErrorf("Too much text built", "The result of formatlist would be larger than %s, the limit for all strings built by one configuration", safefile.FormatBytes(MaxBuiltBytes))
	}
	return nil
}

func checkReplace(args []cty.Value) error {
	if len(args) != 3 {
		return nil
	}
	for _, a := range args {
		if !a.IsKnown() || a.IsNull() || a.Type() != cty.String {
			return nil
		}
	}
	str, substr, repl := args[0].AsString(), args[1].AsString(), args[2].AsString()
	var matches int64
	perMatch := int64(len(repl))
	if len(substr) > 1 && substr[0] == '/' && substr[len(substr)-1] == '/' {
		re, err := regexp.Compile(substr[1 : len(substr)-1])
		if err != nil {
			return nil // replace reports it
		}
		matches = int64(len(re.FindAllStringIndex(str, -1)))
		// $0, ${1} ... can each repeat a match, at most the whole string.
		perMatch += int64(strings.Count(repl, "$")) * int64(len(str))
	} else {
		matches = int64(strings.Count(str, substr))
	}
	if int64(len(str))+matches*perMatch > MaxStringBytes {
		return errWouldBeTooLong("replace")
	}
	return nil
}

func checkJSONEncode(args []cty.Value) error {
	if len(args) == 1 && textBound.of(args[0]) > MaxStringBytes {
		return errWouldBeTooLong("jsonencode")
	}
	return nil
}

func checkJSONDecode(args []cty.Value) error {
	if len(args) != 1 || !args[0].IsKnown() || args[0].IsNull() || args[0].Type() != cty.String {
		return nil
	}
	src := []byte(args[0].AsString())
	tokens, d := scanSource(src, "", hcl.InitialPos, scanJSON, 2*MaxValueElements)
	if d != nil {
		if d.Summary == "Nesting too deep" {
			return limitErrorf("Nesting too deep", "The JSON text nests brackets and braces more than %d levels deep", MaxNestingDepth)
		}
		return errTooManyElements()
	}
	_ = tokens
	return nil
}

func checkSplit(args []cty.Value) error {
	if len(args) != 2 || strLen(args[1]) == 0 {
		return nil
	}
	if !args[0].IsKnown() || args[0].IsNull() || args[0].Type() != cty.String {
		return nil
	}
	if strings.Count(args[1].AsString(), args[0].AsString())+1 > MaxValueElements {
		return errTooManyElements()
	}
	return nil
}

func checkSumLengths(args []cty.Value) error {
	total := 0
	for _, a := range args {
		total += lengthOf(a)
		if total > MaxValueElements {
			return errTooManyElements()
		}
	}
	return nil
}

func checkFlatten(args []cty.Value) error {
	n := 0
	var count func(v cty.Value) bool
	count = func(v cty.Value) bool {
		ty := v.Type()
		if !v.IsKnown() || v.IsNull() || !(ty.IsListType() || ty.IsSetType() || ty.IsTupleType()) {
			n++
			return n <= MaxValueElements
		}
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			if !count(e) {
				return false
			}
		}
		return true
	}
	for _, a := range args {
		if !count(a) {
			return errTooManyElements()
		}
	}
	return nil
}
