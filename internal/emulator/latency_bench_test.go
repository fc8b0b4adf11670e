package emulator

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	pb "cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"
)

// BenchmarkPublishPullLatency measures the time from a Publish call to the
// message's arrival on a StreamingPull stream, one message at a time, and
// reports its median and 99th percentile.
func BenchmarkPublishPullLatency(b *testing.B) {
	s := startEmu(b)
	c := dial(b, s.Addr())
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	tn, sn := proj+"/topics/lat", proj+"/subscriptions/lat"
	if _, err := c.pub.CreateTopic(ctx, &pb.Topic{Name: tn}); err != nil {
		b.Fatal(err)
	}
	if _, err := c.sub.CreateSubscription(ctx, &pb.Subscription{Name: sn, Topic: tn}); err != nil {
		b.Fatal(err)
	}
	st, err := c.sub.StreamingPull(ctx)
	if err != nil {
		b.Fatal(err)
	}
	if err := st.Send(&pb.StreamingPullRequest{Subscription: sn, StreamAckDeadlineSeconds: 60}); err != nil {
		b.Fatal(err)
	}
	n := max(b.N, 200)
	lat := make([]time.Duration, 0, n)
	b.ResetTimer()
	for i := range n {
		t0 := time.Now()
		if _, err := c.pub.Publish(ctx, &pb.PublishRequest{Topic: tn, Messages: []*pb.PubsubMessage{{Data: []byte(fmt.Sprint(i))}}}); err != nil {
			b.Fatal(err)
		}
		resp, err := st.Recv()
		for err == nil && len(resp.ReceivedMessages) == 0 {
			resp, err = st.Recv()
		}
		if err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
		ids := make([]string, 0, len(resp.ReceivedMessages))
		for _, m := range resp.ReceivedMessages {
			ids = append(ids, m.AckId)
		}
		if err := st.Send(&pb.StreamingPullRequest{AckIds: ids}); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
}

// BenchmarkPushThroughput measures push delivery to a local HTTP server
// that acknowledges every request, in messages per second.
func BenchmarkPushThroughput(b *testing.B) {
	var got atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		got.Add(1)
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	s := startEmu(b, func(o *Options) { o.Logf = func(string, ...any) {} })
	c := dial(b, s.Addr())
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	tn, sn := proj+"/topics/push", proj+"/subscriptions/push"
	if _, err := c.pub.CreateTopic(ctx, &pb.Topic{Name: tn}); err != nil {
		b.Fatal(err)
	}
	if _, err := c.sub.CreateSubscription(ctx, &pb.Subscription{Name: sn, Topic: tn, PushConfig: &pb.PushConfig{PushEndpoint: srv.URL + "/push"}}); err != nil {
		b.Fatal(err)
	}
	n := max(b.N, 20000)
	batch := make([]*pb.PubsubMessage, 0, 1000)
	b.ResetTimer()
	start := time.Now()
	for i := range n {
		batch = append(batch, &pb.PubsubMessage{Data: []byte(fmt.Sprint(i))})
		if len(batch) == cap(batch) || i == n-1 {
			if _, err := c.pub.Publish(ctx, &pb.PublishRequest{Topic: tn, Messages: batch}); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	for got.Load() < int64(n) {
		if ctx.Err() != nil {
			b.Fatalf("%d of %d pushed", got.Load(), n)
		}
		time.Sleep(time.Millisecond)
	}
	b.StopTimer()
	b.ReportMetric(float64(n)/time.Since(start).Seconds(), "msg/s")
}
