package config

import (
	"github.com/hashicorp/hcl/v2"

	"github.com/pubsubctl/pubsubctl/iam"
	"github.com/pubsubctl/pubsubctl/model"
)

// validateModel runs the network-free rules on a decoded configuration
// whose defaults have been applied: the value rules of package model
// (names, ranges, formats, filter syntax, duplicate names), then the IAM
// lint of package iam, sorted together by position. It is a variable so
// that decoding tests can check the model without depending on every
// value rule.
var validateModel = func(c *model.Config) hcl.Diagnostics {
	return model.SortDiagnostics(append(model.Validate(c), iam.Lint(c)...))
}
