package cli

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/pubsubctl/pubsubctl/apply"
	"github.com/pubsubctl/pubsubctl/internal/live"
	"github.com/pubsubctl/pubsubctl/internal/render"
	"github.com/pubsubctl/pubsubctl/internal/savedplan"
	"github.com/pubsubctl/pubsubctl/model"
	"github.com/pubsubctl/pubsubctl/plan"
)

// ApplyCmd reconciles live Pub/Sub with the configuration.
type ApplyCmd struct {
	TargetFlags
	Paths        []string `arg:"" name:"path" optional:"" default:"." help:"Configuration directory or .hcl file, or a plan file saved by plan --out (verified, then applied exactly; refused if it was modified, or if the configuration, live state or target changed since). Several are applied in one run (with --auto-approve), each its own stack and project." type:"path"`
	AutoApprove  bool     `name:"auto-approve" help:"Do not ask for confirmation (required when not on a terminal)."`
	AllowDestroy bool     `name:"allow-destroy" help:"Allow deleting resources this stack manages that the configuration no longer declares."`
	AllowReplace bool     `name:"allow-replace" help:"Allow replacing resources whose immutable fields changed (drops a subscription's backlog)."`
	AllowOrphan  bool     `name:"allow-orphan" help:"Allow deleting a topic that has subscriptions this stack does not manage (they are detached for good)."`
	Adopt        bool     `help:"Adopt resources the configuration declares that exist without this stack's labels."`
	Target       []string `help:"Only apply this resource (ADDRESS); repeatable." placeholder:"ADDRESS"`
	Parallelism  int      `default:"8" help:"Maximum concurrent operations."`
}

// Run plans, confirms, applies and proves convergence.
func (c *ApplyCmd) Run(rc *runContext) error {
	if len(c.Paths) > 1 {
		return c.runMany(rc)
	}
	return c.applyOne(rc, c.Paths[0])
}

// applyOne applies one configuration, or one saved plan.
func (c *ApplyCmd) applyOne(rc *runContext, path string) error {
	if info, err := os.Stat(path); err == nil && !info.IsDir() && !strings.HasSuffix(path, ".hcl") {
		return c.applySaved(rc, path)
	}
	targets, err := parseTargets(c.Target)
	if err != nil {
		return err
	}
	pr, err := rc.computePlan(path, c.TargetFlags, 16, targets, c.Adopt)
	if err != nil {
		return err
	}
	defer pr.client.Close()
	if err := rc.renderPlan(pr.plan, "human"); err != nil {
		return err
	}
	render.RateLimit(rc.stderr, pr.client.LimitStats())
	if !pr.plan.HasChanges() {
		return notInEffect(rc, pr.plan)
	}
	if err := c.guard(rc, pr.plan, pr.live, pr.config.Config); err != nil {
		return err
	}
	if !c.AutoApprove {
		if err := rc.confirm(); err != nil {
			return err
		}
	}
	return c.execute(rc, pr.client, pr.plan, pr.config.Config, targets)
}

// applySaved applies a plan file, after verifying it. The file is not
// trusted: apply re-derives the plan from the configuration it was made
// from and live state, and refuses unless the file says exactly that, for
// the same target (docs/saved-plans.md). What runs is the re-derived plan.
func (c *ApplyCmd) applySaved(rc *runContext, path string) error {
	sp, err := savedplan.Read(path)
	if err != nil {
		return err
	}
	if here := live.TargetOf(c.Emulator, rc.env); here != sp.Endpoint {
		return fmt.Errorf("%s was made against %s, but this apply would run against %s; apply it where it was planned, or run plan again", path, sp.Endpoint, here)
	}
	if rc.g.Project != "" && rc.g.Project != sp.Plan.Project {
		return fmt.Errorf("%s is for project %s, but --project says %s; run plan again for %s", path, sp.Plan.Project, rc.g.Project, rc.g.Project)
	}
	dir := sp.Dir
	if _, err := os.Stat(dir); err != nil && sp.RelDir != "" {
		dir = sp.RelDir
	}
	// The configuration the plan was made from, reloaded with the same
	// variables, must be unchanged: it is what the plan is verified
	// against and what convergence is checked against.
	g := *rc.g
	g.Var, g.VarFile, g.Project = sp.Vars, sp.VarFiles, sp.ProjectOverride
	withPlanVars := *rc
	withPlanVars.g = &g
	res, _, lerr := withPlanVars.load(dir)
	if lerr != nil {
		return &exitError{code: ExitError, err: fmt.Errorf("cannot verify %s: the configuration it was made from (%s) does not load; nothing was changed", path, dir)}
	}
	if plan.ConfigDigest(res.Config) != sp.ConfigDigest {
		return fmt.Errorf("the configuration in %s changed since %s was made; run plan again", dir, path)
	}
	client, err := rc.connect(sp.Plan.Project, c.TargetFlags, 16)
	if err != nil {
		return err
	}
	defer client.Close()
	targets, err := parseTargets(sp.Targets)
	if err != nil {
		return err
	}
	derived, l, _, err := rc.planWith(client, res.Config, targets, sp.Adopt)
	if err != nil {
		return err
	}
	if derived.LiveDigest != sp.Plan.LiveDigest {
		return fmt.Errorf("saved plan is stale; run plan again: live state of project %s changed since %s was made", sp.Plan.Project, path)
	}
	if d := plan.Divergence(sp.Plan, derived); d != "" {
		return fmt.Errorf("the plan file was modified: %s; nothing was changed", d)
	}
	if err := rc.renderPlan(derived, "human"); err != nil {
		return err
	}
	render.RateLimit(rc.stderr, client.LimitStats())
	if !derived.HasChanges() {
		return notInEffect(rc, derived)
	}
	if err := c.guard(rc, derived, l, res.Config); err != nil {
		return err
	}
	saved := *c
	saved.Adopt = sp.Adopt
	return saved.execute(rc, client, derived, res.Config, targets)
}

// guard refuses, before anything is changed, a plan that deletes or
// replaces without permission, or that touches anything the configuration
// and live state do not allow it to (apply.Verify).
func (c *ApplyCmd) guard(rc *runContext, p *plan.Plan, l *model.State, cfg *model.Config) error {
	v := append(apply.Verify(p, l, cfg), apply.Check(p, c.options(nil))...)
	if len(v) == 0 {
		return nil
	}
	fmt.Fprintln(rc.stderr, "\nError: the plan includes changes that are not allowed; nothing was changed:")
	for _, x := range v {
		fmt.Fprintf(rc.stderr, "  - %s (%s): %s\n", x.Address, x.Action, x.Reason)
	}
	return exitCode(ExitError)
}

func (c *ApplyCmd) options(progress func(apply.Event)) apply.Options {
	return apply.Options{
		Parallelism:  c.Parallelism,
		AllowDestroy: c.AllowDestroy,
		AllowReplace: c.AllowReplace,
		AllowOrphan:  c.AllowOrphan,
		Progress:     progress,
	}
}

// confirm asks on a terminal; without one it refuses (Terraform's habit).
func (rc *runContext) confirm() error {
	if !isTerminal(rc.stdin) {
		return &exitError{code: ExitError, err: fmt.Errorf("apply needs confirmation: run it on a terminal, or pass --auto-approve to apply without asking")}
	}
	fmt.Fprint(rc.stdout, "\nDo you want to perform these actions?\n  Only 'yes' will be accepted to approve.\n\n  Enter a value: ")
	line, _ := bufio.NewReader(rc.stdin).ReadString('\n')
	if strings.TrimSpace(line) != "yes" {
		return &exitError{code: ExitError, err: fmt.Errorf("apply cancelled; nothing was changed")}
	}
	return nil
}

// execute runs the plan with signal handling and progress, then proves
// convergence by planning again.
func (c *ApplyCmd) execute(rc *runContext, client *live.Client, p *plan.Plan, cfg *model.Config, targets []model.Address) error {
	ctx, cancel := context.WithCancel(rc.ctx)
	defer cancel()
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer func() {
		// No signal is delivered after Stop returns: closing ends the
		// handler goroutine.
		signal.Stop(sigs)
		close(sigs)
	}()
	go func() {
		n := 0
		for range sigs {
			n++
			if n == 1 {
				fmt.Fprintln(rc.stderr, "\nInterrupt received: no new operations start; waiting for those in flight. Interrupt again to abort immediately.")
				cancel()
				continue
			}
			fmt.Fprintln(rc.stderr, "\nAborted: operations in flight may or may not have completed. Run apply again to finish.")
			os.Exit(130)
		}
	}()

	pr := render.NewProgress(rc.stdout, isTerminal(rc.stdout), len(p.Changes)+len(p.IAM), time.Now)
	fmt.Fprintln(rc.stdout)
	pr.Run(time.Second)
	res := apply.Execute(ctx, client, p, c.options(pr.Event))
	pr.Close()
	render.ApplySummary(rc.stdout, rc.stderr, res)
	if !res.OK() {
		return exitCode(ExitError)
	}
	if cfg == nil {
		return nil
	}
	// Prove convergence: read live state again and plan.
	again, st, _, err := rc.planWith(client, cfg, targets, false)
	if err != nil {
		return fmt.Errorf("check convergence: %w", err)
	}
	if again.InEffect() {
		// A targeted apply does not claim that live state matches the
		// whole configuration when changes remain outside the targets.
		if n := pendingOutside(cfg, st, again, false); n > 0 {
			fmt.Fprintf(rc.stdout, "Converged for the %s; %s outside the targets %s pending: run plan without --target.\n",
				plural(len(targets), "targeted address"), plural(n, "other change"), pronoun(n, "is", "are"))
			return nil
		}
		fmt.Fprintln(rc.stdout, "Converged: live state matches the configuration.")
		return nil
	}
	if !again.HasChanges() {
		fmt.Fprintln(rc.stdout, "Applied, but the configuration is not fully in effect:")
		for _, u := range again.NotInEffect() {
			fmt.Fprintf(rc.stdout, "  %s\n", render.NotInEffectLine(u))
		}
		return notInEffect(rc, again)
	}
	fmt.Fprintln(rc.stdout, "Not converged: live state still differs from the configuration:")
	if err := render.Human(rc.stdout, again, render.Options{Color: rc.color(rc.stdout), Verbose: rc.g.Verbose}); err != nil {
		return err
	}
	return exitCode(ExitError)
}

// notInEffect fails an apply that changed everything it could while
// declared resources stay unmanaged (not adopted, or another stack's): the
// configuration is not in effect, and a pipeline must not report success.
func notInEffect(rc *runContext, p *plan.Plan) error {
	n := len(p.NotInEffect())
	if n == 0 {
		return nil
	}
	return &exitError{code: ExitError, err: fmt.Errorf("the configuration is not in effect: %d declared resource(s) exist but are not managed by stack %s; adopt them with --adopt, or release them from their stack with pubsubctl forget", n, p.Stack)}
}

// Help is the long help of apply.
func (*ApplyCmd) Help() string {
	return `Plans (or reads a plan saved by plan --out), asks for confirmation on a terminal
(--auto-approve otherwise), applies the changes in dependency order with retries and the
per-project rate limit, then plans again and reports "Converged" or what still differs.
Deletes need --allow-destroy, replacements --allow-replace, deleting a topic that other
stacks' subscriptions read --allow-orphan; lifecycle.prevent_destroy refuses both.
A saved plan is verified, not trusted: it is refused if the file was modified or if the
target, project, configuration or live state changed since (docs/saved-plans.md).

Exit status: 0 converged; 1 any error: refused or stale plan, a failed operation, not
converged, declared resources left unmanaged, usage errors.

Examples:
  pubsubctl apply examples/shop
  pubsubctl apply --auto-approve infra/                  # in CI, on merge
  pubsubctl apply shop.plan                              # exactly a reviewed plan
  pubsubctl apply --auto-approve --allow-destroy infra/  # also delete what left the files`
}
