package config

import "github.com/hashicorp/hcl/v2/hclwrite"

// Format returns the canonical hclwrite formatting of src (for
// `pubsubctl fmt`). It never fails: source that does not parse is
// formatted token by token as far as possible.
func Format(src []byte) []byte {
	return hclwrite.Format(src)
}
