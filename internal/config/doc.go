// Package config owns the pubsubctl configuration language: it reads a
// directory of *.hcl files, resolves input variables (defaults, --var-file,
// PUBSUBCTL_VAR_<name>, --var), locals, functions, for_each and references
// between resources, and decodes the result into a model.Config plus the
// configuration's model.Defaults. Every problem is reported as an
// hcl.Diagnostic with a source range, and unknown names come with a
// "Did you mean ...?" suggestion.
//
// The package does not talk to Pub/Sub and does not judge values beyond
// their types: value rules (name formats, ranges, IAM lint, filter syntax)
// live in model.Validate, which Load runs once decoding succeeded.
//
// Format is the canonical formatter behind `pubsubctl fmt`.
package config
