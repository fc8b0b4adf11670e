// Package cli owns pubsubctl's command line: the kong grammar, one file per
// command, the one pipeline they share (pipeline.go: load, connect, read,
// plan; apply's executor runs the plan), the output filter that keeps
// sensitive values out of every stream (redact.go), Terraform's spellings
// (args.go), and the exit codes (0 ok; 1 any error, usage errors included;
// 2 only "changes present" with plan --detailed-exitcode; 3 fmt --check).
package cli
