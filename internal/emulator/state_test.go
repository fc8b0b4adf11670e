package emulator

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	iampb "cloud.google.com/go/iam/apiv1/iampb"
	pb "cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"
	"google.golang.org/protobuf/proto"
)

func TestDataDirKeepsStateAcrossRestarts(t *testing.T) {
	dir := t.TempDir()
	ctx := ctxT(t)
	s1, err := Start(context.Background(), Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	c := dial(t, s1.Addr())
	if err := mkTopic(dlq)(ctx, c); err != nil {
		t.Fatal(err)
	}
	if err := mkTopicSub(func(s *pb.Subscription) {
		s.DeadLetterPolicy = &pb.DeadLetterPolicy{DeadLetterTopic: dlq, MaxDeliveryAttempts: 7}
		s.Labels = map[string]string{"team": "a"}
	})(ctx, c); err != nil {
		t.Fatal(err)
	}
	pol, err := c.iam.SetIamPolicy(ctx, &iampb.SetIamPolicyRequest{Resource: topic, Policy: &iampb.Policy{
		Bindings: []*iampb.Binding{{Role: "roles/pubsub.publisher", Members: []string{"user:a@example.com"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	acked := publishOne(ctx, t, c, topic, "acked", nil, "")
	kept := publishOne(ctx, t, c, topic, "kept", map[string]string{"k": "v"}, "")
	r, err := c.sub.Pull(ctx, &pb.PullRequest{Subscription: sub, MaxMessages: 10})
	if err != nil || len(r.ReceivedMessages) != 2 {
		t.Fatalf("pull: %v, %v", r, err)
	}
	for _, m := range r.ReceivedMessages {
		if m.Message.MessageId == acked {
			if _, err := c.sub.Acknowledge(ctx, &pb.AcknowledgeRequest{Subscription: sub, AckIds: []string{m.AckId}}); err != nil {
				t.Fatal(err)
			}
		}
	}
	before, err := c.sub.GetSubscription(ctx, &pb.GetSubscriptionRequest{Subscription: sub})
	if err != nil {
		t.Fatal(err)
	}
	if err := s1.Close(); err != nil {
		t.Fatal(err)
	}

	s2 := startEmu(t, func(o *Options) { o.DataDir = dir })
	c2 := dial(t, s2.Addr())
	after, err := c2.sub.GetSubscription(ctx, &pb.GetSubscriptionRequest{Subscription: sub})
	if err != nil {
		t.Fatal(err)
	}
	if !proto.Equal(before, after) {
		t.Errorf("subscription after restart:\n%v\nwant\n%v", after, before)
	}
	got, err := c2.iam.GetIamPolicy(ctx, &iampb.GetIamPolicyRequest{Resource: topic})
	if err != nil || !proto.Equal(got, pol) {
		t.Errorf("IAM policy after restart %v (%v), want %v", got, err, pol)
	}
	m := pullWithin(ctx, t, c2, sub, 5*time.Second)
	if m.Message.MessageId != kept || string(m.Message.Data) != "kept" || m.Message.Attributes["k"] != "v" || m.DeliveryAttempt != 2 {
		t.Errorf("message after restart %v (delivery attempt %d), want %s, attempt 2", m.Message, m.DeliveryAttempt, kept)
	}
	if next := publishOne(ctx, t, c2, topic, "new", nil, ""); next == kept || next == acked {
		t.Errorf("new message reuses ID %s", next)
	}
}

func TestDataDirBadFile(t *testing.T) {
	for name, content := range map[string]string{
		"corrupt": "{not json",
		"foreign": `{"format":"something-else","version":1}`,
		"version": `{"format":"pubsubctl-emulator-state","version":99}`,
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, StateFileName)
			if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			s, err := Start(context.Background(), Options{DataDir: dir})
			if err == nil {
				_ = s.Close()
				t.Fatal("Start accepted a bad state file")
			}
			if !strings.Contains(err.Error(), path) {
				t.Errorf("error %q does not name the file %s", err, path)
			}
			// The file is left as it was.
			if b, _ := os.ReadFile(path); string(b) != content {
				t.Errorf("state file changed to %q", b)
			}
		})
	}
}
