package cli

import (
	"fmt"
	"path/filepath"
	"sort"

	"github.com/pubsubctl/pubsubctl/internal/config"
	"github.com/pubsubctl/pubsubctl/internal/live"
	"github.com/pubsubctl/pubsubctl/internal/render"
	"github.com/pubsubctl/pubsubctl/internal/savedplan"
	"github.com/pubsubctl/pubsubctl/model"
	"github.com/pubsubctl/pubsubctl/plan"
)

// TargetFlags choose where live state is read from.
type TargetFlags struct {
	Emulator                  string `help:"Address HOST:PORT of a Pub/Sub emulator (default: PUBSUB_EMULATOR_HOST; without either, real Pub/Sub with Application Default Credentials)." placeholder:"HOST:PORT"`
	ImpersonateServiceAccount string `name:"impersonate-service-account" help:"Call Pub/Sub as this service account (real Pub/Sub only)." placeholder:"EMAIL"`
}

// PlanCmd shows what apply would do.
type PlanCmd struct {
	TargetFlags
	Parallelism      int      `default:"16" help:"Maximum concurrent IAM policy reads."`
	Dir              string   `arg:"" optional:"" default:"." help:"Configuration directory, or a single .hcl file (default: the current directory)." type:"path"`
	DetailedExitcode bool     `name:"detailed-exitcode" help:"Exit 0 when there are no changes, 2 when there are, 1 on error."`
	Out              string   `help:"Save the plan for apply FILE (mode 0600: it holds configuration values). Apply verifies it against the configuration, the live state and the target it was made for." placeholder:"FILE" type:"path"`
	JSON             bool     `name:"json" help:"Print the plan as JSON (same as --format json)."`
	Format           string   `default:"human" enum:"human,json,markdown" help:"Output format: human, json (docs/plan-json.md) or markdown (for pull-request comments)."`
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
	pr, err := rc.computePlan(c.Dir, c.TargetFlags, c.Parallelism, targets, c.Adopt)
	if err != nil {
		return err
	}
	defer pr.client.Close()
	if c.Out != "" {
		if err := writeSavedPlan(c.Out, pr, rc.g, c.Dir, c.Target, c.Adopt); err != nil {
			return err
		}
	}
	if err := rc.renderPlan(pr.plan, format); err != nil {
		return err
	}
	if c.Out != "" && format == "human" {
		fmt.Fprintf(rc.stdout, "\nSaved the plan to %s. To perform exactly these actions, run:\n  pubsubctl apply %s\n", c.Out, c.Out)
	}
	// Exit 2 also when there is nothing to apply but declared resources
	// are not managed by this stack: the configuration is not in effect.
	if c.DetailedExitcode && !pr.plan.InEffect() {
		return exitCode(ExitChanges)
	}
	return nil
}

func (rc *runContext) renderPlan(p *plan.Plan, format string) error {
	switch format {
	case "json":
		return render.JSON(rc.stdout, p)
	case "markdown":
		return render.Markdown(rc.stdout, p)
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

// planResult is a computed plan with what produced it.
type planResult struct {
	plan     *plan.Plan
	live     *model.State
	config   *config.Result
	client   *live.Client
	iamScope []string // full names whose policies were read
	// configDigest is plan.ConfigDigest of the configuration as loaded,
	// before planning added anything to it.
	configDigest string
}

// connect opens a live client for the configuration's project.
func (rc *runContext) connect(project string, tf TargetFlags, parallelism int) (*live.Client, error) {
	client, err := live.New(rc.ctx, live.Options{
		Project:                   project,
		Emulator:                  tf.Emulator,
		Env:                       rc.env,
		ImpersonateServiceAccount: tf.ImpersonateServiceAccount,
		Parallelism:               parallelism,
	})
	if err != nil {
		return nil, fmt.Errorf("connect to Pub/Sub: %w", err)
	}
	return client, nil
}

// computePlan loads the configuration, reads live state and diffs them.
func (rc *runContext) computePlan(dir string, tf TargetFlags, parallelism int, targets []model.Address, adopt bool) (*planResult, error) {
	res, _, err := rc.load(dir)
	if err != nil {
		return nil, err
	}
	cfg := res.Config
	digest := plan.ConfigDigest(cfg)
	client, err := rc.connect(cfg.Project, tf, parallelism)
	if err != nil {
		return nil, err
	}
	p, l, scope, err := rc.planWith(client, cfg, targets, adopt)
	if err != nil {
		client.Close()
		return nil, err
	}
	return &planResult{plan: p, live: l, config: res, client: client, iamScope: scope, configDigest: digest}, nil
}

// planWith reads live state through client and plans cfg against it.
func (rc *runContext) planWith(client *live.Client, cfg *model.Config, targets []model.Address, adopt bool) (*plan.Plan, *model.State, []string, error) {
	var warnings []string
	if cfg.ProjectNumber == "" && deadLetters(cfg) {
		n, err := client.ProjectNumber(rc.ctx)
		switch {
		case err == nil:
			model.AddDeadLetterGrants(cfg, n)
		case client.IsEmulator():
			warnings = append(warnings, fmt.Sprintf("dead-letter grants for the Pub/Sub service agent are not planned: %v", err))
		default:
			return nil, nil, nil, fmt.Errorf("the Pub/Sub service agent needs the project number for dead-letter grants: %w", err)
		}
	}
	scope := iamScope(cfg)
	state, err := client.Read(rc.ctx, live.ReadOptions{IAMFor: func(_ model.Kind, name string) bool { return scope[name] }, Elsewhere: sortedKeys(scope)})
	if err != nil {
		return nil, nil, nil, fmt.Errorf("read live state of project %s: %w", cfg.Project, err)
	}
	l := state
	p := plan.Compute(cfg, l, plan.Options{Target: client.Target(), Targets: targets, Adopt: adopt})
	p.Warnings = append(warnings, p.Warnings...)
	return p, l, sortedKeys(scope), nil
}

func deadLetters(c *model.Config) bool {
	for _, s := range c.Subscriptions {
		if s.DeadLetter != nil {
			return true
		}
	}
	return false
}

// iamScope is the set of resources whose IAM the configuration manages:
// only their policies are read.
func iamScope(c *model.Config) map[string]bool {
	scope := map[string]bool{}
	for _, r := range c.Resources() {
		if !r.Policy().Empty() {
			scope[model.FullName(c.Project, r.Address().Kind, r.ID())] = true
		}
	}
	for _, eb := range c.ExternalBindings {
		scope[eb.Resource] = true
	}
	return scope
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
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
		RelDir:          dir,
		Vars:            g.Var,
		VarFiles:        g.VarFile,
		Targets:         targets,
		Adopt:           adopt,
		ProjectOverride: g.Project,
	})
}
