package emulator

import (
	"context"
	"testing"
	"time"

	pb "cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"
	"google.golang.org/protobuf/types/known/durationpb"
)

// Delivery conformance: retry-policy backoff, with the real gRPC stubs.
// Timing assertions are lower bounds ("no earlier than") with generous
// upper bounds, so that a loaded machine cannot make them flake.

// publishOne publishes one message with data to topic.
func publishOne(ctx context.Context, t *testing.T, c clients, topicName, data string, attrs map[string]string, key string) string {
	t.Helper()
	r, err := c.pub.Publish(ctx, &pb.PublishRequest{Topic: topicName, Messages: []*pb.PubsubMessage{{Data: []byte(data), Attributes: attrs, OrderingKey: key}}})
	if err != nil {
		t.Fatalf("publish: %v", err)
	}
	return r.MessageIds[0]
}

// pullWithin pulls until a message arrives or limit passes.
func pullWithin(ctx context.Context, t *testing.T, c clients, name string, limit time.Duration) *pb.ReceivedMessage {
	t.Helper()
	end := time.Now().Add(limit)
	for time.Now().Before(end) {
		r, err := c.sub.Pull(ctx, &pb.PullRequest{Subscription: name, MaxMessages: 1})
		if err != nil {
			t.Fatalf("pull %s: %v", name, err)
		}
		if len(r.ReceivedMessages) > 0 {
			return r.ReceivedMessages[0]
		}
	}
	t.Fatalf("no message on %s within %v", name, limit)
	return nil
}

func nack(ctx context.Context, t *testing.T, c clients, subName, ackID string, secs int32) {
	t.Helper()
	if _, err := c.sub.ModifyAckDeadline(ctx, &pb.ModifyAckDeadlineRequest{Subscription: subName, AckIds: []string{ackID}, AckDeadlineSeconds: secs}); err != nil {
		t.Fatalf("modifyAckDeadline: %v", err)
	}
}

func retryPolicy(lo, hi time.Duration) func(*pb.Subscription) {
	return func(s *pb.Subscription) {
		s.RetryPolicy = &pb.RetryPolicy{MinimumBackoff: durationpb.New(lo), MaximumBackoff: durationpb.New(hi)}
	}
}

func TestNackWithoutRetryPolicyRedeliversAtOnce(t *testing.T) {
	c := dial(t, startEmu(t).Addr())
	ctx := ctxT(t)
	if err := mkTopicSub()(ctx, c); err != nil {
		t.Fatal(err)
	}
	publishOne(ctx, t, c, topic, "x", nil, "")
	m := pullWithin(ctx, t, c, sub, 5*time.Second)
	nack(ctx, t, c, sub, m.AckId, 0)
	if again := pullOnce(ctx, t, c, sub); again == nil {
		t.Fatal("a nacked message of a subscription without retry policy is not available at once")
	}
}

func TestNackWaitsRetryPolicyBackoff(t *testing.T) {
	c := dial(t, startEmu(t).Addr())
	ctx := ctxT(t)
	const lo, hi = time.Second, 2 * time.Second
	if err := mkTopicSub(retryPolicy(lo, hi))(ctx, c); err != nil {
		t.Fatal(err)
	}
	publishOne(ctx, t, c, topic, "x", nil, "")
	m := pullWithin(ctx, t, c, sub, 5*time.Second)
	// First nack: minimum_backoff; second: doubled, which is the maximum.
	for i, want := range []time.Duration{lo, hi} {
		nackAt := time.Now()
		nack(ctx, t, c, sub, m.AckId, 0)
		if early := pullOnce(ctx, t, c, sub); early != nil {
			t.Fatalf("nack %d: redelivered at once, want after %v", i+1, want)
		}
		m = pullWithin(ctx, t, c, sub, want+10*time.Second)
		if got := time.Since(nackAt); got < want {
			t.Errorf("nack %d: redelivered after %v, want no earlier than %v", i+1, got, want)
		}
	}
}

func TestExpiredDeadlineWaitsRetryPolicyBackoff(t *testing.T) {
	c := dial(t, startEmu(t).Addr())
	ctx := ctxT(t)
	const backoff = time.Second
	if err := mkTopicSub(retryPolicy(backoff, backoff))(ctx, c); err != nil {
		t.Fatal(err)
	}
	publishOne(ctx, t, c, topic, "x", nil, "")
	m := pullWithin(ctx, t, c, sub, 5*time.Second)
	start := time.Now()
	nack(ctx, t, c, sub, m.AckId, 1) // the deadline expires in 1 s
	again := pullWithin(ctx, t, c, sub, 15*time.Second)
	if got, want := time.Since(start), time.Second+backoff; got < want {
		t.Errorf("redelivered %v after the deadline was set to 1 s, want no earlier than %v (deadline + backoff)", got, want)
	}
	if again.AckId == m.AckId {
		t.Errorf("redelivery kept the ack ID %q", m.AckId)
	}
	// The expired delivery's ack ID is stale: acking it must not ack the
	// new delivery.
	if _, err := c.sub.Acknowledge(ctx, &pb.AcknowledgeRequest{Subscription: sub, AckIds: []string{m.AckId}}); err != nil {
		t.Fatal(err)
	}
	nack(ctx, t, c, sub, again.AckId, 0)
	if _, err := c.sub.Acknowledge(ctx, &pb.AcknowledgeRequest{Subscription: sub, AckIds: []string{again.AckId}}); err != nil {
		t.Fatal(err)
	}
}

func TestPullSubscriptionListsWithEmptyPushConfig(t *testing.T) {
	c := dial(t, startEmu(t).Addr())
	ctx := ctxT(t)
	if err := mkTopicSub()(ctx, c); err != nil {
		t.Fatal(err)
	}
	r, err := c.sub.ListSubscriptions(ctx, &pb.ListSubscriptionsRequest{Project: proj})
	if err != nil || len(r.Subscriptions) != 1 {
		t.Fatalf("list: %v, %v", r, err)
	}
	pc := r.Subscriptions[0].PushConfig
	if pc.GetWrapper() != nil || pc.GetPushEndpoint() != "" || len(pc.GetAttributes()) != 0 {
		t.Errorf("pull subscription listed with push_config %v, want an empty one", pc)
	}
	// What a tool read back must be accepted on create.
	if _, err := c.sub.CreateSubscription(ctx, &pb.Subscription{Name: proj + "/subscriptions/copy", Topic: topic, PushConfig: pc}); err != nil {
		t.Errorf("create with the listed push_config: %v", err)
	}
}
