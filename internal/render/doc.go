// Package render owns how a plan and configuration diagnostics are shown:
// the Terraform-like human text of `pubsubctl plan` (colour optional,
// provenance of every value with -v), the versioned JSON form documented in
// docs/plan-json.md and docs/plan.schema.json, a Markdown form for
// pull-request comments, HCL diagnostics with source snippets, and apply's
// output: a line per finished operation, the live status line on a
// terminal (Progress) and the summary (ApplySummary).
//
// Renderers only read a *plan.Plan: they never change it, decide nothing
// that apply relies on, and produce byte-for-byte deterministic output for a
// given plan. Colour is held by per-renderer *color.Color instances that are
// enabled or disabled from Options.Color; the package never touches
// color.NoColor or any other global state.
//
// The JSON form is a separate set of types (not json.Marshal of plan.Plan),
// so that the plan package can evolve without breaking its consumers:
// additive changes keep format_version "1", breaking ones bump it.
package render
