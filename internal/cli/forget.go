package cli

import (
	"errors"
	"fmt"
	"strings"

	"github.com/pubsubctl/pubsubctl/internal/export"
	"github.com/pubsubctl/pubsubctl/internal/live"
	"github.com/pubsubctl/pubsubctl/model"
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
	updated  model.Resource // the live resource without the ownership labels
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
	for i := range targets {
		t := &targets[i]
		var lr model.Resource
		var err error
		if t.kind == model.KindTopic {
			lr, err = client.GetTopic(rc.ctx, t.id)
		} else {
			lr, err = client.GetSubscription(rc.ctx, t.id)
		}
		switch {
		case live.IsNotFound(err):
			problems = append(problems, fmt.Sprintf("cannot forget %s: %s %s does not exist in project %s", t, t.kind, t.id, cfg.Project))
			continue
		case err != nil:
			problems = append(problems, fmt.Sprintf("cannot forget %s: %v", t, err))
			continue
		}
		u, err := export.Forget(lr, cfg.Stack)
		if err != nil {
			problems = append(problems, err.Error())
			continue
		}
		t.updated = u
	}
	if len(problems) > 0 {
		for _, p := range problems {
			fmt.Fprintf(rc.stderr, "Error: %s\n", p)
		}
		fmt.Fprintln(rc.stderr, "Nothing was changed.")
		return exitCode(ExitError)
	}

	failed := 0
	var stillDeclared []string
	for _, t := range targets {
		var err error
		switch u := t.updated.(type) {
		case *model.Topic:
			_, err = client.UpdateTopic(rc.ctx, u, []string{"labels"})
		case *model.Subscription:
			_, err = client.UpdateSubscription(rc.ctx, u, []string{"labels"})
		default:
			err = errors.New("unexpected resource type")
		}
		if err != nil {
			failed++
			fmt.Fprintf(rc.stderr, "Error: forget %s: remove the ownership labels: %v\n", t, err)
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
	if failed > 0 {
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
