package cli_test

import (
	"encoding/json"
	"os"
	"strconv"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/pubsubctl/pubsubctl/internal/savedplan"
)

// Scenario commands for saved plans (issue 16):
//
//	planedit FILE [-noseal] set PATH JSON       set the value at PATH (dot-separated keys and
//	                                            list indexes, inside the sealed content) to JSON
//	planedit FILE [-noseal] append PATH JSON    append JSON to the list at PATH
//
// By default the edited file is sealed again with a correct digest, as an
// attacker with write access to the file could do; -noseal leaves the
// recorded digest as it was (a naive edit).
func init() {
	scriptCmds["planedit"] = cmdPlanEdit
}

func cmdPlanEdit(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("planedit does not support !")
	}
	if len(args) < 1 {
		ts.Fatalf("usage: planedit FILE [-noseal] set|append PATH JSON")
	}
	file := ts.MkAbs(args[0])
	args = args[1:]
	seal := true
	if len(args) > 0 && args[0] == "-noseal" {
		seal, args = false, args[1:]
	}
	if len(args) != 3 || (args[0] != "set" && args[0] != "append") {
		ts.Fatalf("usage: planedit FILE [-noseal] set|append PATH JSON")
	}
	raw, err := os.ReadFile(file)
	ts.Check(err)
	var env map[string]json.RawMessage
	ts.Check(json.Unmarshal(raw, &env))
	var content any
	ts.Check(json.Unmarshal(env["content"], &content))
	var val any
	if err := json.Unmarshal([]byte(args[2]), &val); err != nil {
		ts.Fatalf("planedit: value: %v", err)
	}
	content = edit(ts, content, strings.Split(args[1], "."), args[0], val)
	b, err := json.Marshal(content)
	ts.Check(err)
	if seal {
		// Re-seal through the real encoder: decode the edited content as a
		// File and encode it again, so the digest is correct.
		var f savedplan.File
		ts.Check(json.Unmarshal(b, &f))
		out, err := savedplan.Encode(&f)
		ts.Check(err)
		ts.Check(os.WriteFile(file, out, 0o600))
		return
	}
	env["content"] = b
	out, err := json.Marshal(env)
	ts.Check(err)
	ts.Check(os.WriteFile(file, out, 0o600))
}

func edit(ts *testscript.TestScript, node any, path []string, op string, val any) any {
	if len(path) == 0 || (len(path) == 1 && path[0] == "") {
		if op == "append" {
			list, ok := node.([]any)
			if !ok {
				ts.Fatalf("planedit: append to a non-list")
			}
			return append(list, val)
		}
		return val
	}
	switch n := node.(type) {
	case map[string]any:
		n[path[0]] = edit(ts, n[path[0]], path[1:], op, val)
		return n
	case []any:
		i, err := strconv.Atoi(path[0])
		if err != nil || i < 0 || i >= len(n) {
			ts.Fatalf("planedit: bad index %q", path[0])
		}
		n[i] = edit(ts, n[i], path[1:], op, val)
		return n
	case nil:
		if op == "set" {
			return edit(ts, map[string]any{}, path, op, val)
		}
	}
	ts.Fatalf("planedit: cannot descend into %T at %q", node, path[0])
	return nil
}
