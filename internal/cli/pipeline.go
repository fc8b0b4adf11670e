package cli

import (
	"errors"
	"fmt"
	"net"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/agext/levenshtein"

	"github.com/pubsubctl/pubsubctl/iam"
	"github.com/pubsubctl/pubsubctl/internal/config"
	"github.com/pubsubctl/pubsubctl/internal/live"
	"github.com/pubsubctl/pubsubctl/internal/render"
	"github.com/pubsubctl/pubsubctl/model"
	"github.com/pubsubctl/pubsubctl/plan"
)

// The one pipeline every command shares: load the configuration (load.go),
// connect, read live state, plan; apply's executor then runs the plan
// (apply.go, and forget.go for forget's plan), and a second read and plan
// proves convergence. plan, apply, the emulator's bootstrap, export and
// forget all go through these functions.

// TargetFlags choose where live state is read from, and how fast.
type TargetFlags struct {
	Emulator                  string `help:"Address HOST:PORT of a Pub/Sub emulator (default: PUBSUB_EMULATOR_HOST; without either, real Pub/Sub with Application Default Credentials)." placeholder:"HOST:PORT"`
	ImpersonateServiceAccount string `name:"impersonate-service-account" help:"Call Pub/Sub as this service account (real Pub/Sub only)." placeholder:"EMAIL"`
	OpsPerMinute              int    `name:"ops-per-minute" help:"Client-side rate limit on Pub/Sub API calls, reads and writes alike: they share the project's quota of 6,000 administrator operations per minute. Default: 3000 against Pub/Sub, no limit against an emulator." placeholder:"N"`
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

// connect opens a live client for the configuration's project. Every RPC
// it makes, reads and writes, waits on its one client-side rate limit
// (--ops-per-minute; live.Limiter).
func (rc *runContext) connect(project string, tf TargetFlags, parallelism int) (*live.Client, error) {
	if tf.OpsPerMinute < 0 {
		return nil, &exitError{code: ExitUsage, err: fmt.Errorf("--ops-per-minute %d: want a positive number of calls per minute", tf.OpsPerMinute)}
	}
	target := live.TargetOf(tf.Emulator, rc.env)
	if addr, ok := strings.CutPrefix(target, "emulator "); ok {
		// Fail fast, with the likely cause, instead of retrying a refused
		// connection for a minute.
		conn, err := net.DialTimeout("tcp", addr, 3*time.Second)
		if err != nil {
			return nil, fmt.Errorf("cannot reach the Pub/Sub emulator at %s (%v): is the emulator running at %s? Start one with `pubsubctl emulator --port PORT`, or unset %s to use the real Pub/Sub", addr, err, addr, live.EnvEmulatorHost)
		}
		conn.Close()
	}
	opts := live.Options{
		Project:                   project,
		Emulator:                  tf.Emulator,
		Env:                       rc.env,
		ImpersonateServiceAccount: tf.ImpersonateServiceAccount,
		Parallelism:               parallelism,
		OpsPerMinute:              tf.OpsPerMinute,
	}
	// Configurations of one run that share a project share its limit:
	// the quota is the project's.
	if rc.limiters != nil {
		rc.limiters.mu.Lock()
		defer rc.limiters.mu.Unlock()
		opts.Limiter = rc.limiters.byProject[project]
	}
	client, err := live.New(rc.ctx, opts)
	if err != nil {
		if target == live.Endpoint && strings.Contains(err.Error(), "credentials") {
			return nil, fmt.Errorf("connect to Pub/Sub: %w\nTo authenticate, run `gcloud auth application-default login` (Application Default Credentials), or pass --impersonate-service-account EMAIL; to use an emulator instead, set %s=HOST:PORT (or --emulator HOST:PORT)", err, live.EnvEmulatorHost)
		}
		return nil, fmt.Errorf("connect to Pub/Sub: %w", err)
	}
	if rc.limiters != nil && opts.Limiter == nil {
		rc.limiters.byProject[project] = client.Limiter()
	}
	return client, nil
}

// limiterSet holds the rate limit of each project of a run over several
// configurations.
type limiterSet struct {
	mu        sync.Mutex
	byProject map[string]*live.Limiter
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
	if err == nil {
		err = checkTargets(cfg, l, targets)
	}
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
			iam.AddDeadLetterGrants(cfg, n)
		case client.IsEmulator():
			warnings = append(warnings, fmt.Sprintf("dead-letter grants for the Pub/Sub service agent are not planned: %v", err))
		default:
			return nil, nil, nil, fmt.Errorf("the Pub/Sub service agent needs the project number for dead-letter grants: %w", err)
		}
	}
	scope := iamScope(cfg)
	progress := &live.ReadProgress{}
	stop := rc.readStatus(progress)
	state, err := client.Read(rc.ctx, live.ReadOptions{IAMFor: func(_ model.Kind, name string) bool { return scope[name] }, Elsewhere: sortedKeys(scope), Progress: progress})
	stop()
	if err != nil {
		return nil, nil, nil, fmt.Errorf("read live state of project %s: %w", cfg.Project, err)
	}
	l := state
	p := plan.Compute(cfg, l, plan.Options{Target: client.Target(), Targets: targets, Adopt: adopt})
	rc.warnSchemaRevisions(client, p, cfg, l)
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

// checkTargets refuses a --target that matches no resource of the
// configuration and none of live state, naming the nearest addresses: a
// typo must not read as "no changes".
func checkTargets(cfg *model.Config, st *model.State, targets []model.Address) error {
	var known []model.Address
	for _, r := range cfg.Resources() {
		known = append(known, r.Address())
	}
	for _, r := range st.Resources() {
		known = append(known, r.Address())
	}
	for _, t := range targets {
		matched := false
		for _, a := range known {
			if t.Matches(a) {
				matched = true
				break
			}
		}
		if matched {
			continue
		}
		msg := fmt.Sprintf("--target %s matches no resource of the configuration or of live state", t)
		if near := nearestAddresses(t, known); len(near) > 0 {
			msg += "; did you mean " + strings.Join(near, " or ") + "?"
		}
		return &exitError{code: ExitError, err: errors.New(msg)}
	}
	return nil
}

// nearestAddresses returns up to three addresses of t's kind within a
// small edit distance of it.
func nearestAddresses(t model.Address, known []model.Address) []string {
	type cand struct {
		addr string
		d    int
	}
	var cs []cand
	seen := map[string]bool{}
	for _, a := range known {
		s := a.String()
		if a.Kind != t.Kind || seen[s] {
			continue
		}
		seen[s] = true
		if d := levenshtein.Distance(t.String(), s, nil); d <= max(3, len(t.Name)/3) {
			cs = append(cs, cand{s, d})
		}
	}
	sort.Slice(cs, func(i, j int) bool { return cs[i].d < cs[j].d || cs[i].d == cs[j].d && cs[i].addr < cs[j].addr })
	var out []string
	for i := 0; i < len(cs) && i < 3; i++ {
		out = append(out, cs[i].addr)
	}
	return out
}

// pendingOutside counts the changes (resource and IAM) that the plan of
// the whole configuration has but the --target plan p leaves out.
func pendingOutside(cfg *model.Config, st *model.State, p *plan.Plan, adopt bool) int {
	if len(p.Targets) == 0 {
		return 0
	}
	full := plan.Compute(cfg, st, plan.Options{Adopt: adopt})
	return len(full.Changes) + len(full.IAM) - len(p.Changes) - len(p.IAM)
}

// readStatus draws, on a terminal (stderr), a status line of a read that
// takes more than a second, redrawn every second until stop is called,
// which clears it: a plan of thousands of resources never looks stuck.
func (rc *runContext) readStatus(p *live.ReadProgress) (stop func()) {
	if !isTerminal(rc.stderr) {
		return func() {}
	}
	start := time.Now()
	done, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(time.Second)
		defer t.Stop()
		drawn := false
		for {
			select {
			case <-done:
				if drawn {
					fmt.Fprint(rc.stderr, "\r\x1b[K")
				}
				return
			case <-t.C:
				fmt.Fprint(rc.stderr, "\r\x1b[K"+render.ReadStatus(p.Listed.Load(), p.PoliciesRead.Load(), p.PoliciesToRead.Load(), time.Since(start)))
				drawn = true
			}
		}
	}()
	return func() {
		close(done)
		<-finished
	}
}
