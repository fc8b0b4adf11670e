package cli

import (
	"fmt"
	"strings"

	"github.com/pubsubctl/pubsubctl/apply"
	"github.com/pubsubctl/pubsubctl/internal/live"
	"github.com/pubsubctl/pubsubctl/model"
	"github.com/pubsubctl/pubsubctl/plan"
)

// ForgetCmd removes this stack's ownership labels from live resources, so
// that pubsubctl stops managing them without deleting anything.
type ForgetCmd struct {
	TargetFlags
	Dir       string   `default:"." help:"Configuration directory: its pubsubctl block names the project and the stack whose labels are removed (default: the current directory)." placeholder:"DIR"`
	Addresses []string `arg:"" name:"address" help:"Resource to let go of: topic.NAME or subscription.NAME (a for_each instance as subscription.NAME[\"KEY\"]; without the key, every instance). An address the configuration no longer declares is taken as the resource ID."`
}

// forgetTarget is one resource to forget.
type forgetTarget struct {
	addr     model.Address
	kind     model.Kind
	id       string
	declared bool
	change   plan.Change // removes the ownership labels
}

func (f forgetTarget) String() string {
	if f.addr.Name == f.id && !f.addr.HasKey {
		return f.addr.String()
	}
	return fmt.Sprintf("%s (%s %s)", f.addr, f.kind, f.id)
}

// Run checks every address first, then removes the labels.
func (c *ForgetCmd) Run(rc *runContext) error {
	var addrs []model.Address
	for _, s := range c.Addresses {
		a, err := model.ParseAddress(s)
		if err != nil {
			return &exitError{code: ExitUsage, err: err}
		}
		addrs = append(addrs, a)
	}
	res, _, err := rc.load(c.Dir)
	if err != nil {
		return err
	}
	cfg := res.Config
	client, err := rc.connect(cfg.Project, c.TargetFlags, 0)
	if err != nil {
		return err
	}
	defer client.Close()

	// Resolve and check everything before changing anything.
	var targets []forgetTarget
	seen := map[model.Address]bool{}
	var problems []string
	for _, a := range addrs {
		if a.Kind == model.KindSchema {
			problems = append(problems, fmt.Sprintf("cannot forget %s: schemas carry no labels: pubsubctl manages a schema only while the configuration declares it, so remove the schema block instead (plan never deletes a schema it does not declare)", a))
			continue
		}
		found := false
		for _, r := range cfg.Resources() {
			if a.Matches(r.Address()) {
				found = true
				if !seen[r.Address()] {
					seen[r.Address()] = true
					targets = append(targets, forgetTarget{addr: r.Address(), kind: a.Kind, id: r.ID(), declared: true})
				}
			}
		}
		if !found {
			if a.HasKey {
				problems = append(problems, fmt.Sprintf("cannot forget %s: the configuration in %s declares no such instance", a, c.Dir))
				continue
			}
			// No longer declared: the name is the resource ID.
			if !seen[a] {
				seen[a] = true
				targets = append(targets, forgetTarget{addr: a, kind: a.Kind, id: a.Name})
			}
		}
	}
	st, err := client.Read(rc.ctx, live.ReadOptions{})
	if err != nil {
		return fmt.Errorf("read live state of project %s: %w", cfg.Project, err)
	}
	for i := range targets {
		t := &targets[i]
		lr := findLive(st, t.kind, t.id)
		if lr == nil {
			problems = append(problems, fmt.Sprintf("cannot forget %s: %s %s does not exist in project %s", t, t.kind, t.id, cfg.Project))
			continue
		}
		ch, err := plan.ForgetChange(cfg.Project, cfg.Stack, t.addr, lr)
		if err != nil {
			problems = append(problems, err.Error())
			continue
		}
		t.change = ch
	}
	if len(problems) > 0 {
		for _, p := range problems {
			fmt.Fprintf(rc.stderr, "Error: %s\n", p)
		}
		fmt.Fprintln(rc.stderr, "Nothing was changed.")
		return exitCode(ExitError)
	}

	// The labels are removed by apply's executor, like any change: with
	// its retries, rate limit and outcome checks.
	p := &plan.Plan{FormatVersion: plan.FormatVersion, Project: cfg.Project, Stack: cfg.Stack}
	for _, t := range targets {
		p.Changes = append(p.Changes, t.change)
	}
	result := apply.Execute(rc.ctx, client, p, apply.Options{})
	var stillDeclared []string
	for i, e := range result.Events {
		t := targets[i]
		if e.Status != apply.Applied {
			fmt.Fprintf(rc.stderr, "Error: %v\n", e.Err)
			continue
		}
		fmt.Fprintf(rc.stdout, "%s: removed the labels %s and %s; the %s stays, no longer managed by stack %q.\n",
			t, model.LabelManagedBy, model.LabelStack, t.kind, cfg.Stack)
		if t.declared {
			stillDeclared = append(stillDeclared, t.addr.String())
		}
	}
	if len(stillDeclared) > 0 {
		it := pronoun(len(stillDeclared), "it", "them")
		fmt.Fprintf(rc.stdout, "\nNext: remove %s from the configuration in %s (the block, or a for_each instance's key); until then plan reports %s as existing but not managed (and apply --adopt would adopt %s again).\n",
			strings.Join(stillDeclared, ", "), c.Dir, it, it)
	}
	if !result.OK() {
		return exitCode(ExitError)
	}
	return nil
}

func pronoun(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// findLive returns the live topic or subscription id, or nil.
func findLive(st *model.State, kind model.Kind, id string) model.Resource {
	if kind == model.KindTopic {
		for _, t := range st.Topics {
			if t.Name == id {
				return t
			}
		}
		return nil
	}
	for _, s := range st.Subscriptions {
		if s.Name == id {
			return s
		}
	}
	return nil
}
