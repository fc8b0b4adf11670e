package cli_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"sync"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/pubsubctl/pubsubctl/model"
)

// Custom testscript commands of the plan scenarios (testdata/script/plan_*
// and drift*):
//
//	revoke topic|sub NAME ROLE MEMBER   remove a member behind pubsubctl's back
//	plan-schema FILE                    validate a `plan --json` output against docs/plan.schema.json
func init() {
	scriptCmds["revoke"] = cmdRevoke
	scriptCmds["plan-schema"] = cmdPlanSchema
}

func cmdRevoke(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 4 || (args[0] != "topic" && args[0] != "sub") {
		ts.Fatalf("usage: revoke topic|sub NAME ROLE MEMBER")
	}
	kind := model.KindTopic
	if args[0] == "sub" {
		kind = model.KindSubscription
	}
	ctx := context.Background()
	c := client(ts)
	name := model.FullName("demo-project", kind, args[1])
	p, err := c.GetPolicy(ctx, kind, name)
	ts.Check(err)
	found := false
	for i, b := range p.Bindings {
		if b.Role != args[2] {
			continue
		}
		if j := slices.Index(b.Members, args[3]); j >= 0 {
			p.Bindings[i].Members = slices.Delete(slices.Clone(b.Members), j, j+1)
			found = true
		}
	}
	if !found {
		ts.Fatalf("%s %s has no member %s in %s", args[0], args[1], args[3], args[2])
	}
	_, err = c.SetPolicy(ctx, kind, name, p)
	if neg != (err != nil) {
		ts.Fatalf("revoke: %v", err)
	}
}

var (
	planSchemaOnce sync.Once
	planSchema     *jsonschema.Schema
	planSchemaErr  error
)

// cmdPlanSchema validates FILE (relative to the script's work directory)
// against docs/plan.schema.json.
func cmdPlanSchema(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: plan-schema FILE")
	}
	planSchemaOnce.Do(func() {
		raw, err := os.ReadFile(filepath.Join("..", "..", "docs", "plan.schema.json"))
		if err != nil {
			planSchemaErr = err
			return
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
		if err != nil {
			planSchemaErr = err
			return
		}
		const url = "https://github.com/pubsubctl/pubsubctl/docs/plan.schema.json"
		c := jsonschema.NewCompiler()
		c.AssertFormat()
		if planSchemaErr = c.AddResource(url, doc); planSchemaErr != nil {
			return
		}
		planSchema, planSchemaErr = c.Compile(url)
	})
	ts.Check(planSchemaErr)
	b, err := os.ReadFile(ts.MkAbs(args[0]))
	ts.Check(err)
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err == nil {
		err = planSchema.Validate(doc)
	}
	switch {
	case neg && err == nil:
		ts.Fatalf("%s validates against docs/plan.schema.json", args[0])
	case !neg && err != nil:
		ts.Fatalf("%s does not validate against docs/plan.schema.json:\n%v", args[0], err)
	}
}
