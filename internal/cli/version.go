package cli

import (
	"fmt"
	"runtime/debug"
)

// Version is set at build time with -ldflags "-X .../internal/cli.Version=v1.2.3".
var Version = "dev"

// VersionCmd prints the version.
type VersionCmd struct{}

// Run prints the version.
func (VersionCmd) Run(rc *runContext) error {
	fmt.Fprintf(rc.stdout, "pubsubctl %s\n", version())
	return nil
}

// version is Version, or, for a binary built with `go install ...@vX`
// (not through the Makefile), the module version recorded in the binary.
func version() string {
	if Version != "dev" {
		return Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return Version
}
