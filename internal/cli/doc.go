// Package cli owns pubsubctl's command line: the kong grammar, one file per
// command, the one pipeline they share (pipeline.go: load, connect, read,
// plan; apply's executor runs the plan), the output filter that keeps
// sensitive values out of every stream (redact.go), and the exit codes
// (0 ok, 1 errors, 2 usage errors or, with --detailed-exitcode, changes
// present).
package cli
