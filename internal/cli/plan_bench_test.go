package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/pubsubctl/pubsubctl/iam"
	"github.com/pubsubctl/pubsubctl/internal/emulator"
	"github.com/pubsubctl/pubsubctl/internal/live"
	"github.com/pubsubctl/pubsubctl/model"
	"github.com/pubsubctl/pubsubctl/plan"
)

// benchConfig declares n managed resources: n/2 topics with a publisher and
// n/2 subscriptions (one per topic) with a subscriber, dead-lettering off so
// that the count is exact.
func benchConfig(n int) *model.Config {
	c := &model.Config{Project: "bench-project", Stack: "bench"}
	for i := 0; i < n/2; i++ {
		name := fmt.Sprintf("t%05d", i)
		c.Topics = append(c.Topics, &model.Topic{
			Addr: model.Address{Kind: model.KindTopic, Name: name}, Name: name,
			IAM: model.IAM{Bindings: []model.Binding{{Role: model.RolePublisher, Members: []string{"serviceAccount:pub@bench-project.iam.gserviceaccount.com"}, Origin: "publishers"}}},
		})
		s := &model.Subscription{
			Addr: model.Address{Kind: model.KindSubscription, Name: "s" + name}, Name: "s" + name,
			Topic:            model.FullName(c.Project, model.KindTopic, name),
			DeadLetterOptOut: &model.OptOut{Reason: "benchmark"},
			IAM:              model.IAM{Bindings: []model.Binding{{Role: model.RoleSubscriber, Members: []string{"serviceAccount:sub@bench-project.iam.gserviceaccount.com"}, Origin: "subscribers"}}},
		}
		s.Meta.Set("dead_letter", model.SourceUser, nil)
		c.Subscriptions = append(c.Subscriptions, s)
	}
	model.ApplyDefaults(c, nil)
	if c.ProjectNumber != "" {
		iam.AddDeadLetterGrants(c, c.ProjectNumber) // what the loader does
	}
	return c
}

// seed creates every resource of c with its IAM, as apply would.
func seed(b testing.TB, ctx context.Context, cl *live.Client, c *model.Config) {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(64)
	for _, t := range c.Topics {
		g.Go(func() error {
			if _, err := cl.CreateTopic(gctx, t); err != nil {
				return err
			}
			return setIAM(gctx, cl, model.KindTopic, model.FullName(c.Project, model.KindTopic, t.Name), t.IAM)
		})
	}
	if err := g.Wait(); err != nil {
		b.Fatal(err)
	}
	g, gctx = errgroup.WithContext(ctx)
	g.SetLimit(64)
	for _, s := range c.Subscriptions {
		g.Go(func() error {
			if _, err := cl.CreateSubscription(gctx, s); err != nil {
				return err
			}
			return setIAM(gctx, cl, model.KindSubscription, model.FullName(c.Project, model.KindSubscription, s.Name), s.IAM)
		})
	}
	if err := g.Wait(); err != nil {
		b.Fatal(err)
	}
}

func setIAM(ctx context.Context, cl *live.Client, k model.Kind, name string, decl model.IAM) error {
	p := &model.Policy{}
	for _, bd := range decl.Bindings {
		p.Bindings = append(p.Bindings, model.PolicyBinding{Role: bd.Role, Members: bd.Members})
	}
	_, err := cl.SetPolicy(ctx, k, name, p)
	return err
}

// BenchmarkPlan measures a whole plan (list everything, read the IAM of
// every managed resource, diff) of n managed resources that match the
// configuration, against the embedded emulator, and reports the RPCs one
// plan makes by method.
func BenchmarkPlan(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("resources=%d", n), func(b *testing.B) {
			if testing.Short() && n > 1000 {
				b.Skip("10,000 resources in -short mode")
			}
			ctx := context.Background()
			srv, err := emulator.Start(ctx, emulator.Options{})
			if err != nil {
				b.Fatal(err)
			}
			defer srv.Close()
			cl, err := live.New(ctx, live.Options{Project: "bench-project", Emulator: srv.Addr()})
			if err != nil {
				b.Fatal(err)
			}
			defer cl.Close()
			c := benchConfig(n)
			seed(b, ctx, cl, c)
			scope := iamScope(c)
			srv.ResetRPCCounts()
			b.ReportAllocs()
			b.ResetTimer()
			var readTime, computeTime time.Duration
			for i := 0; i < b.N; i++ {
				start := time.Now()
				st, err := cl.Read(ctx, live.ReadOptions{IAMFor: func(_ model.Kind, name string) bool { return scope[name] }})
				if err != nil {
					b.Fatal(err)
				}
				read := time.Now()
				p := plan.Compute(c, st, plan.Options{})
				readTime += read.Sub(start)
				computeTime += time.Since(read)
				if p.HasChanges() || p.Unchanged != n {
					b.Fatalf("plan of a matching project: %d changes, %d IAM changes, %d unchanged", len(p.Changes), len(p.IAM), p.Unchanged)
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(readTime.Milliseconds())/float64(b.N), "read-ms/op")
			b.ReportMetric(float64(computeTime.Milliseconds())/float64(b.N), "diff-ms/op")
			counts := srv.RPCCounts()
			var names []string
			for m := range counts {
				names = append(names, m)
			}
			sort.Strings(names)
			var parts []string
			for _, m := range names {
				per := float64(counts[m]) / float64(b.N)
				b.ReportMetric(per, shortMethod(m)+"-rpcs/op")
				parts = append(parts, fmt.Sprintf("%s=%.0f", shortMethod(m), per))
			}
			b.Logf("RPCs per plan: %s", strings.Join(parts, " "))
		})
	}
}

func shortMethod(m string) string {
	if i := strings.LastIndexByte(m, '/'); i >= 0 {
		return m[i+1:]
	}
	return m
}

// TestPlanListRPCsScaleWithPages: a plan of 2,500 managed resources (1,250
// topics, 1,250 subscriptions) lists each collection in ceil(1250/1000) = 2
// pages, never one call per resource; the only per-resource RPC is the IAM
// read of resources whose IAM is declared.
func TestPlanListRPCsScaleWithPages(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds 2,500 resources")
	}
	ctx := context.Background()
	srv, err := emulator.Start(ctx, emulator.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	cl, err := live.New(ctx, live.Options{Project: "bench-project", Emulator: srv.Addr()})
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	const n = 2500
	c := benchConfig(n)
	seed(t, ctx, cl, c)
	scope := iamScope(c)
	rpcs := map[string]int{}
	st, err := cl.Read(ctx, live.ReadOptions{IAMFor: func(_ model.Kind, name string) bool { return scope[name] }, RPCs: rpcs})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"ListTopics": 2, "ListSubscriptions": 2, "ListSchemas": 1, "GetIamPolicy": n}
	for m, w := range want {
		if rpcs[m] != w {
			t.Errorf("%s: %d RPCs, want %d (all: %v)", m, rpcs[m], w, rpcs)
		}
	}
	for m := range rpcs {
		if _, ok := want[m]; !ok {
			t.Errorf("unexpected RPC %s x%d", m, rpcs[m])
		}
	}
	p := plan.Compute(c, st, plan.Options{})
	if p.HasChanges() || p.Unchanged != n {
		t.Errorf("plan of a matching project: %d changes, %d IAM changes, %d unchanged", len(p.Changes), len(p.IAM), p.Unchanged)
	}
}

// writeScaleConfig writes the configuration of benchscale's shape (b): n
// topics with a publisher and n subscriptions with a subscriber, with
// pubsubctl's default dead-letter (a derived <sub>-dlq topic and
// subscription, the service agent's grants): 4n resources, 3n policies.
func writeScaleConfig(tb testing.TB, dir string, n int) {
	tb.Helper()
	var b strings.Builder
	b.WriteString("pubsubctl {\n  project        = \"bench-project\"\n  stack          = \"bench\"\n  project_number = \"123456789012\"\n}\n")
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(b.String()), 0o644); err != nil {
		tb.Fatal(err)
	}
	for first := 0; first < n; first += 1000 {
		b.Reset()
		for i := first; i < n && i < first+1000; i++ {
			fmt.Fprintf(&b, "topic \"t%05d\" {\n  publishers = [\"serviceAccount:pub%05d@bench-project.iam.gserviceaccount.com\"]\n}\n\n", i, i)
			fmt.Fprintf(&b, "subscription \"s%05d\" {\n  topic       = topic.t%05d\n  subscribers = [\"serviceAccount:sub%05d@bench-project.iam.gserviceaccount.com\"]\n}\n\n", i, i, i)
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("r%05d.hcl", first/1000)), []byte(b.String()), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
}

// heapWatch samples the heap while a function runs.
type heapWatch struct {
	peak atomic.Uint64
	stop chan struct{}
	done chan struct{}
}

var heapMetrics = []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/gc/heap/allocs:bytes"}}

func readHeap() (objects, allocs uint64) {
	s := slices.Clone(heapMetrics)
	metrics.Read(s)
	return s[0].Value.Uint64(), s[1].Value.Uint64()
}

// watchHeap records the largest heap (live and not yet collected objects)
// seen every millisecond until stopped.
func watchHeap() *heapWatch {
	w := &heapWatch{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(w.done)
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			if h, _ := readHeap(); h > w.peak.Load() {
				w.peak.Store(h)
			}
			select {
			case <-w.stop:
				return
			case <-t.C:
			}
		}
	}()
	return w
}

func (w *heapWatch) end() uint64 {
	close(w.stop)
	<-w.done
	return w.peak.Load()
}

// BenchmarkPlanPipelineMemory runs the whole `pubsubctl plan` (load,
// digests, the read of every resource and policy, diff, render) of a
// matching project of the dead-letter + IAM shape, in this process,
// against the embedded emulator seeded by `pubsubctl apply`, and reports
// what the pipeline allocates and the peak of the heap above what the
// emulator holds. (Peak RSS of the CLI process alone is what
// internal/benchscale measures; this is the same pipeline's heap, for
// profiling: -memprofile.) n=10000 is the 40,000 resources and
// 30,000 policies; its apply takes minutes, so it runs only without -short
// and when PUBSUBCTL_BENCH_40K is set.
func BenchmarkPlanPipelineMemory(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("pairs=%d", n), func(b *testing.B) {
			if n > 1000 && (testing.Short() || os.Getenv("PUBSUBCTL_BENCH_40K") == "") {
				b.Skip("40,000 resources: set PUBSUBCTL_BENCH_40K=1")
			}
			ctx := context.Background()
			srv, err := emulator.Start(ctx, emulator.Options{})
			if err != nil {
				b.Fatal(err)
			}
			defer srv.Close()
			dir := b.TempDir()
			writeScaleConfig(b, dir, n)
			env := []string{"PUBSUB_EMULATOR_HOST=" + srv.Addr(), "NO_COLOR=1"}
			run := func(args ...string) string {
				var out, errb strings.Builder
				if code := Main(ctx, args, env, strings.NewReader(""), &out, &errb); code != 0 {
					b.Fatalf("pubsubctl %s: exit %d\n%s\n%s", strings.Join(args, " "), code, out.String(), errb.String())
				}
				return out.String()
			}
			run("apply", "--auto-approve", "--parallelism", "16", dir)
			b.ReportAllocs()
			b.ResetTimer()
			var peak, allocated uint64
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				runtime.GC()
				base, before := readHeap()
				b.StartTimer()
				w := watchHeap()
				out := run("plan", "--detailed-exitcode", dir)
				p := w.end()
				_, after := readHeap()
				if !strings.Contains(out, "No changes.") {
					b.Fatalf("the plan of a matching project has changes:\n%.2000s", out)
				}
				peak = max(peak, p-min(p, base))
				allocated += after - before
			}
			b.StopTimer()
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
			b.ReportMetric(float64(allocated)/float64(b.N)/(1<<20), "alloc-MB/op")
		})
	}
}
