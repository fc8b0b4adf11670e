package apply

import (
	"context"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pubsubctl/pubsubctl/internal/config"
	"github.com/pubsubctl/pubsubctl/internal/emulator"
	"github.com/pubsubctl/pubsubctl/internal/live"
	"github.com/pubsubctl/pubsubctl/model"
	"github.com/pubsubctl/pubsubctl/plan"
)

// Scenario tests: configuration → plan → Execute through the real
// internal/live client against the embedded emulator, then read back.

const e2eProject = "demo-project"

func emuCtx(t testing.TB) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// startEmulator starts an emulator and a live client on it whose own
// retries are off (MaxAttempts 1), so the executor's are what is tested.
func startEmulator(t testing.TB) (*emulator.Server, *live.Client) {
	t.Helper()
	srv, err := emulator.Start(emuCtx(t), emulator.Options{Seed: 1})
	if err != nil {
		t.Fatalf("emulator.Start: %v", err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	c, err := live.New(context.Background(), live.Options{Project: e2eProject, Emulator: srv.Addr(), MaxAttempts: 1})
	if err != nil {
		t.Fatalf("live.New: %v", err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return srv, c
}

// load loads an HCL configuration the way the CLI does.
func load(t testing.TB, src string) *model.Config {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	res, diags := config.Load(config.Options{Dir: dir})
	if diags.HasErrors() {
		t.Fatalf("config.Load: %v", diags)
	}
	return res.Config
}

// planLive reads live state (with the IAM of every resource the
// configuration manages) and plans cfg against it.
func planLive(t testing.TB, c *live.Client, cfg *model.Config, adopt bool) *plan.Plan {
	t.Helper()
	scope := map[string]bool{}
	for _, r := range cfg.Resources() {
		if !r.Policy().Empty() {
			scope[model.FullName(cfg.Project, r.Address().Kind, r.ID())] = true
		}
	}
	st, err := c.Read(emuCtx(t), live.ReadOptions{IAMFor: func(_ model.Kind, n string) bool { return scope[n] }})
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	return plan.Compute(cfg, &model.State{
		Project: st.Project, Schemas: st.Schemas, Topics: st.Topics, Subscriptions: st.Subscriptions,
		Policies: st.Policies, IAMSupported: st.IAMSupported,
	}, plan.Options{Adopt: adopt})
}

func emuOptions() Options {
	return Options{
		Parallelism: 8,
		BaseBackoff: time.Millisecond,
		MaxBackoff:  10 * time.Millisecond,
		Rand:        rand.New(rand.NewSource(1)),
	}
}

// converged fails the test unless planning again finds nothing to do.
func converged(t testing.TB, c *live.Client, cfg *model.Config) {
	t.Helper()
	if p := planLive(t, c, cfg, false); p.HasChanges() {
		for _, ch := range p.Changes {
			t.Logf("still to do: %s %s %+v", ch.Action, ch.Address, ch.Fields)
		}
		for _, ic := range p.IAM {
			t.Logf("still to do: iam %s %v", ic.Address, ic.Members)
		}
		t.Fatalf("not converged")
	}
}

func TestEmulatorCreateTopicSubscriptionAndIAM(t *testing.T) {
	srv, c := startEmulator(t)
	cfg := load(t, `
pubsubctl {
  project = "demo-project"
  stack   = "e2e"
}

topic "orders" {
  labels     = { team = "shop" }
  publishers = ["serviceAccount:checkout@p.iam.gserviceaccount.com"]
}

subscription "orders-billing" {
  topic        = topic.orders
  filter       = "attributes:placed"
  ack_deadline = "30s"
  subscribers  = ["serviceAccount:billing@p.iam.gserviceaccount.com"]
}
`)
	p := planLive(t, c, cfg, false)
	// orders, orders-billing, and the default dead-letter topic and subscription.
	if cnt := p.Counts(); cnt.Create != 4 || cnt.IAM != 2 {
		t.Fatalf("plan counts %+v", cnt)
	}
	srv.ResetRPCCounts()
	res := Execute(emuCtx(t), c, p, emuOptions())
	mustOK(t, res)
	if res.Applied != 6 {
		t.Errorf("applied %d", res.Applied)
	}
	if n := srv.RPCCounts(); n["CreateTopic"] != 2 || n["CreateSubscription"] != 2 || n["SetIamPolicy"] != 2 {
		t.Errorf("RPCs %v", n)
	}

	st, err := c.Read(emuCtx(t), live.ReadOptions{IAMFor: func(model.Kind, string) bool { return true }})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tp := range st.Topics {
		names = append(names, tp.Name)
		if !model.OwnedBy(tp.Labels, "e2e") {
			t.Errorf("topic %s labels %v", tp.Name, tp.Labels)
		}
	}
	for _, s := range st.Subscriptions {
		names = append(names, s.Name)
		if !model.OwnedBy(s.Labels, "e2e") {
			t.Errorf("subscription %s labels %v", s.Name, s.Labels)
		}
		if s.Name == "orders-billing" && (s.Filter != "attributes:placed" || s.AckDeadline != 30*time.Second || s.DeadLetter == nil) {
			t.Errorf("subscription %+v", s)
		}
	}
	if want := []string{"orders", "orders-billing-dlq", "orders-billing", "orders-billing-dlq"}; !slices.Equal(names, want) {
		t.Errorf("resources %v, want %v", names, want)
	}
	if m := st.Policies["projects/demo-project/topics/orders"].Members(model.RolePublisher); !slices.Equal(m, []string{"serviceAccount:checkout@p.iam.gserviceaccount.com"}) {
		t.Errorf("publishers %v", m)
	}
	if m := st.Policies["projects/demo-project/subscriptions/orders-billing"].Members(model.RoleSubscriber); !slices.Equal(m, []string{"serviceAccount:billing@p.iam.gserviceaccount.com"}) {
		t.Errorf("subscribers %v", m)
	}
	converged(t, c, cfg)

	// Applying the same plan again is harmless: every create finds its
	// own resource (AlreadyExists, this stack's labels) and IAM matches.
	again := Execute(emuCtx(t), c, p, emuOptions())
	mustOK(t, again)
	if e := eventOf(t, again, "create", "topic.orders"); !strings.Contains(e.Detail, "already existed") {
		t.Errorf("re-run detail %q", e.Detail)
	}
}

// countingTarget counts the creates that succeeded, per resource, and can
// lose the response of every lose-th successful create (the create took
// effect, the caller sees DeadlineExceeded).
type countingTarget struct {
	Target
	lose int

	mu      sync.Mutex
	created map[string]int
	n       int
	lost    int
}

func (c *countingTarget) done(name string, err error) error {
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.created[name]++
	c.n++
	if c.lose > 0 && c.n%c.lose == 0 {
		c.lost++
		return live.Fail(live.Unknown, "test: response lost")
	}
	return nil
}

func (c *countingTarget) CreateTopic(ctx context.Context, t *model.Topic) (*model.Topic, error) {
	r, err := c.Target.CreateTopic(ctx, t)
	return r, c.done("topic/"+t.Name, err)
}

func (c *countingTarget) CreateSubscription(ctx context.Context, s *model.Subscription) (*model.Subscription, error) {
	r, err := c.Target.CreateSubscription(ctx, s)
	return r, c.done("subscription/"+s.Name, err)
}

func fanOut(n int) string {
	var b strings.Builder
	b.WriteString(`
pubsubctl {
  project = "demo-project"
  stack   = "e2e"
}

variable "n" {
  type = list(string)
  default = [`)
	for i := range n {
		fmt.Fprintf(&b, "%q,", fmt.Sprintf("e%02d", i))
	}
	b.WriteString(`]
}

topic "event" {
  for_each   = toset(var.n)
  name       = "ev-${each.key}"
  publishers = ["serviceAccount:pub-${each.key}@p.iam.gserviceaccount.com"]
}

subscription "worker" {
  for_each    = toset(var.n)
  name        = "ev-${each.key}-worker"
  topic       = topic.event[each.key]
  subscribers = ["serviceAccount:worker-${each.key}@p.iam.gserviceaccount.com"]
}
`)
	return b.String()
}

func TestEmulatorTransientFaults(t *testing.T) {
	srv, c := startEmulator(t)
	cfg := load(t, fanOut(12)) // 24 topics (with dead-letter topics), 24 subscriptions, 24 policies
	p := planLive(t, c, cfg, false)
	if cnt := p.Counts(); cnt.Create != 48 || cnt.IAM != 24 {
		t.Fatalf("plan counts %+v", cnt)
	}
	srv.SetFaultSeed(42)
	injectFault(t, srv, "*", "Unavailable", 0.3)
	injectFault(t, srv, "*", "ResourceExhausted", 0.3)
	ct := &countingTarget{Target: c, created: map[string]int{}}
	o := emuOptions()
	o.MaxAttempts = 25 // half of all calls fail
	res := Execute(emuCtx(t), ct, p, o)
	srv.ClearFaults()
	mustOK(t, res)
	retried := 0
	for _, e := range res.Events {
		if e.Attempts > 1 {
			retried++
		}
	}
	if retried < 10 {
		t.Errorf("only %d operations needed a retry: were faults injected?", retried)
	}
	if len(ct.created) != 48 {
		t.Errorf("%d resources created, want 48", len(ct.created))
	}
	for name, n := range ct.created {
		if n != 1 {
			t.Errorf("%s created %d times", name, n)
		}
	}
	converged(t, c, cfg)
}

func TestEmulatorLostResponsesCreateNothingTwice(t *testing.T) {
	srv, c := startEmulator(t)
	cfg := load(t, fanOut(8))
	p := planLive(t, c, cfg, false)
	srv.ResetRPCCounts()
	ct := &countingTarget{Target: c, created: map[string]int{}, lose: 3}
	res := Execute(emuCtx(t), ct, p, emuOptions())
	mustOK(t, res)
	if ct.lost < 10 {
		t.Fatalf("only %d responses lost", ct.lost)
	}
	resolved := 0
	for _, e := range res.Events {
		if strings.Contains(e.Detail, "read back, it had taken effect") {
			resolved++
		}
	}
	if resolved != ct.lost {
		t.Errorf("%d unknown outcomes resolved by reading back, %d responses lost", resolved, ct.lost)
	}
	n := srv.RPCCounts()
	if n["CreateTopic"] != 16 || n["CreateSubscription"] != 16 {
		t.Errorf("a create was sent twice: %v", n)
	}
	for name, k := range ct.created {
		if k != 1 {
			t.Errorf("%s created %d times", name, k)
		}
	}
	converged(t, c, cfg)
}

func TestEmulatorFailedTopicSkipsItsSubscriptions(t *testing.T) {
	srv, c := startEmulator(t)
	// An existing topic of this stack, which the configuration updates.
	if _, err := c.CreateTopic(emuCtx(t), &model.Topic{Name: "other", Labels: map[string]string{model.LabelManagedBy: model.ManagedByValue, model.LabelStack: "e2e"}}); err != nil {
		t.Fatal(err)
	}
	cfg := load(t, `
pubsubctl {
  project = "demo-project"
  stack   = "e2e"
}

topic "orders" {}

subscription "orders-billing" {
  topic       = topic.orders
  subscribers = ["serviceAccount:billing@p.iam.gserviceaccount.com"]
  dead_letter {
    enabled = false
    reason  = "test"
  }
}

topic "other" {
  labels = { team = "x" }
}

subscription "other-worker" {
  topic = topic.other
  dead_letter {
    enabled = false
    reason  = "test"
  }
}
`)
	p := planLive(t, c, cfg, false)
	injectFault(t, srv, "CreateTopic", "PermissionDenied", 1)
	res := Execute(emuCtx(t), c, p, emuOptions())
	if res.OK() || res.Failed != 1 || res.Skipped != 2 || res.Applied != 2 {
		t.Fatalf("result: %d applied, %d failed, %d skipped", res.Applied, res.Failed, res.Skipped)
	}
	fe := eventOf(t, res, "create", "topic.orders")
	if fe.Status != Failed || fe.Attempts != 1 || live.Classify(fe.Err) != live.Denied ||
		!strings.HasPrefix(fe.Err.Error(), "create topic.orders (projects/demo-project/topics/orders): ") {
		t.Errorf("failed create: %+v", fe)
	}
	for _, e := range []Event{eventOf(t, res, "create", "subscription.orders-billing"), eventOf(t, res, "iam", "subscription.orders-billing")} {
		if e.Status != Skipped || e.Detail != "dependency topic.orders failed" {
			t.Errorf("dependent %s %s: %s %q", e.Op, e.Address, e.Status, e.Detail)
		}
	}
	if e := eventOf(t, res, "update", "topic.other"); e.Status != Applied {
		t.Errorf("update %+v", e)
	}
	if e := eventOf(t, res, "create", "subscription.other-worker"); e.Status != Applied {
		t.Errorf("create %+v", e)
	}
	srv.ClearFaults()
	st, err := c.Read(emuCtx(t), live.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Topics) != 1 || st.Topics[0].Labels["team"] != "x" || len(st.Subscriptions) != 1 || st.Subscriptions[0].Name != "other-worker" {
		t.Errorf("live state: topics %+v subscriptions %+v", st.Topics, st.Subscriptions)
	}
	// A second apply finishes the job.
	mustOK(t, Execute(emuCtx(t), c, planLive(t, c, cfg, false), emuOptions()))
	converged(t, c, cfg)
}

// racingTarget simulates someone else writing the policy between the
// executor's GetPolicy and SetPolicy: before delegating the first
// SetPolicy it adds a binding to a role the configuration does not manage.
type racingTarget struct {
	*live.Client
	once  sync.Once
	races atomic.Int32
}

const otherParty = "user:other-team@example.com"

func (r *racingTarget) SetPolicy(ctx context.Context, kind model.Kind, name string, p *model.Policy) (*model.Policy, error) {
	var err error
	r.once.Do(func() {
		var cur *model.Policy
		if cur, err = r.Client.GetPolicy(ctx, kind, name); err != nil {
			return
		}
		cur.Bindings = append(cur.Bindings, model.PolicyBinding{Role: model.RoleViewer, Members: []string{otherParty}})
		_, err = r.Client.SetPolicy(ctx, kind, name, cur)
		r.races.Add(1)
	})
	if err != nil {
		return nil, fmt.Errorf("test: concurrent write: %w", err)
	}
	return r.Client.SetPolicy(ctx, kind, name, p)
}

func TestEmulatorIAMEtagConflict(t *testing.T) {
	_, c := startEmulator(t)
	cfg := load(t, `
pubsubctl {
  project = "demo-project"
  stack   = "e2e"
}

topic "orders" {
  publishers = ["serviceAccount:checkout@p.iam.gserviceaccount.com"]
}
`)
	p := planLive(t, c, cfg, false)
	rt := &racingTarget{Client: c}
	res := Execute(emuCtx(t), rt, p, emuOptions())
	mustOK(t, res)
	e := eventOf(t, res, "iam", "topic.orders")
	if rt.races.Load() != 1 || e.Attempts != 2 || !strings.Contains(e.Detail, "changed concurrently") {
		t.Errorf("iam event %+v (races %d)", e, rt.races.Load())
	}
	pol, err := c.GetPolicy(emuCtx(t), model.KindTopic, "projects/demo-project/topics/orders")
	if err != nil {
		t.Fatal(err)
	}
	if m := pol.Members(model.RolePublisher); !slices.Equal(m, []string{"serviceAccount:checkout@p.iam.gserviceaccount.com"}) {
		t.Errorf("publishers %v", m)
	}
	if m := pol.Members(model.RoleViewer); !slices.Equal(m, []string{otherParty}) {
		t.Errorf("the other party's binding did not survive: %v", m)
	}
	converged(t, c, cfg)
}

func TestEmulatorReplaceKeepsIAM(t *testing.T) {
	_, c := startEmulator(t)
	src := `
pubsubctl {
  project = "demo-project"
  stack   = "e2e"
}

topic "orders" {}

subscription "orders-audit" {
  topic       = topic.orders
  filter      = "%s"
  subscribers = ["serviceAccount:auditor@p.iam.gserviceaccount.com"]
  dead_letter {
    enabled = false
    reason  = "test"
  }
}
`
	first := load(t, fmt.Sprintf(src, "attributes:eu"))
	mustOK(t, Execute(emuCtx(t), c, planLive(t, c, first, false), emuOptions()))
	// Someone grants a role the configuration does not manage.
	full := "projects/demo-project/subscriptions/orders-audit"
	pol, err := c.GetPolicy(emuCtx(t), model.KindSubscription, full)
	if err != nil {
		t.Fatal(err)
	}
	pol.Bindings = append(pol.Bindings, model.PolicyBinding{Role: model.RoleViewer, Members: []string{otherParty}})
	if _, err := c.SetPolicy(emuCtx(t), model.KindSubscription, full, pol); err != nil {
		t.Fatal(err)
	}

	second := load(t, fmt.Sprintf(src, "attributes:us"))
	p := planLive(t, c, second, false)
	if len(p.Changes) != 1 || p.Changes[0].Action != plan.ActionReplace || len(p.IAM) != 1 {
		t.Fatalf("plan %+v / %+v", p.Changes, p.IAM)
	}
	if v := Check(p, Options{}); len(v) != 1 || v[0].Action != "replace" {
		t.Fatalf("Check = %v", v)
	}
	o := emuOptions()
	o.AllowReplace = true
	res := Execute(emuCtx(t), c, p, o)
	mustOK(t, res)
	if e := eventOf(t, res, "iam", "subscription.orders-audit"); !strings.Contains(e.Detail, "same operation") {
		t.Errorf("iam event %+v", e)
	}
	st, err := c.Read(emuCtx(t), live.ReadOptions{IAMFor: func(model.Kind, string) bool { return true }})
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Subscriptions) != 1 || st.Subscriptions[0].Filter != "attributes:us" {
		t.Fatalf("subscriptions %+v", st.Subscriptions)
	}
	got := st.Policies[full]
	if m := got.Members(model.RoleSubscriber); !slices.Equal(m, []string{"serviceAccount:auditor@p.iam.gserviceaccount.com"}) {
		t.Errorf("subscribers after replace %v", m)
	}
	if m := got.Members(model.RoleViewer); !slices.Equal(m, []string{otherParty}) {
		t.Errorf("unmanaged binding lost by the replace: %v", m)
	}
	converged(t, c, second)
}

// injectFault makes the emulator fail METHOD with the gRPC code named
// code (e.g. "Unavailable") at rate.
func injectFault(t testing.TB, srv *emulator.Server, method, code string, rate float64) {
	t.Helper()
	c, err := emulator.ParseCode(code)
	if err != nil {
		t.Fatal(err)
	}
	srv.InjectFault(method, c, rate)
}
