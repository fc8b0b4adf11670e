package model

import "github.com/hashicorp/hcl/v2"

// Output is a value a configuration declares for the applications that use
// its resources (an `output "NAME" { value = ... }` block, like
// Terraform's): `pubsubctl output` prints it next to the resolved names of
// every resource.
type Output struct {
	Name        string `json:"name"`
	Value       string `json:"value"` // a string, number or bool, as text
	Description string `json:"description,omitempty"`
	// Sensitive outputs derive from a sensitive variable (and must say
	// sensitive = true): their value is never printed.
	Sensitive bool      `json:"sensitive,omitempty"`
	Range     hcl.Range `json:"-"` // the value expression
	DeclRange hcl.Range `json:"-"` // the block's label
}
