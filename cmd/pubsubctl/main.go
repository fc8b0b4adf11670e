// Command pubsubctl is infrastructure-as-code for Google Cloud Pub/Sub.
package main

import (
	"context"
	"os"

	"github.com/pubsubctl/pubsubctl/internal/cli"
)

func main() {
	os.Exit(cli.Main(context.Background(), os.Args[1:], os.Environ(), os.Stdin, os.Stdout, os.Stderr))
}
