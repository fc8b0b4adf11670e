package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/pubsubctl/pubsubctl/internal/render"
	"github.com/pubsubctl/pubsubctl/internal/savedplan"
	"github.com/pubsubctl/pubsubctl/model"
	"github.com/pubsubctl/pubsubctl/plan"
)

// PlanCmd shows what apply would do.
type PlanCmd struct {
	TargetFlags
	Parallelism      int      `default:"16" help:"Maximum concurrent IAM policy reads."`
	Dirs             []string `arg:"" name:"dir" optional:"" default:"." help:"Configuration directory, or a single .hcl file (default: the current directory). Several are planned in one run, each its own stack and project, with one combined report." type:"path"`
	DetailedExitcode bool     `name:"detailed-exitcode" help:"Exit 0 when there are no changes, 2 when there are, 1 on error."`
	Out              string   `help:"Save the plan for apply FILE (mode 0600: it holds configuration values). Apply verifies it against the configuration, the live state and the target it was made for. With several directories, FILE is a directory that receives one STACK-PROJECT.plan per configuration." placeholder:"FILE" type:"path"`
	JSON             bool     `name:"json" help:"Print the plan as JSON (same as --format json)."`
	Format           string   `default:"human" enum:"human,json,markdown,github" help:"Output format: human, json (docs/plan-json.md), markdown (for pull-request comments) or github (the human plan, with configuration problems as GitHub Actions annotations)."`
	Target           []string `help:"Only plan this resource (ADDRESS, e.g. topic.orders or subscription.audit[\"eu\"]); repeatable." placeholder:"ADDRESS"`
	Adopt            bool     `help:"Adopt resources the configuration declares that exist without this stack's labels (adds the labels and any field changes)."`
}

// Run plans and renders.
func (c *PlanCmd) Run(rc *runContext) error {
	format := c.Format
	if c.JSON {
		format = "json"
	}
	targets, err := parseTargets(c.Target)
	if err != nil {
		return err
	}
	if format == "github" {
		rc.diagFormat, format = "github", "human"
	}
	if len(c.Dirs) > 1 {
		return c.runMany(rc, format, targets)
	}
	out := func(*model.Config) string { return c.Out }
	_, err = c.planOne(rc, c.Dirs[0], out, format, targets)
	return err
}

// planOne plans one configuration and renders it; out names the saved
// plan file ("" for none) once the configuration is loaded. It returns the
// plan, when there is one, with the error that sets the exit code.
func (c *PlanCmd) planOne(rc *runContext, dir string, out func(*model.Config) string, format string, targets []model.Address) (*plan.Plan, error) {
	rc.planDir = relDir(dir)
	pr, err := rc.computePlan(dir, c.TargetFlags, c.Parallelism, targets, c.Adopt)
	if err != nil {
		return nil, err
	}
	defer pr.client.Close()
	path := out(pr.config.Config)
	if path != "" {
		if err := writeSavedPlan(path, pr, rc.g, dir, c.Target, c.Adopt); err != nil {
			return pr.plan, err
		}
	}
	if err := rc.renderPlan(pr.plan, format); err != nil {
		return pr.plan, err
	}
	if n := pendingOutside(pr.config.Config, pr.live, pr.plan, c.Adopt); n > 0 && format == "human" {
		fmt.Fprintf(rc.stdout, "\nThis plan is partial (--target): %s outside the targets %s pending; run plan without --target to see %s.\n",
			plural(n, "other change"), pronoun(n, "is", "are"), pronoun(n, "it", "them"))
	}
	// How the rate limit and the quota slowed the read down, on stderr so
	// that --json and --format markdown stay pure.
	render.RateLimit(rc.stderr, pr.client.LimitStats())
	if path != "" && format == "human" {
		fmt.Fprintf(rc.stdout, "\nSaved the plan to %s. To perform exactly these actions, run:\n  pubsubctl apply %s\n", path, path)
	}
	// Exit 2 also when there is nothing to apply but declared resources
	// are not managed by this stack: the configuration is not in effect.
	if c.DetailedExitcode && !pr.plan.InEffect() {
		return pr.plan, exitCode(ExitChanges)
	}
	return pr.plan, nil
}

func (rc *runContext) renderPlan(p *plan.Plan, format string) error {
	rc.shown = p
	switch format {
	case "json":
		return render.JSON(rc.stdout, p)
	case "markdown":
		return render.Markdown(rc.stdout, p, render.Options{Dir: rc.planDir, MaxBytes: rc.markdownBytes})
	case "none":
		return nil
	}
	return render.Human(rc.stdout, p, render.Options{Color: rc.color(rc.stdout), Verbose: rc.g.Verbose})
}

func parseTargets(ss []string) ([]model.Address, error) {
	var out []model.Address
	for _, s := range ss {
		a, err := model.ParseAddress(s)
		if err != nil {
			return nil, &exitError{code: ExitUsage, err: fmt.Errorf("--target: %w", err)}
		}
		out = append(out, a)
	}
	return out, nil
}

func writeSavedPlan(path string, pr *planResult, g *Globals, dir string, targets []string, adopt bool) error {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	return savedplan.Write(path, &savedplan.File{
		Plan:            pr.plan,
		IAMScope:        pr.iamScope,
		Endpoint:        pr.client.Target(),
		ConfigDigest:    pr.configDigest,
		Dir:             abs,
		RelDir:          relDir(dir),
		Vars:            g.Var,
		VarFiles:        g.VarFile,
		Targets:         targets,
		Adopt:           adopt,
		ProjectOverride: g.Project,
	})
}

// Help is the long help of plan.
func (*PlanCmd) Help() string {
	return `Loads the configuration, reads the project's live topics, subscriptions, schemas and
the IAM policies the configuration manages, and shows what apply would change, field by
field and member by member. Nothing is changed.

Exit status: 0 success (with --detailed-exitcode: no changes, and the configuration is in
effect); 1 any error, usage errors included; 2 only with --detailed-exitcode: changes
present, or declared resources that exist without this stack's labels.

Examples:
  pubsubctl plan examples/shop
  pubsubctl plan --detailed-exitcode --format markdown infra/ > plan.md   # for a PR comment
  pubsubctl plan --out shop.plan infra/ && pubsubctl apply shop.plan    # review, then apply exactly that
  pubsubctl plan --target subscription.orders-billing infra/            # a partial plan
  pubsubctl plan -out=shop.plan -detailed-exitcode infra/               # Terraform's spellings work too
  pubsubctl plan --detailed-exitcode infra/pubsub/*/                    # several stacks: one report, the worst exit code
  pubsubctl plan --out plans/ infra/dev infra/prod                      # plans/STACK-PROJECT.plan for each

With several directories, each configuration (its own stack and project) is planned, at most
4 at a time, and the report has a section per configuration followed by a combined summary;
the exit status is the worst of them (an error over changes present over none). Two
directories of the same stack and project are refused before anything is read. --target
takes one configuration only.`
}

// relDir is dir relative to the working directory when it lies under it
// (kong makes path arguments absolute): how a person named it, and what a
// checkout elsewhere can resolve.
func relDir(dir string) string {
	wd, err := os.Getwd()
	if err != nil {
		return dir
	}
	rel, err := filepath.Rel(wd, dir)
	if err != nil || strings.HasPrefix(rel, "..") {
		return dir
	}
	return filepath.ToSlash(rel)
}
