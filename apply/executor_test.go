package apply

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pubsubctl/pubsubctl/iam"
	"github.com/pubsubctl/pubsubctl/internal/live"
	"github.com/pubsubctl/pubsubctl/model"
	"github.com/pubsubctl/pubsubctl/plan"
)

// Executor mechanics against fakeTarget: scheduling, retries, unknown
// outcomes, reconciliation, guards, interruption.

const testStack = "s"

func ownedLabels(extra ...string) map[string]string {
	l := map[string]string{model.LabelManagedBy: model.ManagedByValue, model.LabelStack: testStack}
	for i := 0; i+1 < len(extra); i += 2 {
		l[extra[i]] = extra[i+1]
	}
	return l
}

func ownedTopic(name string) *model.Topic {
	return &model.Topic{Addr: model.Address{Kind: model.KindTopic, Name: name}, Name: name, Labels: ownedLabels()}
}

func ownedSub(name, topic string) *model.Subscription {
	return &model.Subscription{
		Addr:        model.Address{Kind: model.KindSubscription, Name: name},
		Name:        name,
		Topic:       model.FullName("p", model.KindTopic, topic),
		AckDeadline: 60 * time.Second,
		Labels:      ownedLabels(),
	}
}

func grant(role string, members ...string) model.IAM {
	return model.IAM{Bindings: []model.Binding{{Role: role, Members: members}}}
}

func cfgOf(rs ...model.Resource) *model.Config {
	c := &model.Config{Project: "p", Stack: testStack}
	for _, r := range rs {
		switch r := r.(type) {
		case *model.Schema:
			c.Schemas = append(c.Schemas, r)
		case *model.Topic:
			c.Topics = append(c.Topics, r)
		case *model.Subscription:
			c.Subscriptions = append(c.Subscriptions, r)
		}
	}
	return c
}

// planFor plans c against the fake's current state.
func planFor(t testing.TB, f *fakeTarget, c *model.Config) *plan.Plan {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	l := &model.State{Project: "p", IAMSupported: true, Policies: map[string]*model.Policy{}}
	for _, s := range f.schemas {
		c := *s
		l.Schemas = append(l.Schemas, &c)
	}
	for _, tp := range f.topics {
		l.Topics = append(l.Topics, cloneTopic(tp))
	}
	for _, s := range f.subs {
		l.Subscriptions = append(l.Subscriptions, cloneSub(s))
	}
	for n, p := range f.policies {
		l.Policies[n] = clonePolicy(p)
	}
	return plan.Compute(c, l, plan.Options{})
}

func testOptions() Options {
	return Options{
		Parallelism: 4,
		BaseBackoff: time.Millisecond,
		MaxBackoff:  5 * time.Millisecond,
		Rand:        rand.New(rand.NewSource(1)),
	}
}

func eventOf(t testing.TB, res *Result, op, addr string) Event {
	t.Helper()
	for _, e := range res.Events {
		if e.Op == op && e.Address.String() == addr {
			return e
		}
	}
	t.Fatalf("no %s event for %s in %+v", op, addr, res.Events)
	return Event{}
}

func mustOK(t testing.TB, res *Result) {
	t.Helper()
	if !res.OK() {
		for _, e := range res.Events {
			t.Logf("%s %s: %s %v %s", e.Op, e.Address, e.Status, e.Err, e.Detail)
		}
		t.Fatalf("apply not OK: %d applied, %d failed, %d skipped, %d refused", res.Applied, res.Failed, res.Skipped, res.Refused)
	}
}

func index(calls []string, call string) int { return slices.Index(calls, call) }

func TestExecuteCreatesInDependencyOrder(t *testing.T) {
	f := newFake()
	f.delay = time.Millisecond
	s1 := ownedSub("s1", "t1")
	s1.IAM = grant(model.RoleSubscriber, "user:a@example.com")
	s2 := ownedSub("s2", "t2")
	s2.DeadLetter = &model.DeadLetter{Topic: model.FullName("p", model.KindTopic, "dlq"), MaxDeliveryAttempts: 5}
	p := planFor(t, f, cfgOf(ownedTopic("t1"), ownedTopic("t2"), ownedTopic("dlq"), s1, s2))
	var progress []Event
	var mu sync.Mutex
	o := testOptions()
	o.Progress = func(e Event) { mu.Lock(); progress = append(progress, e); mu.Unlock() }
	res := Execute(t.Context(), f, p, o)
	mustOK(t, res)
	if res.Applied != 6 || len(res.Events) != 6 {
		t.Fatalf("result %+v", res)
	}
	calls := f.allCalls()
	for _, dep := range [][2]string{
		{"CreateTopic t1", "CreateSubscription s1"},
		{"CreateTopic t2", "CreateSubscription s2"},
		{"CreateTopic dlq", "CreateSubscription s2"},
		{"CreateSubscription s1", "GetPolicy projects/p/subscriptions/s1"},
	} {
		if a, b := index(calls, dep[0]), index(calls, dep[1]); a < 0 || b < 0 || a > b {
			t.Errorf("%q must come before %q: %v", dep[0], dep[1], calls)
		}
	}
	// Events in plan order, one per change and IAM change.
	var want []string
	for _, ch := range p.Changes {
		want = append(want, string(ch.Action)+" "+ch.Address.String())
	}
	for _, ic := range p.IAM {
		want = append(want, "iam "+ic.Address.String())
	}
	var got []string
	for _, e := range res.Events {
		got = append(got, e.Op+" "+e.Address.String())
		if e.Attempts != 1 || e.Err != nil {
			t.Errorf("event %+v", e)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("events %v, want %v", got, want)
	}
	starts, finals := 0, 0
	for _, e := range progress {
		if e.Status == Started {
			starts++
		} else {
			finals++
		}
	}
	if starts != 6 || finals != 6 {
		t.Errorf("progress: %d starts, %d finals", starts, finals)
	}
	pol := f.policy("projects/p/subscriptions/s1")
	if pol == nil || !slices.Equal(pol.Members(model.RoleSubscriber), []string{"user:a@example.com"}) {
		t.Errorf("policy of s1 = %+v", pol)
	}
}

func TestExecuteParallelismBound(t *testing.T) {
	f := newFake()
	f.delay = 3 * time.Millisecond
	var rs []model.Resource
	for i := range 24 {
		rs = append(rs, ownedTopic(fmt.Sprintf("t%02d", i)))
	}
	p := planFor(t, f, cfgOf(rs...))
	o := testOptions()
	o.Parallelism = 3
	res := Execute(t.Context(), f, p, o)
	mustOK(t, res)
	if f.maxInflight != 3 {
		t.Errorf("max in flight = %d, want 3", f.maxInflight)
	}
	// Started in plan order.
	first := slices.Sorted(slices.Values(f.callsOf("CreateTopic")[:3]))
	if !slices.Equal(first, []string{"t00", "t01", "t02"}) {
		t.Errorf("first creates %v", first)
	}
}

func TestExecuteFailureSkipsDependents(t *testing.T) {
	f := newFake()
	f.before = func(method, id string) error {
		if method == "CreateTopic" && id == "orders" {
			return live.Fail(live.Denied, "caller lacks pubsub.topics.create")
		}
		return nil
	}
	sub := ownedSub("orders-billing", "orders")
	sub.IAM = grant(model.RoleSubscriber, "user:b@example.com")
	deep := ownedSub("orders-dlq-user", "other")
	deep.DeadLetter = &model.DeadLetter{Topic: model.FullName("p", model.KindTopic, "orders"), MaxDeliveryAttempts: 5}
	p := planFor(t, f, cfgOf(ownedTopic("orders"), ownedTopic("other"), sub, deep, ownedSub("other-sub", "other")))
	res := Execute(t.Context(), f, p, testOptions())
	if res.OK() || res.Failed != 1 || res.Skipped != 3 || res.Applied != 2 {
		t.Fatalf("result: %d applied %d failed %d skipped", res.Applied, res.Failed, res.Skipped)
	}
	fe := eventOf(t, res, "create", "topic.orders")
	if fe.Status != Failed || fe.Attempts != 1 {
		t.Errorf("failed event %+v", fe)
	}
	if msg := fe.Err.Error(); !strings.HasPrefix(msg, "create topic.orders (projects/p/topics/orders): ") {
		t.Errorf("error does not name the operation and resource: %v", msg)
	}
	if live.Classify(fe.Err) != live.Denied {
		t.Errorf("gRPC code lost: %v", live.Classify(fe.Err))
	}
	for _, e := range []Event{
		eventOf(t, res, "create", "subscription.orders-billing"),
		eventOf(t, res, "create", "subscription.orders-dlq-user"),
		eventOf(t, res, "iam", "subscription.orders-billing"), // transitive
	} {
		if e.Status != Skipped || e.Detail != "dependency topic.orders failed" {
			t.Errorf("dependent %s %s: %s %q", e.Op, e.Address, e.Status, e.Detail)
		}
	}
	if e := eventOf(t, res, "create", "subscription.other-sub"); e.Status != Applied {
		t.Errorf("independent subscription: %+v", e)
	}
	if n := len(f.callsOf("CreateTopic")); n != 2 {
		t.Errorf("PermissionDenied was retried: %v", f.callsOf("CreateTopic"))
	}
}

// scripted fails the first n calls of a method with code c.
func scripted(method string, n int, c live.Outcome) func(string, string) error {
	var count atomic.Int32
	return func(m, _ string) error {
		if m == method && int(count.Add(1)) <= n {
			return live.Fail(c, "scripted %s", c)
		}
		return nil
	}
}

func TestExecuteTransientRetries(t *testing.T) {
	tests := []struct {
		method   string
		code     live.Outcome
		n        int
		attempts int // 0: fails
	}{
		{"CreateTopic", live.Unavailable, 2, 3},
		{"CreateTopic", live.Throttled, 3, 4},
		{"CreateTopic", live.Conflict, 1, 2},
		{"CreateTopic", live.ServerError, 1, 0}, // not on mutations
		{"CreateTopic", live.Permanent, 1, 0},   // never
		{"CreateTopic", live.Precondition, 1, 0},
		{"CreateTopic", live.Unavailable, 100, 0}, // gives up after MaxAttempts
		{"GetPolicy", live.ServerError, 2, 3},     // reads retry Internal
		{"GetPolicy", live.Unknown, 1, 2},         // and deadlines
		{"SetPolicy", live.Unavailable, 1, 2},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%s-%s-%d", tc.method, tc.code, tc.n), func(t *testing.T) {
			f := newFake()
			tp := ownedTopic("t")
			tp.IAM = grant(model.RolePublisher, "user:p@example.com")
			p := planFor(t, f, cfgOf(tp))
			f.before = scripted(tc.method, tc.n, tc.code)
			o := testOptions()
			o.MaxAttempts = 5
			res := Execute(t.Context(), f, p, o)
			e := eventOf(t, res, "create", "topic.t")
			if tc.method != "CreateTopic" {
				e = eventOf(t, res, "iam", "topic.t")
			}
			if tc.attempts == 0 {
				if e.Status != Failed || live.Classify(e.Err) != tc.code {
					t.Fatalf("event %+v", e)
				}
				if tc.n == 100 && (e.Attempts != 5 || !strings.Contains(e.Err.Error(), "gave up after 5 attempts")) {
					t.Errorf("attempts %d: %v", e.Attempts, e.Err)
				}
				return
			}
			if e.Status != Applied || e.Attempts != tc.attempts {
				t.Fatalf("event %+v, want applied after %d attempts", e, tc.attempts)
			}
		})
	}
}

func TestBackoff(t *testing.T) {
	x := &executor{o: Options{BaseBackoff: 500 * time.Millisecond, MaxBackoff: 30 * time.Second, Rand: rand.New(rand.NewSource(7))}}
	x.policy = x.newPolicy() // the executor's limits and jitter source
	for n := 1; n <= 12; n++ {
		for range 50 {
			d := x.policy.Backoff(n, live.Unavailable)
			if d < 0 || d > min(30*time.Second, 500*time.Millisecond<<(n-1)) {
				t.Fatalf("Unavailable backoff(%d) = %v", n, d)
			}
			r := x.policy.Backoff(n, live.Throttled)
			if r < time.Second || r > 30*time.Second {
				t.Fatalf("ResourceExhausted backoff(%d) = %v, want >= 1s", n, r)
			}
		}
	}
}

// lostResponse makes the first call of method take effect but answer c:
// the outcome is unknown to the caller.
func lostResponse(method string, c live.Outcome) func(string, string) error {
	var once sync.Once
	return func(m, _ string) error {
		err := error(nil)
		if m == method {
			once.Do(func() { err = live.Fail(c, "response lost") })
		}
		return err
	}
}

func TestExecuteOutcomeUnknown(t *testing.T) {
	t.Run("create that took effect is not repeated", func(t *testing.T) {
		for _, c := range []live.Outcome{live.Unknown} {
			f := newFake()
			p := planFor(t, f, cfgOf(ownedTopic("t")))
			f.after = lostResponse("CreateTopic", c)
			res := Execute(t.Context(), f, p, testOptions())
			mustOK(t, res)
			if n := len(f.callsOf("CreateTopic")); n != 1 {
				t.Errorf("%s: %d creates", c, n)
			}
			if e := res.Events[0]; !strings.Contains(e.Detail, "read back, it had taken effect") {
				t.Errorf("detail %q", e.Detail)
			}
		}
	})
	t.Run("create that did not take effect is retried", func(t *testing.T) {
		f := newFake()
		p := planFor(t, f, cfgOf(ownedTopic("t")))
		f.before = scripted("CreateTopic", 1, live.Unknown)
		res := Execute(t.Context(), f, p, testOptions())
		mustOK(t, res)
		if n := len(f.callsOf("CreateTopic")); n != 2 || len(f.callsOf("GetTopic")) != 1 || res.Events[0].Attempts != 2 {
			t.Errorf("calls %v", f.allCalls())
		}
	})
	t.Run("update that took effect", func(t *testing.T) {
		f := newFake()
		f.topics["t"] = ownedTopic("t")
		want := ownedTopic("t")
		want.Labels["env"] = "prod"
		p := planFor(t, f, cfgOf(want))
		f.after = lostResponse("UpdateTopic", live.Unknown)
		res := Execute(t.Context(), f, p, testOptions())
		mustOK(t, res)
		if n := len(f.callsOf("UpdateTopic")); n != 1 {
			t.Errorf("updates %v", f.callsOf("UpdateTopic"))
		}
	})
	t.Run("update that did not take effect is retried", func(t *testing.T) {
		f := newFake()
		f.topics["t"] = ownedTopic("t")
		want := ownedTopic("t")
		want.Labels["env"] = "prod"
		p := planFor(t, f, cfgOf(want))
		f.before = scripted("UpdateTopic", 1, live.Unknown)
		res := Execute(t.Context(), f, p, testOptions())
		mustOK(t, res)
		if n := len(f.callsOf("UpdateTopic")); n != 2 || f.topics["t"].Labels["env"] != "prod" {
			t.Errorf("updates %v", f.callsOf("UpdateTopic"))
		}
	})
	t.Run("delete that took effect", func(t *testing.T) {
		f := newFake()
		f.topics["t"] = ownedTopic("t")
		p := planFor(t, f, cfgOf())
		f.after = lostResponse("DeleteTopic", live.Unknown)
		o := testOptions()
		o.AllowDestroy = true
		res := Execute(t.Context(), f, p, o)
		mustOK(t, res)
		if n := len(f.callsOf("DeleteTopic")); n != 1 {
			t.Errorf("deletes %v", f.callsOf("DeleteTopic"))
		}
	})
	t.Run("delete that did not take effect is retried", func(t *testing.T) {
		f := newFake()
		f.topics["t"] = ownedTopic("t")
		p := planFor(t, f, cfgOf())
		f.before = scripted("DeleteTopic", 2, live.Unknown)
		o := testOptions()
		o.AllowDestroy = true
		res := Execute(t.Context(), f, p, o)
		mustOK(t, res)
		if n := len(f.callsOf("DeleteTopic")); n != 3 || len(f.topics) != 0 {
			t.Errorf("deletes %v", f.callsOf("DeleteTopic"))
		}
	})
	t.Run("schema commit that took effect", func(t *testing.T) {
		f := newFake()
		f.schemas["sc"] = &model.Schema{Addr: model.Address{Kind: model.KindSchema, Name: "sc"}, Name: "sc", Type: "AVRO", Definition: `{"type":"string"}`}
		p := planFor(t, f, cfgOf(&model.Schema{Addr: model.Address{Kind: model.KindSchema, Name: "sc"}, Name: "sc", Type: "AVRO", Definition: `{"type":"int"}`}))
		if len(p.Changes) != 1 || !p.Changes[0].NewRevision {
			t.Fatalf("plan %+v", p.Changes)
		}
		f.after = lostResponse("CommitSchema", live.Unknown)
		res := Execute(t.Context(), f, p, testOptions())
		mustOK(t, res)
		if n := len(f.callsOf("CommitSchema")); n != 1 {
			t.Errorf("commits %v", f.callsOf("CommitSchema"))
		}
	})
	t.Run("IAM write that took effect", func(t *testing.T) {
		f := newFake()
		f.topics["t"] = ownedTopic("t")
		tp := ownedTopic("t")
		tp.IAM = grant(model.RolePublisher, "user:p@example.com")
		p := planFor(t, f, cfgOf(tp))
		f.after = lostResponse("SetPolicy", live.Unknown)
		res := Execute(t.Context(), f, p, testOptions())
		mustOK(t, res)
		if n := len(f.callsOf("SetPolicy")); n != 1 {
			t.Errorf("sets %v", f.callsOf("SetPolicy"))
		}
	})
	t.Run("gives up saying the outcome is unknown", func(t *testing.T) {
		f := newFake()
		f.topics["t"] = ownedTopic("t")
		want := ownedTopic("t")
		want.Labels["env"] = "prod"
		p := planFor(t, f, cfgOf(want))
		f.before = scripted("UpdateTopic", 100, live.Unknown)
		o := testOptions()
		o.MaxAttempts = 3
		res := Execute(t.Context(), f, p, o)
		e := res.Events[0]
		if e.Status != Failed || !strings.Contains(e.Err.Error(), "the outcome of the last one is unknown") || e.Attempts != 3 {
			t.Errorf("event %+v", e)
		}
	})
}

func TestExecuteAlreadyExists(t *testing.T) {
	other := ownedTopic("t")
	other.Labels[model.LabelStack] = "someone-else"
	bare := ownedTopic("t")
	bare.Labels = map[string]string{"team": "x"}
	tests := []struct {
		name     string
		existing *model.Topic
		wantErr  string
	}{
		{name: "ours: an earlier attempt's outcome", existing: ownedTopic("t")},
		{name: "another stack's", existing: other, wantErr: `exists but is not managed by this stack: it belongs to stack "someone-else"`},
		{name: "unlabelled", existing: bare, wantErr: "exists but is not managed by this stack: it has no pubsubctl ownership labels"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake()
			p := planFor(t, f, cfgOf(ownedTopic("t")))
			f.topics["t"] = tc.existing // created between plan and apply
			res := Execute(t.Context(), f, p, testOptions())
			e := res.Events[0]
			if tc.wantErr == "" {
				mustOK(t, res)
				if !strings.Contains(e.Detail, "already existed") {
					t.Errorf("detail %q", e.Detail)
				}
				return
			}
			if e.Status != Failed || !strings.Contains(e.Err.Error(), tc.wantErr) || !errors.Is(e.Err, errNotOurs) {
				t.Fatalf("event %+v", e)
			}
			if !strings.HasPrefix(e.Err.Error(), "create topic.t (projects/p/topics/t): ") || live.Classify(e.Err) != live.AlreadyExists {
				t.Errorf("error %v (code %v)", e.Err, live.Classify(e.Err))
			}
		})
	}
	t.Run("subscription with a different filter", func(t *testing.T) {
		f := newFake()
		f.topics["t"] = ownedTopic("t")
		p := planFor(t, f, cfgOf(ownedTopic("t"), ownedSub("s", "t")))
		ex := ownedSub("s", "t")
		ex.Filter = `attributes:x`
		f.subs["s"] = ex
		res := Execute(t.Context(), f, p, testOptions())
		if e := res.Events[0]; e.Status != Failed || !strings.Contains(e.Err.Error(), "with filter") {
			t.Fatalf("event %+v", e)
		}
	})
}

func TestExecuteDeleteNotFoundIsDone(t *testing.T) {
	f := newFake()
	f.topics["t"] = ownedTopic("t")
	f.subs["s"] = ownedSub("s", "t")
	p := planFor(t, f, cfgOf())
	delete(f.subs, "s") // someone else deleted it meanwhile
	o := testOptions()
	o.AllowDestroy = true
	res := Execute(t.Context(), f, p, o)
	mustOK(t, res)
	if e := eventOf(t, res, "delete", "subscription.s"); e.Detail != "it was already gone" {
		t.Errorf("event %+v", e)
	}
	if calls := f.allCalls(); !slices.Equal(calls, []string{"DeleteSubscription s", "DeleteTopic t"}) {
		t.Errorf("calls %v", calls)
	}
}

func TestExecuteUpdateAndAdoptFields(t *testing.T) {
	f := newFake()
	f.topics["t"] = ownedTopic("t")
	live := ownedSub("s", "t")
	f.subs["s"] = live
	bare := ownedTopic("adopted")
	bare.Labels = map[string]string{"team": "x"}
	f.topics["adopted"] = bare

	want := ownedSub("s", "t")
	want.AckDeadline = 30 * time.Second
	want.RetryPolicy = &model.RetryPolicy{MinimumBackoff: 10 * time.Second, MaximumBackoff: 600 * time.Second}
	want.Labels["env"] = "prod"
	adopted := ownedTopic("adopted")
	adopted.Labels["team"] = "x"
	c := cfgOf(ownedTopic("t"), adopted, want)
	if p := planFor(t, f, c); len(p.Unmanaged) != 1 {
		t.Fatalf("without --adopt: %+v", p.Unmanaged)
	}
	f.mu.Lock()
	l := &model.State{Project: "p", IAMSupported: true, Topics: []*model.Topic{cloneTopic(f.topics["t"]), cloneTopic(f.topics["adopted"])}, Subscriptions: []*model.Subscription{cloneSub(live)}}
	f.mu.Unlock()
	p := plan.Compute(c, l, plan.Options{Adopt: true})
	res := Execute(t.Context(), f, p, testOptions())
	mustOK(t, res)
	if got := f.callsOf("UpdateSubscription"); !slices.Equal(got, []string{"s [ack_deadline labels retry_policy]"}) {
		t.Errorf("UpdateSubscription %v", got)
	}
	if got := f.callsOf("UpdateTopic"); !slices.Equal(got, []string{"adopted [labels]"}) {
		t.Errorf("UpdateTopic %v", got)
	}
	if e := eventOf(t, res, "adopt", "topic.adopted"); e.Status != Applied {
		t.Errorf("adopt %+v", e)
	}
	if !model.OwnedBy(f.topics["adopted"].Labels, testStack) || f.subs["s"].AckDeadline != 30*time.Second {
		t.Errorf("state %+v %+v", f.topics["adopted"], f.subs["s"])
	}

	// Immutable fields never reach an update mask.
	ch := &plan.Change{Kind: model.KindSubscription, Action: plan.ActionAdopt, Fields: []plan.FieldDiff{{Path: "filter"}, {Path: "topic"}, {Path: "ack_deadline"}, {Path: "retry_policy.minimum_backoff"}, {Path: "retry_policy.maximum_backoff"}}}
	if got := updateFields(ch); !slices.Equal(got, []string{"ack_deadline", "retry_policy", "labels"}) {
		t.Errorf("updateFields = %v", got)
	}
}

func TestExecuteReplaceReappliesIAMInTheSameOperation(t *testing.T) {
	f := newFake()
	f.topics["t"] = ownedTopic("t")
	old := ownedSub("s", "t")
	old.Filter = `attributes:old`
	f.subs["s"] = old
	full := "projects/p/subscriptions/s"
	// Live policy: a role the configuration manages and one it does not.
	f.policies[full] = &model.Policy{Etag: "e0", Bindings: []model.PolicyBinding{
		{Role: model.RoleSubscriber, Members: []string{"user:gone@example.com"}},
		{Role: "roles/pubsub.viewer", Members: []string{"user:auditor@example.com"}},
	}}
	want := ownedSub("s", "t")
	want.Filter = `attributes:new`
	want.IAM = grant(model.RoleSubscriber, "user:worker@example.com")
	p := planFor(t, f, cfgOf(ownedTopic("t"), want))
	if len(p.Changes) != 1 || p.Changes[0].Action != plan.ActionReplace || len(p.IAM) != 1 {
		t.Fatalf("plan %+v %+v", p.Changes, p.IAM)
	}
	o := testOptions()
	o.AllowReplace = true
	res := Execute(t.Context(), f, p, o)
	mustOK(t, res)
	calls := f.allCalls()
	wantCalls := []string{"GetPolicy " + full, "DeleteSubscription s", "CreateSubscription s", "GetPolicy " + full, "SetPolicy " + full}
	if !slices.Equal(calls, wantCalls) {
		t.Errorf("calls %v, want %v", calls, wantCalls)
	}
	rep := eventOf(t, res, "replace", "subscription.s")
	ie := eventOf(t, res, "iam", "subscription.s")
	if !strings.Contains(rep.Detail, "re-applied in the same operation") || ie.Status != Applied || !strings.Contains(ie.Detail, "same operation") {
		t.Errorf("events %+v / %+v", rep, ie)
	}
	pol := f.policy(full)
	if !slices.Equal(pol.Members(model.RoleSubscriber), []string{"user:worker@example.com"}) ||
		!slices.Equal(pol.Members("roles/pubsub.viewer"), []string{"user:auditor@example.com"}) {
		t.Errorf("policy after replace %+v", pol)
	}
	if f.subs["s"].Filter != `attributes:new` {
		t.Errorf("subscription %+v", f.subs["s"])
	}
}

func TestExecuteReplaceCreateFailureSkipsIAM(t *testing.T) {
	f := newFake()
	f.topics["t"] = ownedTopic("t")
	old := ownedSub("s", "t")
	old.Filter = `attributes:old`
	f.subs["s"] = old
	want := ownedSub("s", "t")
	want.Filter = `attributes:new`
	want.IAM = grant(model.RoleSubscriber, "user:worker@example.com")
	p := planFor(t, f, cfgOf(ownedTopic("t"), want))
	f.before = scripted("CreateSubscription", 1, live.Permanent)
	o := testOptions()
	o.AllowReplace = true
	res := Execute(t.Context(), f, p, o)
	rep := eventOf(t, res, "replace", "subscription.s")
	if rep.Status != Failed || !strings.Contains(rep.Err.Error(), "it was deleted, but re-creating it failed") {
		t.Errorf("replace %+v", rep)
	}
	if ie := eventOf(t, res, "iam", "subscription.s"); ie.Status != Skipped {
		t.Errorf("iam %+v", ie)
	}
}

func TestExecuteIAMConflict(t *testing.T) {
	setup := func(t *testing.T) (*fakeTarget, *plan.Plan, string) {
		f := newFake()
		f.topics["t"] = ownedTopic("t")
		tp := ownedTopic("t")
		tp.IAM = grant(model.RolePublisher, "user:p@example.com")
		return f, planFor(t, f, cfgOf(tp)), "projects/p/topics/t"
	}
	// someoneElse adds a binding to a role we do not manage, between our
	// read and our write, n times.
	someoneElse := func(f *fakeTarget, full string, n int) func(string, string) error {
		var count atomic.Int32
		return func(m, _ string) error {
			if m == "SetPolicy" && int(count.Add(1)) <= n {
				f.mu.Lock()
				cur := clonePolicy(f.policies[full])
				cur.Bindings = append(cur.Bindings, model.PolicyBinding{Role: "roles/pubsub.viewer", Members: []string{fmt.Sprintf("user:other%d@example.com", count.Load())}})
				f.setLocked(full, cur)
				f.mu.Unlock()
			}
			return nil
		}
	}
	t.Run("retried and the other binding survives", func(t *testing.T) {
		f, p, full := setup(t)
		f.policies[full] = &model.Policy{Etag: "e0"}
		f.before = someoneElse(f, full, 2)
		res := Execute(t.Context(), f, p, testOptions())
		mustOK(t, res)
		e := res.Events[0]
		if e.Attempts != 3 || !strings.Contains(e.Detail, "changed concurrently") {
			t.Errorf("event %+v", e)
		}
		pol := f.policy(full)
		if !slices.Equal(pol.Members(model.RolePublisher), []string{"user:p@example.com"}) ||
			!slices.Equal(pol.Members("roles/pubsub.viewer"), []string{"user:other1@example.com", "user:other2@example.com"}) {
			t.Errorf("policy %+v", pol)
		}
	})
	t.Run("gives up after IAMRetries", func(t *testing.T) {
		f, p, full := setup(t)
		f.policies[full] = &model.Policy{Etag: "e0"}
		f.before = someoneElse(f, full, 100)
		o := testOptions()
		o.IAMRetries = 2
		res := Execute(t.Context(), f, p, o)
		e := res.Events[0]
		if e.Status != Failed || !errors.Is(e.Err, iam.ErrTooManyConflicts) || live.Classify(e.Err) != live.Conflict || len(f.callsOf("SetPolicy")) != 3 {
			t.Errorf("event %+v, sets %d", e, len(f.callsOf("SetPolicy")))
		}
		if !strings.HasPrefix(e.Err.Error(), "update IAM policy of topic.t (projects/p/topics/t): ") {
			t.Errorf("error %v", e.Err)
		}
	})
	t.Run("nothing written when the policy already matches", func(t *testing.T) {
		f, p, full := setup(t)
		f.policies[full] = &model.Policy{Etag: "e0", Bindings: []model.PolicyBinding{{Role: model.RolePublisher, Members: []string{"user:p@example.com"}}}}
		res := Execute(t.Context(), f, p, testOptions())
		mustOK(t, res)
		if len(f.callsOf("SetPolicy")) != 0 {
			t.Errorf("calls %v", f.allCalls())
		}
	})
}

func TestExecuteIAMEventualConsistency(t *testing.T) {
	f := newFake()
	tp := ownedTopic("t")
	tp.IAM = grant(model.RolePublisher, "user:p@example.com")
	p := planFor(t, f, cfgOf(tp))
	f.before = scripted("GetPolicy", 2, live.NotFound) // the new topic is not visible yet
	res := Execute(t.Context(), f, p, testOptions())
	mustOK(t, res)
	if e := res.Events[1]; e.Attempts != 3 {
		t.Errorf("event %+v", e)
	}

	// On a resource this run did not create, NotFound is final.
	f = newFake()
	f.topics["t"] = ownedTopic("t")
	p = planFor(t, f, cfgOf(tp))
	f.before = scripted("GetPolicy", 1, live.NotFound)
	res = Execute(t.Context(), f, p, testOptions())
	if e := res.Events[0]; e.Status != Failed || live.Classify(e.Err) != live.NotFound || e.Attempts != 1 {
		t.Errorf("event %+v", e)
	}
}

func TestExecuteInterruption(t *testing.T) {
	f := newFake()
	var rs []model.Resource
	for i := range 6 {
		rs = append(rs, ownedTopic(fmt.Sprintf("t%d", i)))
	}
	rs = append(rs, ownedSub("s0", "t0"))
	p := planFor(t, f, cfgOf(rs...))
	ctx, cancel := context.WithCancel(t.Context())
	release := make(chan struct{})
	var started atomic.Int32
	f.before = func(m, _ string) error {
		if m == "CreateTopic" {
			if started.Add(1) == 2 {
				cancel() // the first SIGINT, while two creates are in flight
			}
			<-release
		}
		return nil
	}
	o := testOptions()
	o.Parallelism = 2
	done := make(chan *Result)
	go func() { done <- Execute(ctx, f, p, o) }()
	for started.Load() < 2 {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(10 * time.Millisecond)
	close(release)
	res := <-done
	if !res.Interrupted || res.OK() || res.Applied != 2 || res.Skipped != 5 {
		t.Fatalf("result %+v", res)
	}
	for _, e := range res.Events {
		switch e.Status {
		case Applied:
			if e.Address.Name != "t0" && e.Address.Name != "t1" {
				t.Errorf("unexpected applied %+v", e)
			}
		case Skipped:
			if e.Detail != "not started: interrupted" {
				t.Errorf("skipped %+v", e)
			}
		default:
			t.Errorf("event %+v", e)
		}
	}
	if f.ctxErrs != 0 {
		t.Errorf("%d in-flight calls saw a cancelled context", f.ctxErrs)
	}
	if n := len(f.allCalls()); n != 2 {
		t.Errorf("calls after the interruption: %v", f.allCalls())
	}

	// Cancelled before the start: nothing runs.
	f = newFake()
	ctx, cancel = context.WithCancel(t.Context())
	cancel()
	res = Execute(ctx, f, p, o)
	if !res.Interrupted || res.Skipped != 7 || len(f.allCalls()) != 0 {
		t.Errorf("result %+v, calls %v", res, f.allCalls())
	}
}

// limitedFake is a Target that reports a client-side rate limit, as
// live.Client does; its before hook below makes every call report a 1s
// wait and refuses one call in three once for quota.
type limitedFake struct {
	*fakeTarget
	mu    sync.Mutex
	stats live.LimitStats
}

func (l *limitedFake) LimitStats() live.LimitStats {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.stats
}

func TestExecuteReportsTheTargetsRateLimit(t *testing.T) {
	f := newFake()
	lf := &limitedFake{fakeTarget: f, stats: live.LimitStats{OpsPerMinute: 60, Waits: 5, Delayed: 2, Waited: time.Minute, Throttled: 1}}
	var n int
	f.before = func(string, string) error {
		lf.mu.Lock()
		defer lf.mu.Unlock()
		n++
		lf.stats.Waits++
		lf.stats.Delayed++
		lf.stats.Waited += time.Second
		if n%3 == 1 {
			lf.stats.Throttled++
			return live.Fail(live.Throttled, "Quota exceeded")
		}
		return nil
	}
	var rs []model.Resource
	for i := range 6 {
		rs = append(rs, ownedTopic(fmt.Sprintf("t%d", i)))
	}
	p := planFor(t, f, cfgOf(rs...))
	o := testOptions()
	o.Parallelism = 1
	res := Execute(t.Context(), lf, p, o)
	mustOK(t, res)
	// What happened before Execute is not part of its result.
	want := live.LimitStats{OpsPerMinute: 60, Waits: 9, Delayed: 9, Waited: 9 * time.Second, Throttled: 3}
	if res.RateLimit != want {
		t.Errorf("RateLimit = %+v, want %+v", res.RateLimit, want)
	}
	// A Target without a limit reports nothing.
	if res := Execute(t.Context(), newFake(), p, o); res.RateLimit != (live.LimitStats{}) {
		t.Errorf("RateLimit of a plain Target = %+v", res.RateLimit)
	}
}

func TestExecuteEventsInPlanOrderWhateverTheCompletionOrder(t *testing.T) {
	f := newFake()
	var rs []model.Resource
	for i := range 12 {
		rs = append(rs, ownedTopic(fmt.Sprintf("t%02d", i)))
	}
	p := planFor(t, f, cfgOf(rs...))
	// Later topics finish first.
	f.before = func(_, id string) error {
		var n int
		fmt.Sscanf(id, "t%d", &n)
		time.Sleep(time.Duration(12-n) * time.Millisecond)
		return nil
	}
	var finished []string
	var mu sync.Mutex
	o := testOptions()
	o.Parallelism = 12
	o.Progress = func(e Event) {
		if e.Status != Started {
			mu.Lock()
			finished = append(finished, e.Address.Name)
			mu.Unlock()
		}
	}
	res := Execute(t.Context(), f, p, o)
	mustOK(t, res)
	var got []string
	for _, e := range res.Events {
		got = append(got, e.Address.Name)
	}
	if !slices.IsSorted(got) || slices.IsSorted(finished) {
		t.Errorf("events %v (completion order %v)", got, finished)
	}
}

func TestExecuteMalformedPlans(t *testing.T) {
	a := model.Address{Kind: model.KindTopic, Name: "a"}
	b := model.Address{Kind: model.KindTopic, Name: "b"}
	c := model.Address{Kind: model.KindTopic, Name: "c"}
	p := &plan.Plan{Project: "p", Stack: testStack, Changes: []plan.Change{
		{Address: a, Kind: model.KindTopic, ID: "a", Name: "projects/p/topics/a", Action: plan.ActionCreate, After: plan.Wrap(ownedTopic("a")), DependsOn: []model.Address{b}},
		{Address: b, Kind: model.KindTopic, ID: "b", Name: "projects/p/topics/b", Action: plan.ActionCreate, After: plan.Wrap(ownedTopic("b")), DependsOn: []model.Address{a}},
		// A dependency outside the plan is satisfied.
		{Address: c, Kind: model.KindTopic, ID: "c", Name: "projects/p/topics/c", Action: plan.ActionCreate, After: plan.Wrap(ownedTopic("c")),
			DependsOn: []model.Address{{Kind: model.KindSchema, Name: "elsewhere"}}},
		{Address: model.Address{Kind: model.KindTopic, Name: "d"}, Action: plan.ActionCreate}, // no resource
		{Address: model.Address{Kind: model.KindTopic, Name: "e"}, Action: "explode"},
	}}
	res := Execute(t.Context(), newFake(), p, testOptions())
	st := func(i int) Status { return res.Events[i].Status }
	if st(0) != Failed || st(1) != Failed || st(2) != Applied || st(3) != Failed || st(4) != Failed {
		t.Errorf("events %+v", res.Events)
	}
	if !strings.Contains(res.Events[0].Err.Error(), "cycle") {
		t.Errorf("cycle error %v", res.Events[0].Err)
	}
	if r := Execute(t.Context(), newFake(), nil, Options{}); len(r.Events) != 0 || !r.OK() {
		t.Errorf("nil plan %+v", r)
	}
}

func TestExecuteTargetPanicFailsOneOperation(t *testing.T) {
	f := newFake()
	p := planFor(t, f, cfgOf(ownedTopic("a"), ownedTopic("b")))
	f.before = func(_, id string) error {
		if id == "a" {
			panic("boom")
		}
		return nil
	}
	res := Execute(t.Context(), f, p, testOptions())
	if res.Events[0].Status != Failed || res.Events[1].Status != Applied || !strings.Contains(res.Events[0].Err.Error(), "boom") {
		t.Errorf("events %+v", res.Events)
	}
}

func TestExecuteReplaceIAMOutcomes(t *testing.T) {
	setup := func(declare bool) (*fakeTarget, *plan.Plan) {
		f := newFake()
		f.topics["t"] = ownedTopic("t")
		old := ownedSub("s", "t")
		old.Filter = `attributes:old`
		f.subs["s"] = old
		f.policies["projects/p/subscriptions/s"] = &model.Policy{Etag: "e0", Bindings: []model.PolicyBinding{
			{Role: "roles/pubsub.viewer", Members: []string{"user:auditor@example.com"}},
		}}
		want := ownedSub("s", "t")
		want.Filter = `attributes:new`
		if declare {
			want.IAM = grant(model.RoleSubscriber, "user:worker@example.com")
		}
		return f, planFor(t, f, cfgOf(ownedTopic("t"), want))
	}
	o := testOptions()
	o.AllowReplace = true

	t.Run("bindings carried over without declared IAM", func(t *testing.T) {
		f, p := setup(false)
		if len(p.IAM) != 0 {
			t.Fatalf("plan IAM %+v", p.IAM)
		}
		res := Execute(t.Context(), f, p, o)
		mustOK(t, res)
		if e := res.Events[0]; !strings.Contains(e.Detail, "previous IAM bindings re-applied") {
			t.Errorf("detail %q", e.Detail)
		}
		if m := f.policy("projects/p/subscriptions/s").Members("roles/pubsub.viewer"); !slices.Equal(m, []string{"user:auditor@example.com"}) {
			t.Errorf("viewer %v", m)
		}
	})
	t.Run("IAM failure after the re-create fails the iam event", func(t *testing.T) {
		f, p := setup(true)
		f.before = scripted("SetPolicy", 1, live.Denied)
		res := Execute(t.Context(), f, p, o)
		rep, ie := eventOf(t, res, "replace", "subscription.s"), eventOf(t, res, "iam", "subscription.s")
		if rep.Status != Applied || !strings.Contains(rep.Detail, "FAILED") {
			t.Errorf("replace %+v", rep)
		}
		if ie.Status != Failed || live.Classify(ie.Err) != live.Denied || !strings.HasPrefix(ie.Err.Error(), "update IAM policy of subscription.s (projects/p/subscriptions/s): ") {
			t.Errorf("iam %+v", ie)
		}
		if res.OK() || res.Failed != 1 {
			t.Errorf("result %+v", res)
		}
	})
	t.Run("IAM failure without a planned IAM change fails the replace", func(t *testing.T) {
		f, p := setup(false)
		f.before = scripted("SetPolicy", 1, live.Denied)
		res := Execute(t.Context(), f, p, o)
		if e := res.Events[0]; e.Status != Failed || !strings.Contains(e.Err.Error(), "re-applying its previous IAM bindings") {
			t.Errorf("replace %+v", e)
		}
	})
	t.Run("unreadable policy before the delete changes nothing", func(t *testing.T) {
		f, p := setup(true)
		f.before = scripted("GetPolicy", 100, live.ServerError)
		o := o
		o.MaxAttempts = 2
		res := Execute(t.Context(), f, p, o)
		if e := res.Events[0]; e.Status != Failed || !strings.Contains(e.Err.Error(), "nothing was changed") || len(f.callsOf("DeleteSubscription")) != 0 {
			t.Errorf("replace %+v", e)
		}
	})
}
