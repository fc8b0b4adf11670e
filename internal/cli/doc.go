// Package cli owns pubsubctl's command line: the kong grammar, one file per
// command, how each command wires configuration loading, live reads,
// planning, rendering and applying together, and the exit codes (0 ok,
// 1 errors, 2 usage errors or, with --detailed-exitcode, changes present).
package cli
