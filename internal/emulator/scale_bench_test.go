package emulator

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	pb "cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"
)

// Scale benchmarks: idle CPU, creating and listing many topics and
// subscriptions, publish→pull latency and push throughput. pstest's
// per-subscription polling made idle CPU and request latency grow with the
// number of subscriptions; the engine does no work when idle. They are
// slow at 10,000 and are benchmarks only, so the normal test run stays
// fast. Run:
//
//	go test ./internal/emulator -run '^$' -bench 'Subscriptions|IdleCPU|List|Latency|Push' -benchtime 1x

// populate creates n topics and n subscriptions (one per topic) with the
// given number of requests in flight, and returns the elapsed time.
func populate(b *testing.B, c clients, n, inflight int) time.Duration {
	b.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	start := time.Now()
	var next atomic.Int64
	var wg sync.WaitGroup
	errc := make(chan error, inflight)
	for range inflight {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				tn := fmt.Sprintf("%s/topics/topic-%05d", proj, i)
				if _, err := c.pub.CreateTopic(ctx, &pb.Topic{Name: tn}); err != nil {
					errc <- err
					return
				}
				if _, err := c.sub.CreateSubscription(ctx, &pb.Subscription{Name: fmt.Sprintf("%s/subscriptions/sub-%05d", proj, i), Topic: tn}); err != nil {
					errc <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errc)
	if err := <-errc; err != nil {
		b.Fatal(err)
	}
	return time.Since(start)
}

func benchCreate(b *testing.B, n int) {
	for _, inflight := range []int{16, 256} {
		b.Run(fmt.Sprintf("inflight=%d", inflight), func(b *testing.B) {
			var total time.Duration
			for range b.N {
				s := startEmu(b)
				c := dial(b, s.Addr())
				total += populate(b, c, n, inflight)
				b.StopTimer()
				_ = s.Close()
				b.StartTimer()
			}
			b.ReportMetric(total.Seconds()/float64(b.N), "s/run")
			b.ReportMetric(float64(total.Microseconds())/float64(b.N*n), "µs/topic+sub")
		})
	}
}

func BenchmarkCreateSubscriptions1000(b *testing.B)  { benchCreate(b, 1000) }
func BenchmarkCreateSubscriptions10000(b *testing.B) { benchCreate(b, 10000) }

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchIdleCPU reports the CPU the whole process burns while the emulator
// holds n subscriptions and receives no requests, over a 2 s window, in
// cores (1 = one core busy all the time).
func benchIdleCPU(b *testing.B, n int) {
	s := startEmu(b)
	populate(b, dial(b, s.Addr()), n, 256)
	time.Sleep(200 * time.Millisecond) // let the creation work settle
	const window = 2 * time.Second
	b.ResetTimer()
	var frac float64
	for range b.N {
		c0, t0 := cpuTime(), time.Now()
		time.Sleep(window)
		frac += float64(cpuTime()-c0) / float64(time.Since(t0))
	}
	b.ReportMetric(frac/float64(b.N), "core")
}

func BenchmarkIdleCPU0(b *testing.B)     { benchIdleCPU(b, 0) }
func BenchmarkIdleCPU1000(b *testing.B)  { benchIdleCPU(b, 1000) }
func BenchmarkIdleCPU10000(b *testing.B) { benchIdleCPU(b, 10000) }

// benchList measures listing every topic and every subscription with
// page size 1000 (what a plan does), and one GetSubscription, while n
// subscriptions exist.
func benchList(b *testing.B, n int) {
	s := startEmu(b)
	c := dial(b, s.Addr())
	populate(b, c, n, 256)
	ctx := context.Background()
	b.Run("ListTopics+ListSubscriptions", func(b *testing.B) {
		start := time.Now()
		defer func() { b.ReportMetric(time.Since(start).Seconds()/float64(b.N), "s/list-all") }()
		for range b.N {
			tok := ""
			got := 0
			for {
				r, err := c.pub.ListTopics(ctx, &pb.ListTopicsRequest{Project: proj, PageSize: 1000, PageToken: tok})
				if err != nil {
					b.Fatal(err)
				}
				got += len(r.Topics)
				if tok = r.NextPageToken; tok == "" {
					break
				}
			}
			for {
				r, err := c.sub.ListSubscriptions(ctx, &pb.ListSubscriptionsRequest{Project: proj, PageSize: 1000, PageToken: tok})
				if err != nil {
					b.Fatal(err)
				}
				got += len(r.Subscriptions)
				if tok = r.NextPageToken; tok == "" {
					break
				}
			}
			if got != 2*n {
				b.Fatalf("listed %d resources, want %d", got, 2*n)
			}
		}
	})
	b.Run("GetSubscription", func(b *testing.B) {
		for i := range b.N {
			name := fmt.Sprintf("%s/subscriptions/sub-%05d", proj, i%max(n, 1))
			if _, err := c.sub.GetSubscription(ctx, &pb.GetSubscriptionRequest{Subscription: name}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkList1000(b *testing.B)  { benchList(b, 1000) }
func BenchmarkList10000(b *testing.B) { benchList(b, 10000) }
