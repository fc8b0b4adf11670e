package apply

import (
	"context"
	"fmt"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/pubsubctl/pubsubctl/internal/emulator"
	"github.com/pubsubctl/pubsubctl/internal/live"
	"github.com/pubsubctl/pubsubctl/model"
	"github.com/pubsubctl/pubsubctl/plan"
)

// The executor's overhead (scheduling, rate limiter, bookkeeping) against
// the same creates made directly through the live client:
//
//	go test -run '^$' -bench '1000$' -benchtime 5x ./apply/

const benchN = 1000

// benchConfig declares n topics and one subscription on each.
func benchConfig(n int) *model.Config {
	c := &model.Config{Project: e2eProject, Stack: "bench"}
	labels := func() map[string]string {
		return map[string]string{model.LabelManagedBy: model.ManagedByValue, model.LabelStack: "bench"}
	}
	for i := range n {
		t := fmt.Sprintf("t%04d", i)
		s := fmt.Sprintf("s%04d", i)
		c.Topics = append(c.Topics, &model.Topic{Addr: model.Address{Kind: model.KindTopic, Name: t}, Name: t, Labels: labels()})
		c.Subscriptions = append(c.Subscriptions, &model.Subscription{
			Addr: model.Address{Kind: model.KindSubscription, Name: s}, Name: s,
			Topic: model.FullName(e2eProject, model.KindTopic, t), AckDeadline: 60 * time.Second,
			Expiration: model.Expiration{Never: true}, Labels: labels(),
		})
	}
	return c
}

// benchEmulator starts an empty emulator and a client with production
// settings; the timer is stopped.
func benchEmulator(b *testing.B) (*emulator.Server, *live.Client) {
	ctx := context.Background()
	srv, err := emulator.Start(ctx, emulator.Options{Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	c, err := live.New(ctx, live.Options{Project: e2eProject, Emulator: srv.Addr()})
	if err != nil {
		b.Fatal(err)
	}
	return srv, c
}

func BenchmarkApply1000(b *testing.B) {
	cfg := benchConfig(benchN)
	p := plan.Compute(cfg, &model.State{Project: e2eProject, IAMSupported: true}, plan.Options{})
	if cnt := p.Counts(); cnt.Create != 2*benchN {
		b.Fatalf("plan counts %+v", cnt)
	}
	for _, par := range []int{8, 16} {
		b.Run(fmt.Sprintf("parallelism=%d", par), func(b *testing.B) {
			var total time.Duration
			for range b.N {
				b.StopTimer()
				srv, c := benchEmulator(b)
				b.StartTimer()
				start := time.Now()
				res := Execute(context.Background(), c, p, Options{Parallelism: par})
				total += time.Since(start)
				b.StopTimer()
				if !res.OK() || res.Applied != 2*benchN {
					b.Fatalf("apply: %d applied, %d failed, %d skipped", res.Applied, res.Failed, res.Skipped)
				}
				_ = c.Close()
				_ = srv.Close()
				b.StartTimer()
			}
			b.ReportMetric(float64(2*benchN*b.N)/total.Seconds(), "creates/s")
		})
	}
}

func BenchmarkDirect1000(b *testing.B) {
	cfg := benchConfig(benchN)
	for _, par := range []int{8, 16} {
		b.Run(fmt.Sprintf("parallelism=%d", par), func(b *testing.B) {
			var total time.Duration
			for range b.N {
				b.StopTimer()
				srv, c := benchEmulator(b)
				ctx := context.Background()
				b.StartTimer()
				start := time.Now()
				// Topics, then subscriptions, par at a time: the order the
				// executor's plan-ordered scheduling produces.
				g, gctx := errgroup.WithContext(ctx)
				g.SetLimit(par)
				for _, t := range cfg.Topics {
					g.Go(func() error { _, err := c.CreateTopic(gctx, t); return err })
				}
				err := g.Wait()
				if err == nil {
					g, gctx = errgroup.WithContext(ctx)
					g.SetLimit(par)
					for _, s := range cfg.Subscriptions {
						g.Go(func() error { _, err := c.CreateSubscription(gctx, s); return err })
					}
					err = g.Wait()
				}
				total += time.Since(start)
				b.StopTimer()
				if err != nil {
					b.Fatal(err)
				}
				_ = c.Close()
				_ = srv.Close()
				b.StartTimer()
			}
			b.ReportMetric(float64(2*benchN*b.N)/total.Seconds(), "creates/s")
		})
	}
}

// BenchmarkSchedulerOverhead is the executor's own cost per run of 2,000
// creates, against the in-memory fake (no network).
func BenchmarkSchedulerOverhead(b *testing.B) {
	p := plan.Compute(benchConfig(benchN), &model.State{Project: e2eProject, IAMSupported: true}, plan.Options{})
	for range b.N {
		f := newFake()
		f.project = e2eProject
		if res := Execute(context.Background(), f, p, Options{Parallelism: 8}); !res.OK() {
			b.Fatal("apply failed")
		}
	}
}
