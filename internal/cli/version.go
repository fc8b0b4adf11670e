package cli

import "fmt"

// Version is set at build time with -ldflags "-X .../internal/cli.Version=v1.2.3".
var Version = "dev"

// VersionCmd prints the version.
type VersionCmd struct{}

// Run prints the version.
func (VersionCmd) Run(rc *runContext) error {
	fmt.Fprintf(rc.stdout, "pubsubctl %s\n", Version)
	return nil
}
