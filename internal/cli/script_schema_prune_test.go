package cli_test

import (
	"context"
	"fmt"
	"strconv"

	"github.com/rogpeppe/go-internal/testscript"
)

func init() {
	scriptCmds["schemarevs"] = cmdSchemaRevs
}

// cmdSchemaRevs reads the revisions of a schema of demo-project straight
// from the emulator, since their IDs are random:
//
//	schemarevs SCHEMA [PREFIX]   print "N revisions" then the IDs oldest
//	                             first; with PREFIX, set PREFIX1..PREFIXN
//	                             to them
func cmdSchemaRevs(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 1 || len(args) > 2 {
		ts.Fatalf("usage: schemarevs SCHEMA [PREFIX]")
	}
	revs, err := client(ts).SchemaRevisions(context.Background(), args[0], false)
	ts.Check(err)
	out := ts.Stdout()
	fmt.Fprintf(out, "%d revisions\n", len(revs))
	for i, r := range revs {
		fmt.Fprintln(out, r.ID)
		if len(args) == 2 {
			ts.Setenv(args[1]+strconv.Itoa(i+1), r.ID)
		}
	}
}
