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
	return rc.renderPlan(sp.Plan, format)
}
