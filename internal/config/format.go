package config

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclwrite"
)

// Format returns the canonical hclwrite formatting of src (for
// `pubsubctl fmt`). It never fails: source that does not parse is
// formatted token by token as far as possible. Check the source with
// CheckSource first: formatting is as bounded as parsing only for source
// within the limits.
func Format(src []byte) []byte {
	return hclwrite.Format(src)
}

// CheckSource checks a configuration file's text against the limits the
// parser needs (MaxNestingDepth, MaxOperatorChain, MaxFileTokens) without
// parsing it; call it before hclsyntax.ParseConfig, which would otherwise
// overflow the stack on 100,000 nested parentheses.
func CheckSource(src []byte, filename string) hcl.Diagnostics {
	if _, d := scanSource(src, filename, hcl.InitialPos, scanHCL, MaxFileTokens); d != nil {
		return hcl.Diagnostics{d}
	}
	return nil
}
