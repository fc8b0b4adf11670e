package live

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/pubsub/v2/pstest"
	"golang.org/x/sync/errgroup"
	"google.golang.org/grpc/codes"

	"github.com/pubsubctl/pubsubctl/model"
)

// createTopics creates n topics t-00000... with bounded concurrency.
func createTopics(t testing.TB, ctx context.Context, c *Client, n int) {
	t.Helper()
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(64)
	for i := range n {
		g.Go(func() error {
			_, err := c.CreateTopic(gctx, &model.Topic{Name: fmt.Sprintf("t-%05d", i)})
			return err
		})
	}
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
}

func TestReadPaging(t *testing.T) {
	ctx := testCtx(t)
	_, c := startPstest(t)
	createTopics(t, ctx, c, 2500)
	st := mustRead(t, ctx, c, ReadOptions{})
	if len(st.Topics) != 2500 {
		t.Fatalf("read %d topics, want 2500", len(st.Topics))
	}
	for i, tp := range st.Topics {
		if want := fmt.Sprintf("t-%05d", i); tp.Name != want {
			t.Fatalf("topic %d = %q, want %q", i, tp.Name, want)
		}
	}
	if n := st.RPCs["ListTopics"]; n != 3 {
		t.Errorf("ListTopics RPCs = %d, want 3 (pages of 1000)", n)
	}
	if st.RPCs["ListSubscriptions"] != 1 || st.RPCs["ListSchemas"] != 1 {
		t.Errorf("RPCs = %v", st.RPCs)
	}
	for _, m := range []string{"GetTopic", "GetSubscription", "GetSchema", "GetIamPolicy"} {
		if st.RPCs[m] != 0 {
			t.Errorf("Read made %d %s RPCs", st.RPCs[m], m)
		}
	}
	// Client-wide counts include the creates.
	if got := c.RPCCounts()["CreateTopic"]; got != 2500 {
		t.Errorf("CreateTopic count %d", got)
	}
}

// TestReadRetriesTransientErrors: two Unavailable answers on each list
// are retried; the RPC counts show the retries.
func TestReadRetriesTransientErrors(t *testing.T) {
	ctx := testCtx(t)
	lt, ls, lsc := newFlaky(0, codes.Unavailable), newFlaky(0, codes.Internal), newFlaky(0, codes.ResourceExhausted)
	_, c := startPstest(t,
		pstest.ServerReactorOption{FuncName: "ListTopics", Reactor: lt},
		pstest.ServerReactorOption{FuncName: "ListSubscriptions", Reactor: ls},
		pstest.ServerReactorOption{FuncName: "ListSchemas", Reactor: lsc},
	)
	if _, err := c.CreateTopic(ctx, &model.Topic{Name: "t"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateSubscription(ctx, &model.Subscription{Name: "s", Topic: "t"}); err != nil {
		t.Fatal(err)
	}
	lt.set(2, codes.Unavailable)
	ls.set(1, codes.Internal) // reads also retry Internal
	lsc.set(1, codes.ResourceExhausted)
	st := mustRead(t, ctx, c, ReadOptions{})
	if len(st.Topics) != 1 || len(st.Subscriptions) != 1 {
		t.Fatalf("state %v %v", st.Topics, st.Subscriptions)
	}
	if st.RPCs["ListTopics"] != 3 || st.RPCs["ListSubscriptions"] != 2 || st.RPCs["ListSchemas"] != 2 {
		t.Errorf("RPCs = %v, want ListTopics 3, ListSubscriptions 2, ListSchemas 2", st.RPCs)
	}
}

func TestReadGivesUpAfterMaxAttempts(t *testing.T) {
	ctx := testCtx(t)
	srv := pstest.NewServer(pstest.WithErrorInjection("ListTopics", codes.Unavailable, "down"))
	t.Cleanup(func() { _ = srv.Close() })
	c, err := New(ctx, Options{Project: testProject, Emulator: srv.Addr, BaseBackoff: time.Millisecond, MaxAttempts: 4})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, err = readCounted(ctx, c, ReadOptions{})
	if Code(err) != codes.Unavailable || !strings.HasPrefix(err.Error(), "list topics projects/p: ") ||
		!strings.Contains(err.Error(), "after 3 retries") {
		t.Errorf("Read: %v", err)
	}
	if n := c.RPCCounts()["ListTopics"]; n != 4 {
		t.Errorf("ListTopics sent %d times, want 4", n)
	}
}

// TestSingleAttemptMethods: the methods apply's executor calls
// (apply.Target) make one attempt whatever the error, classified, so that
// the executor's retries are never stacked on the client's.
func TestSingleAttemptMethods(t *testing.T) {
	ctx := testCtx(t)
	f := newFlaky(0, codes.OK)
	g := newFlaky(0, codes.OK)
	_, c := startPstest(t, pstest.ServerReactorOption{FuncName: "CreateTopic", Reactor: f}, pstest.ServerReactorOption{FuncName: "GetTopic", Reactor: g})
	for i, tc := range []struct {
		code codes.Code
		want Outcome
	}{
		{codes.Unavailable, Unavailable},
		{codes.ResourceExhausted, Throttled},
		{codes.Internal, ServerError},
		{codes.Unknown, Unknown},
		{codes.Aborted, Conflict},
		{codes.DeadlineExceeded, Unknown},
		{codes.InvalidArgument, Permanent},
	} {
		f.set(1, tc.code)
		f.calls.Store(0)
		_, err := c.CreateTopic(ctx, &model.Topic{Name: fmt.Sprintf("t%d", i)})
		if Classify(err) != tc.want || !strings.HasPrefix(err.Error(), "create topic projects/p/topics/") {
			t.Errorf("CreateTopic after %v: err %v, outcome %v, want %v", tc.code, err, Classify(err), tc.want)
		}
		if n := f.calls.Load(); n != 1 {
			t.Errorf("CreateTopic after %v: sent %d times, want 1", tc.code, n)
		}
		g.set(1, tc.code)
		g.calls.Store(0)
		_, err = c.GetTopic(ctx, "missing")
		if Classify(err) != tc.want {
			t.Errorf("GetTopic after %v: outcome %v, want %v", tc.code, Classify(err), tc.want)
		}
		if n := g.calls.Load(); n != 1 {
			t.Errorf("GetTopic after %v: sent %d times, want 1", tc.code, n)
		}
	}
}

func TestRetryRespectsContext(t *testing.T) {
	srv := pstest.NewServer(pstest.WithErrorInjection("ListTopics", codes.Unavailable, "down"))
	t.Cleanup(func() { _ = srv.Close() })
	c, err := New(context.Background(), Options{Project: testProject, Emulator: srv.Addr, BaseBackoff: time.Hour, MaxAttempts: 100})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = readCounted(ctx, c, ReadOptions{})
	if time.Since(start) > 10*time.Second {
		t.Errorf("Read took %v after the context deadline", time.Since(start))
	}
	if err == nil || !strings.HasPrefix(err.Error(), "list topics projects/p: ") {
		t.Errorf("Read: %v", err)
	}
	if c := Code(err); c != codes.DeadlineExceeded {
		t.Errorf("code %v, want DeadlineExceeded", c)
	}
}

// TestIAMUnsupportedPstest: pstest has no IAM service. Read reports
// IAMSupported=false without an error after a single probe.
func TestIAMUnsupportedPstest(t *testing.T) {
	ctx := testCtx(t)
	_, c := startPstest(t)
	createTopics(t, ctx, c, 20)
	if _, err := c.CreateSubscription(ctx, &model.Subscription{Name: "s", Topic: "t-00000"}); err != nil {
		t.Fatal(err)
	}
	var asked []string
	st, err := readCounted(ctx, c, ReadOptions{IAMFor: func(k model.Kind, name string) bool {
		asked = append(asked, name)
		return true
	}})
	if err != nil {
		t.Fatalf("Read with IAM on pstest: %v", err)
	}
	if st.IAMSupported {
		t.Error("IAMSupported = true on pstest")
	}
	if len(st.Policies) != 0 {
		t.Errorf("policies %v", st.Policies)
	}
	if n := st.RPCs["GetIamPolicy"]; n != 1 {
		t.Errorf("GetIamPolicy RPCs = %d, want 1 (the probe)", n)
	}
	if len(asked) != 21 || asked[0] != "projects/p/topics/t-00000" || asked[20] != "projects/p/subscriptions/s" {
		t.Errorf("IAMFor asked about %d resources: %v", len(asked), asked)
	}
	_, err = c.GetPolicy(ctx, model.KindTopic, "t-00000")
	if !IsUnimplemented(err) || !strings.HasPrefix(err.Error(), "get IAM policy of topic projects/p/topics/t-00000: ") {
		t.Errorf("GetPolicy: %v", err)
	}
	_, err = c.SetPolicy(ctx, model.KindSubscription, "s", &model.Policy{})
	if !IsUnimplemented(err) || !strings.HasPrefix(err.Error(), "set IAM policy of subscription projects/p/subscriptions/s: ") {
		t.Errorf("SetPolicy: %v", err)
	}
	// Once known, later reads do not probe again.
	st = mustRead(t, ctx, c, ReadOptions{IAMFor: func(model.Kind, string) bool { return true }})
	if st.IAMSupported || st.RPCs["GetIamPolicy"] != 0 {
		t.Errorf("second read: IAMSupported %v, RPCs %v", st.IAMSupported, st.RPCs)
	}
}

// TestReadCountsAreOwn: State.RPCs counts only that Read's RPCs even when
// other calls share the client.
func TestReadCountsAreOwn(t *testing.T) {
	ctx := testCtx(t)
	_, c := startPstest(t)
	createTopics(t, ctx, c, 10)
	st := mustRead(t, ctx, c, ReadOptions{})
	if len(st.RPCs) != 3 || st.RPCs["CreateTopic"] != 0 {
		t.Errorf("RPCs %v", st.RPCs)
	}
}

// BenchmarkRead1000 reads 500 topics and 500 subscriptions from pstest.
func BenchmarkRead1000(b *testing.B) {
	ctx := context.Background()
	_, c := startPstest(b)
	createTopics(b, ctx, c, 500)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(64)
	for i := range 500 {
		g.Go(func() error {
			_, err := c.CreateSubscription(gctx, &model.Subscription{
				Name: fmt.Sprintf("s-%05d", i), Topic: fmt.Sprintf("t-%05d", i),
				AckDeadline: 60 * time.Second, Expiration: model.Expiration{Never: true},
				RetryPolicy: &model.RetryPolicy{MinimumBackoff: 10 * time.Second, MaximumBackoff: 600 * time.Second},
				Labels:      map[string]string{"managed-by": "pubsubctl", "pubsubctl-stack": "bench"},
			})
			return err
		})
	}
	if err := g.Wait(); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	rpcs := 0
	for b.Loop() {
		st, err := readCounted(ctx, c, ReadOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if len(st.Topics) != 500 || len(st.Subscriptions) != 500 {
			b.Fatalf("read %d topics, %d subscriptions", len(st.Topics), len(st.Subscriptions))
		}
		for _, n := range st.RPCs {
			rpcs += n
		}
	}
	b.ReportMetric(float64(rpcs)/float64(b.N), "RPCs/op")
}

// TestReadProgress: Read counts what it listed as it goes, for the status
// line of a long plan.
func TestReadProgress(t *testing.T) {
	ctx := testCtx(t)
	_, c := startPstest(t)
	createTopics(t, ctx, c, 25)
	var p ReadProgress
	if _, err := c.Read(ctx, ReadOptions{Progress: &p}); err != nil {
		t.Fatal(err)
	}
	if p.Listed.Load() != 25 || p.PoliciesToRead.Load() != 0 {
		t.Errorf("listed %d, policies to read %d", p.Listed.Load(), p.PoliciesToRead.Load())
	}
}
