package live

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc/codes"

	"github.com/pubsubctl/pubsubctl/internal/emulator"
	"github.com/pubsubctl/pubsubctl/model"
)

// Tests against internal/emulator: pstest re-hosted with a conformance
// layer (real-service validation and defaults) and an IAM service.

func startEmulator(t testing.TB) (*emulator.Server, *Client) {
	t.Helper()
	srv, err := emulator.Start(testCtx(t), emulator.Options{Port: 0, Seed: 1})
	if err != nil {
		t.Fatalf("emulator.Start: %v", err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv, newTestClient(t, srv.Addr(), testProject)
}

func TestEmulatorIAM(t *testing.T) {
	ctx := testCtx(t)
	srv, c := startEmulator(t)
	if _, err := c.CreateTopic(ctx, &model.Topic{Name: "orders"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateSubscription(ctx, &model.Subscription{Name: "orders-sub", Topic: "orders"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateSchema(ctx, &model.Schema{Name: "order-schema", Type: "AVRO", Definition: avroDef}); err != nil {
		t.Fatal(err)
	}
	topic := full(model.KindTopic, "orders")

	empty, err := c.GetPolicy(ctx, model.KindTopic, topic)
	if err != nil {
		t.Fatal(err)
	}
	if empty.Etag == "" || len(empty.Bindings) != 0 {
		t.Errorf("empty policy = %+v", empty)
	}
	want := &model.Policy{Etag: empty.Etag, Bindings: []model.PolicyBinding{
		{Role: model.RolePublisher, Members: []string{"serviceAccount:pub@p.iam.gserviceaccount.com", "user:alice@example.com"}},
		{Role: model.RoleSubscriber, Members: []string{"group:readers@example.com"}},
	}}
	set, err := c.SetPolicy(ctx, model.KindTopic, "orders", want)
	if err != nil {
		t.Fatal(err)
	}
	if set.Etag == "" || set.Etag == empty.Etag {
		t.Errorf("etag after set = %q (before %q)", set.Etag, empty.Etag)
	}
	if d := cmp.Diff(want.Bindings, set.Bindings); d != "" {
		t.Errorf("stored bindings (-want +got):\n%s", d)
	}
	subPolicy := &model.Policy{Bindings: []model.PolicyBinding{{Role: model.RoleSubscriber, Members: []string{"user:bob@example.com"}}}}
	if _, err := c.SetPolicy(ctx, model.KindSubscription, "orders-sub", subPolicy); err != nil { // blind write (no etag)
		t.Fatal(err)
	}
	if _, err := c.SetPolicy(ctx, model.KindSchema, "order-schema", &model.Policy{Bindings: []model.PolicyBinding{
		{Role: model.RoleViewer, Members: []string{"domain:example.com"}}}}); err != nil {
		t.Fatal(err)
	}

	// A stale etag is Aborted, not retried, and names the operation.
	before := srv.RPCCounts()["SetIamPolicy"]
	_, err = c.SetPolicy(ctx, model.KindTopic, topic, want)
	if Code(err) != codes.Aborted || !strings.HasPrefix(err.Error(), "set IAM policy of topic projects/p/topics/orders: ") {
		t.Errorf("stale etag: %v", err)
	}
	if n := srv.RPCCounts()["SetIamPolicy"] - before; n != 1 {
		t.Errorf("stale etag sent %d times, want 1 (no retry)", n)
	}
	// An invalid member is InvalidArgument.
	_, err = c.SetPolicy(ctx, model.KindTopic, topic, &model.Policy{Bindings: []model.PolicyBinding{{Role: model.RolePublisher, Members: []string{"alice"}}}})
	if Code(err) != codes.InvalidArgument {
		t.Errorf("invalid member: %v", err)
	}

	// Read selects resources by IAMFor and reads their policies.
	st, err := readCounted(ctx, c, ReadOptions{IAMFor: func(k model.Kind, name string) bool { return true }})
	if err != nil {
		t.Fatal(err)
	}
	if !st.IAMSupported {
		t.Error("IAMSupported = false on the emulator")
	}
	if len(st.Policies) != 3 {
		t.Fatalf("policies for %d resources, want 3: %v", len(st.Policies), st.Policies)
	}
	if d := cmp.Diff(set, st.Policies[topic]); d != "" {
		t.Errorf("topic policy (-set +read):\n%s", d)
	}
	if got := st.Policies[full(model.KindSubscription, "orders-sub")].Members(model.RoleSubscriber); len(got) != 1 || got[0] != "user:bob@example.com" {
		t.Errorf("subscription members %v", got)
	}
	if got := st.Policies[full(model.KindSchema, "order-schema")].Members(model.RoleViewer); len(got) != 1 {
		t.Errorf("schema members %v", got)
	}
	if st.RPCs["GetIamPolicy"] != 3 {
		t.Errorf("RPCs %v", st.RPCs)
	}
	// Only the selected resources are read.
	st, err = readCounted(ctx, c, ReadOptions{IAMFor: func(k model.Kind, name string) bool { return k == model.KindSubscription }})
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Policies) != 1 || st.RPCs["GetIamPolicy"] != 1 {
		t.Errorf("subscriptions only: policies %v, RPCs %v", st.Policies, st.RPCs)
	}
	st, err = readCounted(ctx, c, ReadOptions{})
	if err != nil || len(st.Policies) != 0 || st.RPCs["GetIamPolicy"] != 0 {
		t.Errorf("no IAM: policies %v, RPCs %v, %v", st.Policies, st.RPCs, err)
	}
}

func TestEmulatorIAMConcurrentRead(t *testing.T) {
	ctx := testCtx(t)
	_, c := startEmulator(t)
	createTopics(t, ctx, c, 100)
	c.opts.Parallelism = 4
	st, err := readCounted(ctx, c, ReadOptions{IAMFor: func(model.Kind, string) bool { return true }})
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Policies) != 100 || st.RPCs["GetIamPolicy"] != 100 {
		t.Errorf("%d policies, RPCs %v", len(st.Policies), st.RPCs)
	}
}

// TestEmulatorRoundTrip runs the subscription variants through the
// emulator, which validates like the real service and fills its defaults.
func TestEmulatorRoundTrip(t *testing.T) {
	ctx := testCtx(t)
	_, c := startEmulator(t)
	for _, id := range []string{"orders", "orders-worker-dlq"} {
		if _, err := c.CreateTopic(ctx, &model.Topic{Name: id}); err != nil {
			t.Fatal(err)
		}
	}
	i := 0
	for name, want := range subVariants() {
		i++
		want.Name = fmt.Sprintf("sub-%02d", i)
		want.Addr.Name = want.Name
		created, err := c.CreateSubscription(ctx, want)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		fixEmulatorDefaults(want)
		if d := cmp.Diff(want, created, cmpModel...); d != "" {
			t.Errorf("%s: create (-want +got):\n%s", name, d)
		}
		got, err := c.GetSubscription(ctx, want.Name)
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(want, got, cmpModel...); d != "" {
			t.Errorf("%s: get (-want +got):\n%s", name, d)
		}
	}
	// Retention above 7 days, which pstest rejects.
	long := &model.Subscription{Name: "long", Topic: "orders", MessageRetention: 14 * model.Day}
	got, err := c.CreateSubscription(ctx, long)
	if err != nil || got.MessageRetention != 14*model.Day {
		t.Errorf("14d retention: %+v, %v", got, err)
	}
	// Topic with every field, schema included.
	sch, err := c.CreateSchema(ctx, &model.Schema{Name: "order", Type: "AVRO", Definition: avroDef})
	if err != nil {
		t.Fatal(err)
	}
	tp := fullTopic()
	tp.Name, tp.Addr.Name = "every-field", "every-field"
	tp.Schema.FirstRevisionID, tp.Schema.LastRevisionID = sch.RevisionID, sch.RevisionID
	if _, err := c.CreateTopic(ctx, tp); err != nil {
		t.Fatal(err)
	}
	st := mustRead(t, ctx, c, ReadOptions{})
	if d := cmp.Diff(tp, findTopic(st, "every-field"), cmpModel...); d != "" {
		t.Errorf("topic (-want +got):\n%s", d)
	}
	// kms_key_name is updatable on the real service (pstest rejects it).
	tp.KMSKeyName = "projects/p/locations/europe-west1/keyRings/r/cryptoKeys/k2"
	if got, err := c.UpdateTopic(ctx, tp, []string{"kms_key_name"}); err != nil {
		t.Errorf("kms_key_name update on the emulator: %v", err)
	} else if got.KMSKeyName != tp.KMSKeyName {
		t.Errorf("kms_key_name after update = %q", got.KMSKeyName)
	}
}

// fixEmulatorDefaults applies what the real service (and the emulator)
// fills in on create: both sides of a retry policy, and the
// x-goog-version push attribute (a drift trap that plan must normalize).
func fixEmulatorDefaults(s *model.Subscription) {
	if p := s.Push; p != nil {
		if _, ok := p.Attributes["x-goog-version"]; !ok {
			if p.Attributes == nil {
				p.Attributes = map[string]string{}
			}
			p.Attributes["x-goog-version"] = "v1"
		}
	}
	if rp := s.RetryPolicy; rp != nil {
		if rp.MinimumBackoff == 0 {
			rp.MinimumBackoff = 10 * time.Second
		}
		if rp.MaximumBackoff == 0 {
			rp.MaximumBackoff = 600 * time.Second
		}
	}
}

// TestEmulatorFaults: injected Unavailable faults on the emulator are
// retried; both sides count the same RPCs.
func TestEmulatorFaults(t *testing.T) {
	ctx := testCtx(t)
	srv, c := startEmulator(t)
	createTopics(t, ctx, c, 2500)
	srv.SetFaultSeed(7)
	srv.InjectFault("ListTopics", codes.Unavailable, 0.5)
	srv.InjectFault("ListSubscriptions", codes.ResourceExhausted, 0.5)
	before := srv.RPCCounts()
	st, err := readCounted(ctx, c, ReadOptions{})
	if err != nil {
		t.Fatalf("Read with faults: %v", err)
	}
	if len(st.Topics) != 2500 {
		t.Errorf("read %d topics", len(st.Topics))
	}
	after := srv.RPCCounts()
	for _, m := range []string{"ListTopics", "ListSubscriptions", "ListSchemas"} {
		if server := int(after[m] - before[m]); server != st.RPCs[m] {
			t.Errorf("%s: server saw %d, client counted %d", m, server, st.RPCs[m])
		}
	}
	if st.RPCs["ListTopics"] < 3 {
		t.Errorf("ListTopics %d, want at least 3 pages", st.RPCs["ListTopics"])
	}
	t.Logf("RPCs with 50%% faults: %v", st.RPCs)

	srv.ClearFaults()
	srv.InjectFault("ListTopics", codes.Unavailable, 1)
	_, err = readCounted(ctx, c, ReadOptions{})
	var e *Error
	if !errors.As(err, &e) || e.Op != "list topics" || len(e.Retried) != 5 || Code(err) != codes.Unavailable {
		t.Errorf("permanent fault: %v", err)
	}
	srv.ClearFaults()
	st = mustRead(t, ctx, c, ReadOptions{})
	if st.RPCs["ListTopics"] != 3 {
		t.Errorf("no faults: ListTopics %d, want 3", st.RPCs["ListTopics"])
	}
}

func TestEmulatorUpdatePerField(t *testing.T) {
	t.Run("topic", func(t *testing.T) {
		_, c := startEmulator(t)
		testUpdateTopicPerField(t, c)
	})
	t.Run("subscription", func(t *testing.T) {
		_, c := startEmulator(t)
		testUpdateSubscriptionPerField(t, c, fixEmulatorDefaults)
	})
}
