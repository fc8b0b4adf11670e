package cli

import "github.com/pubsubctl/pubsubctl/internal/savedplan"

// ShowCmd renders a saved plan.
type ShowCmd struct {
	File   string `arg:"" help:"Plan file written by plan --out." type:"existingfile"`
	JSON   bool   `name:"json" help:"Print the plan as JSON."`
	Format string `default:"human" enum:"human,json,markdown" help:"Output format: human, json or markdown."`
}

// Run renders the plan.
func (c *ShowCmd) Run(rc *runContext) error {
	sp, err := savedplan.Read(c.File)
	if err != nil {
		return err
	}
	format := c.Format
	if c.JSON {
		format = "json"
	}
	rc.planDir = sp.RelDir
	return rc.renderPlan(sp.Plan, format)
}

// Help is the long help of show.
func (*ShowCmd) Help() string {
	return `Renders a plan saved by plan --out, without reading live state. The file's digest is
checked first: an edited file is refused.

Exit status: 0 shown; 1 the file is not a plan, was modified, or on a usage error.

Examples:
  pubsubctl show shop.plan
  pubsubctl show --format markdown shop.plan > plan.md`
}
