package config

import "github.com/pubsubctl/pubsubctl/model"

// validateModel runs the network-free value rules of package model (names,
// ranges, formats, IAM lint, filter syntax, duplicate names) on a decoded
// configuration whose defaults have been applied. It is a variable so that
// decoding tests can check the model without depending on every value rule.
var validateModel = model.Validate
