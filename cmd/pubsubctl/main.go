// Command pubsubctl is infrastructure-as-code for Google Cloud Pub/Sub.
package main

import (
	"context"
	"os"
	"runtime/debug"
	"slices"

	"github.com/pubsubctl/pubsubctl/internal/cli"
)

// defaultMemoryLimit is the soft memory limit of every command but
// `emulator` when GOMEMLIMIT is not set (docs/scaling.md). A plan holds the
// configuration and the live state it compares at once; the default
// GOGC=100 lets the heap grow to twice what is live before collecting, so
// a plan of 40,000 resources would otherwise peak well above what it
// holds. The limit only makes the collector run sooner near it: a larger
// configuration still completes, with more collection.
const defaultMemoryLimit = 150 << 20

func main() {
	if _, set := os.LookupEnv("GOMEMLIMIT"); !set && !isEmulator(os.Args[1:]) {
		debug.SetMemoryLimit(defaultMemoryLimit)
	}
	os.Exit(cli.Main(context.Background(), os.Args[1:], os.Environ(), os.Stdin, os.Stdout, os.Stderr))
}

// isEmulator reports whether the command may be `pubsubctl emulator`, a
// long-running server whose state grows with what it serves: it keeps the
// Go runtime's default (no limit). Any argument "emulator" counts (a
// global flag's value may come before the command); at worst another
// command runs without the limit.
func isEmulator(args []string) bool {
	return slices.Contains(args, "emulator")
}
