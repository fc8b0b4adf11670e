package cli_test

import (
	"encoding/hex"
	"os"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"
)

func init() {
	scriptCmds["unhex"] = cmdUnhex
}

// cmdUnhex writes the bytes a file of hex digits (whitespace ignored)
// stands for: unhex IN OUT. Scenarios use it for binary messages, which a
// txtar archive cannot hold.
func cmdUnhex(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: unhex IN OUT")
	}
	text := strings.Join(strings.Fields(ts.ReadFile(args[0])), "")
	b, err := hex.DecodeString(text)
	ts.Check(err)
	ts.Check(os.WriteFile(ts.MkAbs(args[1]), b, 0o644))
}
