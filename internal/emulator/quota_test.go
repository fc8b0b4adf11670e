package emulator

import (
	"strings"
	"testing"
	"time"

	iampb "cloud.google.com/go/iam/apiv1/iampb"
	pb "cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/fieldmaskpb"
)

// TestQuotaBucket drives the token bucket with a clock the test sets:
// at each step, at the given offset from the start, take one token of the
// project and expect it granted or refused.
func TestQuotaBucket(t *testing.T) {
	type step struct {
		at      time.Duration
		project string
		ok      bool
	}
	ms := time.Millisecond
	for _, tc := range []struct {
		name      string
		perMinute int
		steps     []step
	}{
		{"one per second: the burst is one", 60, []step{
			{0, "p", true}, {0, "p", false}, {999 * ms, "p", false}, {time.Second, "p", true}, {time.Second, "p", false},
		}},
		{"below one per second: still one at a time", 30, []step{
			{0, "p", true}, {time.Second, "p", false}, {2 * time.Second, "p", true},
		}},
		{"600/min: ten at once, then one per 100ms", 600, []step{
			{0, "p", true}, {0, "p", true}, {0, "p", true}, {0, "p", true}, {0, "p", true},
			{0, "p", true}, {0, "p", true}, {0, "p", true}, {0, "p", true}, {0, "p", true},
			{0, "p", false}, {50 * ms, "p", false}, {100 * ms, "p", true}, {150 * ms, "p", false}, {200 * ms, "p", true},
		}},
		{"refusals take no token", 60, []step{
			{0, "p", true}, {500 * ms, "p", false}, {900 * ms, "p", false}, {time.Second, "p", true},
		}},
		{"idle time refills no more than the burst", 120, []step{
			{0, "p", true}, {time.Hour, "p", true}, {time.Hour, "p", true}, {time.Hour, "p", false},
		}},
		{"each project has its own bucket", 60, []step{
			{0, "a", true}, {0, "a", false}, {0, "b", true}, {0, "b", false}, {0, "", true}, {time.Second, "a", true},
		}},
		{"a clock that goes back refills nothing", 60, []step{
			{time.Second, "p", true}, {0, "p", false}, {time.Second, "p", false}, {2 * time.Second, "p", true},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
			now := start
			q := newQuota(tc.perMinute, func() time.Time { return now })
			refused := map[string]int64{}
			for i, s := range tc.steps {
				now = start.Add(s.at)
				if got := q.take(s.project); got != s.ok {
					t.Errorf("step %d (%s at %v): take = %v, want %v", i, s.project, s.at, got, s.ok)
				}
				if !s.ok {
					refused[s.project]++
				}
			}
			for p, n := range refused {
				if q.refused[p] != n {
					t.Errorf("refused[%q] = %d, want %d", p, q.refused[p], n)
				}
			}
		})
	}
	if newQuota(0, time.Now) != nil || newQuota(-1, time.Now) != nil {
		t.Error("a quota of 0 or less is not nil (no quota)")
	}
}

func TestQuotaChargesTheProjectOfTheRequest(t *testing.T) {
	for _, tc := range []struct {
		req  any
		want string
	}{
		{&pb.Topic{Name: "projects/a/topics/t"}, "a"},
		{&pb.GetTopicRequest{Topic: "projects/b/topics/t"}, "b"},
		{&pb.UpdateTopicRequest{Topic: &pb.Topic{Name: "projects/c/topics/t"}, UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"labels"}}}, "c"},
		{&pb.ListTopicsRequest{Project: "projects/d"}, "d"},
		{&pb.Subscription{Name: "projects/e/subscriptions/s", Topic: "projects/other/topics/t"}, "e"},
		{&pb.UpdateSubscriptionRequest{Subscription: &pb.Subscription{Name: "projects/f/subscriptions/s"}}, "f"},
		{&pb.DeleteSubscriptionRequest{Subscription: "projects/g/subscriptions/s"}, "g"},
		{&pb.ListSubscriptionsRequest{Project: "projects/h"}, "h"},
		{&pb.CreateSchemaRequest{Parent: "projects/i", SchemaId: "s"}, "i"},
		{&pb.GetSchemaRequest{Name: "projects/j/schemas/s"}, "j"},
		{&pb.CreateSnapshotRequest{Name: "projects/k/snapshots/n", Subscription: "projects/k/subscriptions/s"}, "k"},
		{&iampb.GetIamPolicyRequest{Resource: "projects/l/topics/t"}, "l"},
		{&iampb.SetIamPolicyRequest{Resource: "projects/m/subscriptions/s"}, "m"},
		{&pb.GetTopicRequest{Topic: "not-a-name"}, ""},
		{&pb.GetTopicRequest{}, ""},
		{"not a message", ""},
	} {
		if got := requestProject(tc.req); got != tc.want {
			t.Errorf("requestProject(%T %v) = %q, want %q", tc.req, tc.req, got, tc.want)
		}
	}
}

func TestAdminMethods(t *testing.T) {
	for _, m := range []string{"CreateTopic", "UpdateTopic", "GetTopic", "ListTopics", "DeleteTopic", "ListTopicSubscriptions",
		"CreateSubscription", "GetSubscription", "UpdateSubscription", "ListSubscriptions", "DeleteSubscription",
		"CreateSchema", "GetSchema", "ListSchemas", "CommitSchema", "DeleteSchema",
		"CreateSnapshot", "GetSnapshot", "ListSnapshots", "UpdateSnapshot", "DeleteSnapshot",
		"GetIamPolicy", "SetIamPolicy", "TestIamPermissions"} {
		if !IsAdminMethod(m) {
			t.Errorf("%s is not an administrator operation", m)
		}
	}
	for _, m := range []string{"Publish", "Pull", "StreamingPull", "Acknowledge", "ModifyAckDeadline"} {
		if IsAdminMethod(m) {
			t.Errorf("%s counts against the administrator quota", m)
		}
	}
}

func TestParseQuota(t *testing.T) {
	for in, want := range map[string]int{"600": 600, "600/min": 600, " 6000/min ": 6000, "1": 1,
		"0": 0, "-5": 0, "x": 0, "600/s": 0, "": 0, "1.5": 0} {
		got, err := ParseQuota(in)
		if (err != nil) != (want == 0) || got != want {
			t.Errorf("ParseQuota(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
}

// TestQuotaOnTheWire: one operation per minute, so no token comes back
// during the test: the second administrator call of a project is refused
// with the service's message, the data plane is never counted, and other
// projects have their own bucket.
func TestQuotaOnTheWire(t *testing.T) {
	s := startEmu(t, func(o *Options) { o.Quota = 1 })
	c := dial(t, s.Addr())
	ctx := ctxT(t)
	if s.Quota() != 1 {
		t.Errorf("Quota() = %d", s.Quota())
	}
	if _, err := c.pub.CreateTopic(ctx, &pb.Topic{Name: "projects/q/topics/orders"}); err != nil {
		t.Fatalf("first CreateTopic: %v", err)
	}
	_, err := c.pub.GetTopic(ctx, &pb.GetTopicRequest{Topic: "projects/q/topics/orders"})
	st, _ := status.FromError(err)
	if st.Code() != codes.ResourceExhausted ||
		!strings.HasPrefix(st.Message(), "Quota exceeded for quota metric 'Administrator operations' and limit 'Administrator operations per minute' of service 'pubsub.googleapis.com' for consumer 'project:q'") {
		t.Errorf("second admin call: %v", err)
	}
	if _, err := c.iam.GetIamPolicy(ctx, &iampb.GetIamPolicyRequest{Resource: "projects/q/topics/orders"}); status.Code(err) != codes.ResourceExhausted {
		t.Errorf("GetIamPolicy over the quota: %v", err)
	}
	for range 3 {
		if _, err := c.pub.Publish(ctx, &pb.PublishRequest{Topic: "projects/q/topics/orders", Messages: []*pb.PubsubMessage{{Data: []byte("x")}}}); err != nil {
			t.Errorf("Publish is not an administrator operation: %v", err)
		}
	}
	if _, err := c.pub.ListTopics(ctx, &pb.ListTopicsRequest{Project: "projects/other"}); err != nil {
		t.Errorf("another project's first call: %v", err)
	}
	if got := s.QuotaRefusals(); got["q"] != 2 || len(got) != 1 {
		t.Errorf("QuotaRefusals = %v, want q:2", got)
	}
	// Refused calls are counted like any other RPC.
	if n := s.RPCCounts()["GetTopic"]; n != 1 {
		t.Errorf("GetTopic counted %d times", n)
	}
	s.SetQuota(0)
	if _, err := c.pub.GetTopic(ctx, &pb.GetTopicRequest{Topic: "projects/q/topics/orders"}); err != nil {
		t.Errorf("without a quota: %v", err)
	}
	if s.Quota() != 0 || len(s.QuotaRefusals()) != 0 {
		t.Errorf("after SetQuota(0): Quota %d, refusals %v", s.Quota(), s.QuotaRefusals())
	}
}
