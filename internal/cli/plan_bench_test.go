package cli

import (
	"context"
	"fmt"
	"sort"
	"strings"
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
