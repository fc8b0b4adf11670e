package live

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/protoadapt"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	"github.com/pubsubctl/pubsubctl/internal/emulator"
	"github.com/pubsubctl/pubsubctl/model"
)

// fakeClock is a clock the test moves; sleeping records the delay and
// does not move it, so calls at one instant stand for concurrent callers.
type fakeClock struct {
	now    time.Time
	slept  []time.Duration
	cancel bool // sleep fails as if ctx were cancelled
}

func (c *fakeClock) Now() time.Time { return c.now }

func (c *fakeClock) Sleep(_ context.Context, d time.Duration) error {
	c.slept = append(c.slept, d)
	if c.cancel {
		return context.Canceled
	}
	return nil
}

// TestLimiterBucket: at each offset from the start, one call waits on the
// limiter; the delays it sleeps and the stats are exact (no real time).
func TestLimiterBucket(t *testing.T) {
	ms := time.Millisecond
	for _, tc := range []struct {
		name       string
		perMinute  int
		at         []time.Duration // when each call arrives
		wantDelays []time.Duration // sleeps, in order (calls that did not wait sleep nothing)
		want       LimitStats
	}{
		{"no limit: nothing waits and nothing is counted", 0,
			[]time.Duration{0, 0, 0, 0}, nil, LimitStats{}},
		{"one per second, three callers at once", 60,
			[]time.Duration{0, 0, 0}, []time.Duration{time.Second, 2 * time.Second},
			LimitStats{OpsPerMinute: 60, Waits: 3, Delayed: 2, Waited: 2 * time.Second}},
		{"spaced calls never wait", 60,
			[]time.Duration{0, time.Second, 2 * time.Second, 5 * time.Second}, nil,
			LimitStats{OpsPerMinute: 60, Waits: 4}},
		{"the burst is one second's worth", 600,
			[]time.Duration{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, []time.Duration{100 * ms, 200 * ms},
			LimitStats{OpsPerMinute: 600, Waits: 12, Delayed: 2, Waited: 200 * ms}},
		{"waits apart add up, waits that overlap count once", 60,
			[]time.Duration{0, 0, 500 * ms, 10 * time.Second, 10 * time.Second},
			[]time.Duration{time.Second, 1500 * ms, time.Second},
			LimitStats{OpsPerMinute: 60, Waits: 5, Delayed: 3, Waited: 3 * time.Second}},
		{"below one per second", 30,
			[]time.Duration{0, 0}, []time.Duration{2 * time.Second},
			LimitStats{OpsPerMinute: 30, Waits: 2, Delayed: 1, Waited: 2 * time.Second}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
			clk := &fakeClock{now: start}
			l := newLimiter(tc.perMinute, clk.Now, clk.Sleep)
			for i, at := range tc.at {
				clk.now = start.Add(at)
				if err := l.Wait(context.Background()); err != nil {
					t.Fatalf("call %d: %v", i, err)
				}
			}
			if fmt.Sprint(clk.slept) != fmt.Sprint(tc.wantDelays) {
				t.Errorf("slept %v, want %v", clk.slept, tc.wantDelays)
			}
			if got := l.Stats(); got != tc.want {
				t.Errorf("Stats = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestLimiterCancelAndDeadline(t *testing.T) {
	start := time.Now() // the clock is fake, but ctx deadlines are real times
	clk := &fakeClock{now: start}
	l := newLimiter(60, clk.Now, clk.Sleep)
	if err := l.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	// A wait of 1s that would outlast the call's deadline is not started:
	// a ResourceExhausted status (retried as Throttled), nothing slept,
	// nothing counted, and the token is given back.
	ctx, cancel := context.WithDeadline(context.Background(), start.Add(500*time.Millisecond))
	defer cancel()
	err := l.Wait(ctx)
	if status.Code(err) != codes.ResourceExhausted || Classify(err) != Throttled {
		t.Errorf("wait past the deadline: %v", err)
	}
	if len(clk.slept) != 0 || l.Stats().Waits != 1 {
		t.Errorf("slept %v, stats %+v", clk.slept, l.Stats())
	}
	// An interrupted wait returns ctx's error and gives its token back.
	clk.cancel = true
	if err := l.Wait(context.Background()); err != context.Canceled {
		t.Errorf("interrupted wait: %v", err)
	}
	clk.cancel, clk.slept = false, nil
	clk.now = start.Add(time.Second)
	if err := l.Wait(context.Background()); err != nil || len(clk.slept) != 0 {
		t.Errorf("after the cancelled wait: %v, slept %v", err, clk.slept)
	}
	var nilLimiter *Limiter
	if err := nilLimiter.Wait(context.Background()); err != nil || nilLimiter.Stats() != (LimitStats{}) || nilLimiter.OpsPerMinute() != 0 {
		t.Error("a nil Limiter limits")
	}
}

func TestLimitStatsSince(t *testing.T) {
	a := LimitStats{OpsPerMinute: 60, Waits: 10, Delayed: 4, Waited: 3 * time.Second, Throttled: 2}
	b := LimitStats{OpsPerMinute: 60, Waits: 25, Delayed: 5, Waited: 4 * time.Second, Throttled: 7}
	if got, want := b.Since(a), (LimitStats{OpsPerMinute: 60, Waits: 15, Delayed: 1, Waited: time.Second, Throttled: 5}); got != want {
		t.Errorf("Since = %+v, want %+v", got, want)
	}
}

func TestDefaultLimitByTarget(t *testing.T) {
	for _, tc := range []struct {
		opt      int
		emulator bool
		want     int
	}{
		{0, false, DefaultOpsPerMinute},
		{0, true, 0},
		{600, true, 600},
		{600, false, 600},
		{-1, false, 0},
		{-1, true, 0},
	} {
		if got := opsPerMinute(tc.opt, tc.emulator); got != tc.want {
			t.Errorf("opsPerMinute(%d, emulator=%v) = %d, want %d", tc.opt, tc.emulator, got, tc.want)
		}
	}
}

// work makes a few reads and writes of every kind the client makes.
func work(t *testing.T, c *Client) {
	t.Helper()
	ctx := testCtx(t)
	for i := range 3 {
		if _, err := c.CreateTopic(ctx, &model.Topic{Name: fmt.Sprintf("topic-%d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.CreateSubscription(ctx, &model.Subscription{Name: "sub-0", Topic: "topic-0"}); err != nil {
		t.Fatal(err)
	}
	all := func(model.Kind, string) bool { return true }
	if _, err := c.Read(ctx, ReadOptions{IAMFor: all}); err != nil {
		t.Fatal(err)
	}
}

func rpcTotal(c *Client) int64 {
	var n int64
	for _, v := range c.RPCCounts() {
		n += int64(v)
	}
	return n
}

// TestLimitOffOnEmulatorByDefault counts waits, not time: against an
// emulator a client made with the default options has no limit and no
// RPC goes through one; with OpsPerMinute every RPC (writes, List pages,
// policy reads) goes through it exactly once per attempt.
func TestLimitOffOnEmulatorByDefault(t *testing.T) {
	srv, c := startEmulator(t)
	work(t, c)
	if got := c.LimitStats(); got != (LimitStats{}) {
		t.Errorf("default client on an emulator: LimitStats %+v, want none", got)
	}
	// The same through PUBSUB_EMULATOR_HOST.
	c2, err := New(testCtx(t), Options{Project: "p2", Env: []string{EnvEmulatorHost + "=" + srv.Addr()}})
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	work(t, c2)
	if got := c2.LimitStats(); got != (LimitStats{}) {
		t.Errorf("client from the environment: LimitStats %+v, want none", got)
	}

	c3, err := New(testCtx(t), Options{Project: "p3", Emulator: srv.Addr(), OpsPerMinute: 6_000_000})
	if err != nil {
		t.Fatal(err)
	}
	defer c3.Close()
	work(t, c3)
	got := c3.LimitStats()
	if got.OpsPerMinute != 6_000_000 || got.Waits == 0 || got.Waits != rpcTotal(c3) {
		t.Errorf("with --ops-per-minute: LimitStats %+v, RPCs %v", got, c3.RPCCounts())
	}
}

// TestSharedLimiterAndQuota: two clients of one project share a Limiter,
// and the service's quota refusals are counted and retried by Read.
func TestSharedLimiterAndQuota(t *testing.T) {
	srv, err := emulator.Start(testCtx(t), emulator.Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	lim := NewLimiter(6_000_000)
	var cs []*Client
	for range 2 {
		c, err := New(testCtx(t), Options{Project: testProject, Emulator: srv.Addr(), Limiter: lim, BaseBackoff: time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		cs = append(cs, c)
	}
	if _, err := cs[0].CreateTopic(testCtx(t), &model.Topic{Name: "topic-a"}); err != nil {
		t.Fatal(err)
	}
	if _, err := cs[1].Read(testCtx(t), ReadOptions{}); err != nil {
		t.Fatal(err)
	}
	if got, want := lim.Stats().Waits, rpcTotal(cs[0])+rpcTotal(cs[1]); got != want || cs[0].LimitStats() != cs[1].LimitStats() {
		t.Errorf("shared limiter: %d waits for %d RPCs; stats %+v and %+v", got, want, cs[0].LimitStats(), cs[1].LimitStats())
	}

	// One operation per minute: the first call takes the token and the
	// next ones are refused; each refusal is counted, on both sides.
	srv.SetQuota(1)
	ctx := testCtx(t)
	if _, err := cs[0].GetTopic(ctx, "topic-a"); err != nil {
		t.Fatal(err)
	}
	before := cs[0].LimitStats()
	for range 3 {
		if _, err := cs[0].GetTopic(ctx, "topic-a"); Classify(err) != Throttled {
			t.Fatalf("GetTopic over the quota: %v", err)
		}
	}
	if n, refused := cs[0].LimitStats().Since(before).Throttled, srv.QuotaRefusals()[testProject]; n != 3 || refused != 3 {
		t.Errorf("client counted %d refusals, the emulator %d; want 3", n, refused)
	}
	// Read retries the refusals, and gives up as Throttled.
	if _, err := cs[0].Read(ctx, ReadOptions{}); Classify(err) != Throttled || !strings.Contains(err.Error(), "gave up after") {
		t.Errorf("Read under an exhausted quota: %v", err)
	}
}

// TestLimiterAdapts drives the pace with refusals and answers on a fake
// clock: cuts halve it (once per round of calls, not below minPace),
// answers raise it back up to the limit set.
func TestLimiterAdapts(t *testing.T) {
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	ctx := context.Background()

	t.Run("without a limit, the first refusal paces at half the sending rate", func(t *testing.T) {
		clk := &fakeClock{now: start}
		l := newLimiter(0, clk.Now, clk.Sleep)
		var tickets []uint64
		for i := range 40 { // one call a millisecond: 1000/s
			clk.now = start.Add(time.Duration(i) * time.Millisecond)
			tk, err := l.admit(ctx)
			if err != nil {
				t.Fatal(err)
			}
			tickets = append(tickets, tk)
		}
		if l.Stats() != (LimitStats{}) {
			t.Fatalf("no limit yet, but Stats = %+v", l.Stats())
		}
		l.throttled(tickets[30])
		if l.pace != 500 {
			t.Errorf("pace after the first refusal = %v, want 500", l.pace)
		}
		// The refusals of the other calls sent before the cut change nothing.
		for _, tk := range tickets {
			l.throttled(tk)
		}
		if l.pace != 500 {
			t.Errorf("pace after refusals of earlier calls = %v, want 500", l.pace)
		}
		// The bucket was emptied: the next call waits for a token (2ms at 500/s).
		tk, _ := l.admit(ctx)
		if fmt.Sprint(clk.slept) != "[2ms]" {
			t.Errorf("slept %v, want [2ms]", clk.slept)
		}
		// A refusal of a call sent after the cut cuts again.
		l.throttled(tk)
		if l.pace != 250 {
			t.Errorf("pace after a second refusal = %v, want 250", l.pace)
		}
		got := l.Stats()
		want := LimitStats{Waits: 1, Delayed: 1, Waited: 2 * time.Millisecond, Throttled: 42, Slowest: 250 * 60}
		if got != want {
			t.Errorf("Stats = %+v, want %+v", got, want)
		}
	})

	t.Run("cuts stop at the floor; answers raise the pace up to the limit", func(t *testing.T) {
		clk := &fakeClock{now: start}
		l := newLimiter(600, clk.Now, clk.Sleep) // 10/s
		for range 100 {
			l.answered()
		}
		if l.pace != 10 {
			t.Errorf("answers raised an uncut pace: %v", l.pace)
		}
		for i := range 10 {
			clk.now = start.Add(time.Duration(i) * time.Minute)
			tk, _ := l.admit(ctx)
			l.throttled(tk)
		}
		if l.pace != minPace || l.Stats().Slowest != 60 || l.bucket.Burst() != 1 {
			t.Errorf("after 10 cuts: pace %v, burst %d, Slowest %d; want the floor", l.pace, l.bucket.Burst(), l.Stats().Slowest)
		}
		for range 20 {
			l.answered()
		}
		if l.pace < 2.99 || l.pace > 3.01 {
			t.Errorf("pace after 20 answers = %v, want 3", l.pace)
		}
		for range 1000 {
			l.answered()
		}
		if l.pace != 10 || l.bucket.Burst() != 10 || l.Stats().OpsPerMinute != 600 {
			t.Errorf("pace after many answers = %v (burst %d), want the limit, 10", l.pace, l.bucket.Burst())
		}
	})

	t.Run("without a limit, a cut pace grows without bound", func(t *testing.T) {
		clk := &fakeClock{now: start}
		l := newLimiter(0, clk.Now, clk.Sleep)
		tk, _ := l.admit(ctx)
		l.throttled(tk) // one call: no rate known, so the floor
		if l.pace != minPace {
			t.Errorf("pace = %v, want the floor", l.pace)
		}
		for range 1000 {
			l.answered()
		}
		if l.pace < 100.9 || l.pace > 101.1 {
			t.Errorf("pace after 1000 answers = %v, want 101", l.pace)
		}
	})
}

func TestIsQuotaRefusal(t *testing.T) {
	// ErrorInfo{reason: RATE_LIMIT_EXCEEDED}, built from the registry.
	mt, err := protoregistry.GlobalTypes.FindMessageByName("google.rpc.ErrorInfo")
	if err != nil {
		t.Fatal(err)
	}
	info := mt.New()
	info.Set(info.Descriptor().Fields().ByName("reason"), protoreflect.ValueOfString("RATE_LIMIT_EXCEEDED"))
	withInfo, err := status.New(codes.ResourceExhausted, "too fast").WithDetails(protoadapt.MessageV1Of(info.Interface()))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{status.Error(codes.ResourceExhausted, "Quota exceeded for quota metric 'Administrator operations' and limit 'Administrator operations per minute' of service 'pubsub.googleapis.com' for consumer 'project_number:1'."), true},
		{status.Error(codes.ResourceExhausted, "Insufficient tokens for quota 'administrator' and limit 'CLIENT_PROJECT-100s'"), true},
		{withInfo.Err(), true},
		{&Error{Op: "create topic", Resource: "projects/p/topics/t", Err: status.Error(codes.ResourceExhausted, "Quota exceeded for quota metric")}, true},
		{status.Error(codes.ResourceExhausted, "emulator: injected fault for CreateTopic"), false},
		{status.Error(codes.ResourceExhausted, "Your project has exceeded a limit: (type=\"topics-per-project\")"), false},
		{status.Error(codes.Unavailable, "Quota exceeded"), false},
		{context.Canceled, false},
		{nil, false},
	} {
		if got := isQuotaRefusal(tc.err); got != tc.want {
			t.Errorf("isQuotaRefusal(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}
