package emulator

import (
	"context"
	"errors"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"cloud.google.com/go/pubsub/v2"
	pb "cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"
)

func TestStartPortInUse(t *testing.T) {
	lis := mustListen(t)
	defer lis.Close()
	port := lis.Addr().(*net.TCPAddr).Port
	s, err := Start(context.Background(), Options{Host: "127.0.0.1", Port: port})
	if err == nil {
		_ = s.Close()
		t.Fatal("Start on a port in use succeeded")
	}
	want := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	if !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not name %s", err, want)
	}
}

func TestStartFixedPortAndAddr(t *testing.T) {
	lis := mustListen(t)
	port := lis.Addr().(*net.TCPAddr).Port
	_ = lis.Close()
	s := startEmu(t, func(o *Options) { o.Port = port; o.Project = "proj-x" })
	if want := "127.0.0.1:" + strconv.Itoa(port); s.Addr() != want {
		t.Errorf("Addr = %s, want %s", s.Addr(), want)
	}
	if s.Project() != "proj-x" {
		t.Errorf("Project = %q", s.Project())
	}
}

func TestStartRejectsBadFault(t *testing.T) {
	_, err := Start(context.Background(), Options{Faults: []Fault{{Method: "CreateTopic", Code: codes.OK, Rate: 1}}})
	if err == nil {
		t.Fatal("Start accepted a fault with code OK")
	}
}

func healthStatus(t *testing.T, addr, service string) healthpb.HealthCheckResponse_ServingStatus {
	t.Helper()
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	r, err := healthpb.NewHealthClient(conn).Check(ctxT(t), &healthpb.HealthCheckRequest{Service: service})
	if err != nil {
		t.Fatalf("health check: %v", err)
	}
	return r.Status
}

func TestHealth(t *testing.T) {
	s := startEmu(t)
	if got := healthStatus(t, s.Addr(), ""); got != healthpb.HealthCheckResponse_SERVING {
		t.Errorf("status = %v, want SERVING", got)
	}
	if got := healthStatus(t, s.Addr(), "google.pubsub.v1.Publisher"); got != healthpb.HealthCheckResponse_SERVING {
		t.Errorf("Publisher status = %v, want SERVING", got)
	}
	s.SetHealth(false)
	if got := healthStatus(t, s.Addr(), ""); got != healthpb.HealthCheckResponse_NOT_SERVING {
		t.Errorf("status = %v after SetHealth(false)", got)
	}

	s2 := startEmu(t, func(o *Options) { o.StartNotServing = true })
	if got := healthStatus(t, s2.Addr(), ""); got != healthpb.HealthCheckResponse_NOT_SERVING {
		t.Errorf("StartNotServing: status = %v", got)
	}
	s2.SetHealth(true)
	if got := healthStatus(t, s2.Addr(), ""); got != healthpb.HealthCheckResponse_SERVING {
		t.Errorf("after SetHealth(true): status = %v", got)
	}
}

func TestRecoveryKeepsServing(t *testing.T) {
	s := startEmu(t)
	s.quietPanics.Store(true)
	c := dial(t, s.Addr())
	ctx := ctxT(t)
	hook := func(method string) {
		if strings.HasSuffix(method, "/GetTopic") || strings.HasSuffix(method, "/StreamingPull") {
			panic("boom")
		}
	}
	testHook.Store(&hook)
	t.Cleanup(func() { testHook.Store(nil) })

	_, err := c.pub.GetTopic(ctx, &pb.GetTopicRequest{Topic: topic})
	if !isPanic(err) {
		t.Fatalf("GetTopic with a panicking handler: got %v, want Internal panic", err)
	}
	st, err := c.sub.StreamingPull(ctx)
	if err != nil {
		t.Fatal(err)
	}
	_ = st.Send(&pb.StreamingPullRequest{Subscription: sub, StreamAckDeadlineSeconds: 10})
	if _, err := st.Recv(); !isPanic(err) {
		t.Fatalf("StreamingPull with a panicking handler: got %v, want Internal panic", err)
	}
	if _, err := c.pub.CreateTopic(ctx, &pb.Topic{Name: topic}); err != nil {
		t.Fatalf("server stopped serving after a panic: %v", err)
	}
	if got := healthStatus(t, s.Addr(), ""); got != healthpb.HealthCheckResponse_SERVING {
		t.Errorf("health after panic = %v", got)
	}
}

// pstest indexes modify_deadline_seconds by position in a goroutine of its
// own, so this request would kill a bare pstest process; the emulator
// rejects it and keeps serving.
func TestStreamingPullMismatchedDeadlines(t *testing.T) {
	s := startEmu(t)
	c := dial(t, s.Addr())
	ctx := ctxT(t)
	if err := mkTopicSub()(ctx, c); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		reqs []*pb.StreamingPullRequest
	}{
		{"mismatch in first request", []*pb.StreamingPullRequest{{Subscription: sub, StreamAckDeadlineSeconds: 10,
			ModifyDeadlineAckIds: []string{"a", "b"}, ModifyDeadlineSeconds: []int32{10}}}},
		{"mismatch in later request", []*pb.StreamingPullRequest{{Subscription: sub, StreamAckDeadlineSeconds: 10},
			{ModifyDeadlineAckIds: []string{"a"}}}},
		{"stream ack deadline 0", []*pb.StreamingPullRequest{{Subscription: sub}}},
		{"malformed subscription", []*pb.StreamingPullRequest{{Subscription: "s", StreamAckDeadlineSeconds: 10}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, err := c.sub.StreamingPull(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range tc.reqs {
				_ = st.Send(r)
			}
			_, err = st.Recv()
			if status.Code(err) != codes.InvalidArgument {
				t.Errorf("got %v, want InvalidArgument", err)
			}
		})
	}
	if _, err := c.pub.GetTopic(ctx, &pb.GetTopicRequest{Topic: topic}); err != nil {
		t.Fatalf("server not serving: %v", err)
	}
}

func TestCloseWithOpenStream(t *testing.T) {
	s, err := Start(context.Background(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	c := dial(t, s.Addr())
	ctx := ctxT(t)
	if err := mkTopicSub()(ctx, c); err != nil {
		t.Fatal(err)
	}
	st, err := c.sub.StreamingPull(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Send(&pb.StreamingPullRequest{Subscription: sub, StreamAckDeadlineSeconds: 10}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond)
	start := time.Now()
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if d := time.Since(start); d > closeTimeout+2*time.Second {
		t.Errorf("Close took %v", d)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := c.pub.GetTopic(ctx, &pb.GetTopicRequest{Topic: topic}); status.Code(err) != codes.Unavailable {
		t.Errorf("after Close: got %v, want Unavailable", err)
	}
}

// TestGoClient drives the emulator with the official Go client end to end.
func TestGoClient(t *testing.T) {
	s := startEmu(t)
	ctx := ctxT(t)
	client, err := pubsub.NewClient(ctx, "p", s.ClientOptions()...)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	if _, err := client.TopicAdminClient.CreateTopic(ctx, &pb.Topic{Name: topic}); err != nil {
		t.Fatal(err)
	}
	// pstest answers Unknown to this request, which the client retries
	// until its deadline; the emulator answers InvalidArgument at once.
	start := time.Now()
	_, err = client.SubscriptionAdminClient.CreateSubscription(ctx, &pb.Subscription{Name: sub, Topic: topic, AckDeadlineSeconds: 700})
	if status.Code(err) != codes.InvalidArgument || time.Since(start) > 2*time.Second {
		t.Fatalf("CreateSubscription ack 700: %v after %v, want prompt InvalidArgument", err, time.Since(start))
	}
	if _, err := client.SubscriptionAdminClient.CreateSubscription(ctx, &pb.Subscription{Name: sub, Topic: topic}); err != nil {
		t.Fatal(err)
	}
	res := client.Publisher(topic).Publish(ctx, &pubsub.Message{Data: []byte("hello"), Attributes: map[string]string{"k": "v"}})
	if _, err := res.Get(ctx); err != nil {
		t.Fatal(err)
	}
	rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	var got *pubsub.Message
	var once sync.Once
	err = client.Subscriber(sub).Receive(rctx, func(_ context.Context, m *pubsub.Message) {
		m.Ack()
		once.Do(func() { got = m; cancel() })
	})
	if err != nil && !errors.Is(err, context.Canceled) {
		t.Fatal(err)
	}
	if got == nil || string(got.Data) != "hello" || got.Attributes["k"] != "v" {
		t.Fatalf("received %v", got)
	}
}

// pullOnce pulls one message, returning nil if none arrived.
func pullOnce(ctx context.Context, t *testing.T, c clients, name string) *pb.ReceivedMessage {
	t.Helper()
	r, err := c.sub.Pull(ctx, &pb.PullRequest{Subscription: name, MaxMessages: 1, ReturnImmediately: true})
	if err != nil {
		t.Fatalf("pull %s: %v", name, err)
	}
	if len(r.ReceivedMessages) == 0 {
		return nil
	}
	return r.ReceivedMessages[0]
}

// deliveriesBeforeDeadLetter publishes one message to topic, then pulls and
// nacks it until it shows up on the dead-letter subscription, and returns
// the number of deliveries on the source subscription.
func deliveriesBeforeDeadLetter(t *testing.T, c clients) int {
	t.Helper()
	ctx := ctxT(t)
	if err := mkTopic(topic, dlq)(ctx, c); err != nil {
		t.Fatal(err)
	}
	dlqSub := proj + "/subscriptions/dlq-sub"
	if _, err := c.sub.CreateSubscription(ctx, &pb.Subscription{Name: dlqSub, Topic: dlq}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.sub.CreateSubscription(ctx, &pb.Subscription{Name: sub, Topic: topic,
		DeadLetterPolicy: &pb.DeadLetterPolicy{DeadLetterTopic: dlq}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.pub.Publish(ctx, &pb.PublishRequest{Topic: topic, Messages: []*pb.PubsubMessage{{Data: []byte("x")}}}); err != nil {
		t.Fatal(err)
	}
	deliveries := 0
	for range 20 {
		if m := pullOnce(ctx, t, c, dlqSub); m != nil {
			return deliveries
		}
		if m := pullOnce(ctx, t, c, sub); m != nil {
			deliveries++
			if _, err := c.sub.ModifyAckDeadline(ctx, &pb.ModifyAckDeadlineRequest{Subscription: sub, AckIds: []string{m.AckId}}); err != nil {
				t.Fatal(err)
			}
		}
	}
	t.Fatalf("message never dead-lettered after %d deliveries", deliveries)
	return 0
}

func TestDeadLetterDefaultAttemptsUsedForDelivery(t *testing.T) {
	if got := deliveriesBeforeDeadLetter(t, dial(t, startEmu(t).Addr())); got != 5 {
		t.Errorf("emulator: dead-lettered after %d deliveries, want 5 (the default)", got)
	}
	if got := deliveriesBeforeDeadLetter(t, dial(t, startBare(t))); got == 5 {
		t.Errorf("bare pstest dead-lettered after 5 deliveries; the gap this test shows is gone")
	}
}
