package live

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc/codes"

	"github.com/pubsubctl/pubsubctl/model"
)

func TestTopicMask(t *testing.T) {
	for _, tc := range []struct {
		fields []string
		want   []string
	}{
		{[]string{"labels"}, []string{"labels"}},
		{[]string{"message_retention"}, []string{"message_retention_duration"}},
		{[]string{"kms_key_name"}, []string{"kms_key_name"}},
		{[]string{"message_storage_policy"}, []string{"message_storage_policy"}},
		{[]string{"message_storage_policy.allowed_persistence_regions"}, []string{"message_storage_policy"}},
		{[]string{"schema"}, []string{"schema_settings"}},
		{[]string{"schema.encoding", "schema.last_revision_id"}, []string{"schema_settings"}},
		{[]string{"labels.team"}, []string{"labels"}},
		{[]string{"schema", "labels", "message_retention", "labels"}, []string{"labels", "message_retention_duration", "schema_settings"}},
		// Proto paths are accepted as synonyms.
		{[]string{"message_retention_duration", "schema_settings"}, []string{"message_retention_duration", "schema_settings"}},
	} {
		got, err := TopicMask(tc.fields)
		if err != nil {
			t.Errorf("TopicMask(%q): %v", tc.fields, err)
			continue
		}
		if d := cmp.Diff(tc.want, got); d != "" {
			t.Errorf("TopicMask(%q) (-want +got):\n%s", tc.fields, d)
		}
	}
	for _, bad := range [][]string{nil, {}, {"name"}, {"labels", "name"}, {"nope"}, {"ackDeadline"}} {
		if got, err := TopicMask(bad); err == nil {
			t.Errorf("TopicMask(%q) = %q, want an error", bad, got)
		}
	}
}

func TestSubscriptionMask(t *testing.T) {
	for _, tc := range []struct {
		fields []string
		want   []string
	}{
		{[]string{"ack_deadline"}, []string{"ack_deadline_seconds"}},
		{[]string{"message_retention"}, []string{"message_retention_duration"}},
		{[]string{"retain_acked_messages"}, []string{"retain_acked_messages"}},
		{[]string{"expiration"}, []string{"expiration_policy"}},
		{[]string{"retry_policy"}, []string{"retry_policy"}},
		{[]string{"retry_policy.minimum_backoff"}, []string{"retry_policy"}},
		{[]string{"retry_policy.minimum_backoff", "retry_policy.maximum_backoff"}, []string{"retry_policy"}},
		{[]string{"dead_letter"}, []string{"dead_letter_policy"}},
		{[]string{"dead_letter.max_delivery_attempts"}, []string{"dead_letter_policy"}},
		{[]string{"push"}, []string{"push_config"}},
		{[]string{"push.oidc.audience"}, []string{"push_config"}},
		{[]string{"bigquery"}, []string{"bigquery_config"}},
		{[]string{"cloud_storage"}, []string{"cloud_storage_config"}},
		{[]string{"cloud_storage.avro.write_metadata"}, []string{"cloud_storage_config"}},
		{[]string{"enable_exactly_once_delivery"}, []string{"enable_exactly_once_delivery"}},
		{[]string{"labels"}, []string{"labels"}},
		{[]string{"labels.managed-by"}, []string{"labels"}},
		{[]string{"labels", "ack_deadline", "push", "expiration"}, []string{"ack_deadline_seconds", "expiration_policy", "labels", "push_config"}},
	} {
		got, err := SubscriptionMask(tc.fields)
		if err != nil {
			t.Errorf("SubscriptionMask(%q): %v", tc.fields, err)
			continue
		}
		if d := cmp.Diff(tc.want, got); d != "" {
			t.Errorf("SubscriptionMask(%q) (-want +got):\n%s", tc.fields, d)
		}
	}
	for _, bad := range [][]string{nil, {}, {"filter"}, {"topic"}, {"enable_message_ordering"}, {"name"},
		{"detached"}, {"labels", "filter"}, {"bogus"}, {"ackDeadline"}} {
		got, err := SubscriptionMask(bad)
		if err == nil {
			t.Errorf("SubscriptionMask(%q) = %q, want an error", bad, got)
		}
		if len(bad) > 0 && bad[len(bad)-1] == "filter" && !strings.Contains(err.Error(), "immutable") {
			t.Errorf("SubscriptionMask(%q): %v, want it to say immutable", bad, err)
		}
	}
}

// TestUpdateImmutableSendsNothing: an immutable or empty field list fails
// before any RPC, naming the operation and resource.
func TestUpdateImmutableSendsNothing(t *testing.T) {
	ctx := testCtx(t)
	_, c := startPstest(t)
	s := &model.Subscription{Name: "s", Topic: "t", Filter: `attributes:x`}
	for _, fields := range [][]string{{"filter"}, {"topic"}, {"enable_message_ordering"}, {"name"}, nil} {
		_, err := c.UpdateSubscription(ctx, s, fields)
		if err == nil || !strings.HasPrefix(err.Error(), "update subscription projects/p/subscriptions/s: ") {
			t.Errorf("UpdateSubscription(%q): %v", fields, err)
		}
	}
	if _, err := c.UpdateTopic(ctx, &model.Topic{Name: "t"}, nil); err == nil || !strings.HasPrefix(err.Error(), "update topic projects/p/topics/t: ") {
		t.Errorf("UpdateTopic with no fields: %v", err)
	}
	if n := c.RPCCounts()["UpdateSubscription"] + c.RPCCounts()["UpdateTopic"]; n != 0 {
		t.Errorf("%d update RPCs sent", n)
	}
}

func TestUpdateTopicPerFieldPstest(t *testing.T) {
	_, c := startPstest(t)
	testUpdateTopicPerField(t, c)

	// pstest rejects the kms_key_name mask path although the real service
	// (and internal/emulator) accept it: check the mask is
	// sent and the error names the operation.
	k := &model.Topic{Name: "topic-t", KMSKeyName: "projects/p/locations/us/keyRings/r/cryptoKeys/k"}
	_, err := c.UpdateTopic(testCtx(t), k, []string{"kms_key_name"})
	if Code(err) != codes.InvalidArgument || !strings.Contains(err.Error(), "update topic projects/p/topics/topic-t") ||
		!strings.Contains(err.Error(), "kms_key_name") {
		t.Errorf("kms_key_name on pstest: %v (pstest rejects this path; has it learned it?)", err)
	}
}

// testUpdateTopicPerField updates one field at a time, with the other
// fields poisoned, and checks only that field changed.
func testUpdateTopicPerField(t *testing.T, c *Client) {
	ctx := testCtx(t)
	sch, err := c.CreateSchema(ctx, &model.Schema{Name: "order", Type: "AVRO", Definition: avroDef})
	if err != nil {
		t.Fatal(err)
	}
	base := func() *model.Topic {
		return &model.Topic{
			Addr: model.Address{Kind: model.KindTopic, Name: "topic-t"}, Name: "topic-t",
			Labels:           map[string]string{"a": "1"},
			MessageRetention: time.Hour,
			StoragePolicy:    &model.StoragePolicy{AllowedPersistenceRegions: []string{"us-east1"}},
		}
	}
	if _, err := c.CreateTopic(ctx, base()); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		field  string
		mutate func(t *model.Topic)
	}{
		{"labels", func(t *model.Topic) { t.Labels = map[string]string{"b": "2"} }},
		{"message_retention", func(t *model.Topic) { t.MessageRetention = 2 * model.Day }},
		{"message_storage_policy", func(t *model.Topic) {
			t.StoragePolicy = &model.StoragePolicy{AllowedPersistenceRegions: []string{"europe-west1"}, EnforceInTransit: true}
		}},
		{"schema", func(t *model.Topic) {
			t.Schema = &model.SchemaSettings{Schema: "order", Encoding: "JSON", FirstRevisionID: sch.RevisionID}
		}},
		{"schema.encoding", func(t *model.Topic) { t.Schema.Encoding = "BINARY" }},
		{"schema", func(t *model.Topic) { t.Schema = nil }},                        // detach the schema
		{"message_storage_policy", func(t *model.Topic) { t.StoragePolicy = nil }}, // back to the org policy
		{"message_retention", func(t *model.Topic) { t.MessageRetention = 0 }},     // retention off
		{"labels", func(t *model.Topic) { t.Labels = map[string]string{} }},        // remove every label
	}
	want := base()
	for _, step := range steps {
		// desired = want with the step applied; send desired, but also
		// poison every other field to prove the mask limits the change.
		step.mutate(want)
		sent := *want
		if step.field != "labels" {
			sent.Labels = map[string]string{"poison": "x"}
		}
		if !strings.HasPrefix(step.field, "message_retention") {
			sent.MessageRetention = 5 * model.Day
		}
		got, err := c.UpdateTopic(ctx, &sent, []string{step.field})
		if err != nil {
			t.Fatalf("update %s: %v", step.field, err)
		}
		wantRead := *want
		if wantRead.Schema != nil {
			s := *wantRead.Schema
			s.Schema = full(model.KindSchema, s.Schema)
			wantRead.Schema = &s
		}
		if d := cmp.Diff(&wantRead, got, cmpModel...); d != "" {
			t.Errorf("update %s: result (-want +got):\n%s", step.field, d)
		}
		st := mustRead(t, ctx, c, ReadOptions{})
		if d := cmp.Diff(&wantRead, findTopic(st, "topic-t"), cmpModel...); d != "" {
			t.Errorf("update %s: read back (-want +got):\n%s", step.field, d)
		}
	}
}

func TestUpdateSubscriptionPerFieldPstest(t *testing.T) {
	_, c := startPstest(t)
	testUpdateSubscriptionPerField(t, c, func(*model.Subscription) {})
}

// testUpdateSubscriptionPerField updates one field at a time, with another
// field poisoned, and checks only that field changed. serverDefaults
// applies what the server fills in to the expected value.
func testUpdateSubscriptionPerField(t *testing.T, c *Client, serverDefaults func(*model.Subscription)) {
	ctx := testCtx(t)
	for _, id := range []string{"topic-t", "dlq-one", "dlq-two"} {
		if _, err := c.CreateTopic(ctx, &model.Topic{Name: id}); err != nil {
			t.Fatal(err)
		}
	}
	base := func() *model.Subscription {
		return &model.Subscription{
			Addr: model.Address{Kind: model.KindSubscription, Name: "sub-s"}, Name: "sub-s",
			Topic:            full(model.KindTopic, "topic-t"),
			AckDeadline:      60 * time.Second,
			MessageRetention: 7 * model.Day,
			Expiration:       model.Expiration{Never: true},
			Filter:           `attributes:x`,
			Labels:           map[string]string{"a": "1"},
		}
	}
	if _, err := c.CreateSubscription(ctx, base()); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		field  string
		mutate func(s *model.Subscription)
	}{
		{"ack_deadline", func(s *model.Subscription) { s.AckDeadline = 120 * time.Second }},
		{"message_retention", func(s *model.Subscription) { s.MessageRetention = 2 * model.Day }},
		{"retain_acked_messages", func(s *model.Subscription) { s.RetainAckedMessages = true }},
		{"expiration", func(s *model.Subscription) { s.Expiration = model.Expiration{TTL: 3 * model.Day} }},
		{"expiration", func(s *model.Subscription) { s.Expiration = model.Expiration{Never: true} }},
		{"retry_policy", func(s *model.Subscription) {
			s.RetryPolicy = &model.RetryPolicy{MinimumBackoff: 10 * time.Second, MaximumBackoff: 600 * time.Second}
		}},
		{"retry_policy.minimum_backoff", func(s *model.Subscription) { s.RetryPolicy.MinimumBackoff = 20 * time.Second }},
		{"dead_letter", func(s *model.Subscription) {
			s.DeadLetter = &model.DeadLetter{Topic: full(model.KindTopic, "dlq-one"), MaxDeliveryAttempts: 5}
		}},
		{"dead_letter.topic", func(s *model.Subscription) { s.DeadLetter.Topic = full(model.KindTopic, "dlq-two") }},
		{"dead_letter.max_delivery_attempts", func(s *model.Subscription) { s.DeadLetter.MaxDeliveryAttempts = 9 }},
		{"push", func(s *model.Subscription) {
			s.Push = &model.PushConfig{Endpoint: "https://example.com/push", OIDC: &model.OIDCToken{ServiceAccount: "sa@p.iam.gserviceaccount.com"}}
		}},
		{"push.no_wrapper", func(s *model.Subscription) { s.Push.NoWrapper = &model.NoWrapper{WriteMetadata: true} }},
		{"push", func(s *model.Subscription) { s.Push = nil }}, // push -> pull
		{"bigquery", func(s *model.Subscription) {
			s.BigQuery = &model.BigQueryConfig{Table: "p.d.t", UseTopicSchema: true, WriteMetadata: true}
		}},
		{"bigquery", func(s *model.Subscription) { s.BigQuery = nil }},
		{"cloud_storage", func(s *model.Subscription) {
			s.CloudStorage = &model.CloudStorageConfig{Bucket: "b", Text: true, MaxDuration: 3 * time.Minute, MaxMessages: 2000}
		}},
		{"cloud_storage.avro", func(s *model.Subscription) {
			s.CloudStorage.Text = false
			s.CloudStorage.Avro = &model.AvroConfig{UseTopicSchema: true}
		}},
		{"cloud_storage", func(s *model.Subscription) { s.CloudStorage = nil }},
		{"enable_exactly_once_delivery", func(s *model.Subscription) { s.EnableExactlyOnceDelivery = true }},
		{"labels", func(s *model.Subscription) { s.Labels = map[string]string{"b": "2"} }},
		{"dead_letter", func(s *model.Subscription) { s.DeadLetter = nil }}, // stop dead-lettering
		{"retry_policy", func(s *model.Subscription) { s.RetryPolicy = nil }},
	}
	want := base()
	for _, step := range steps {
		step.mutate(want)
		// Poison an unrelated field: the mask must keep it out.
		sent := *want
		if step.field != "ack_deadline" {
			sent.AckDeadline = 300 * time.Second
		}
		got, err := c.UpdateSubscription(ctx, &sent, []string{step.field})
		if err != nil {
			t.Fatalf("update %s: %v", step.field, err)
		}
		serverDefaults(want)
		if d := cmp.Diff(want, got, cmpModel...); d != "" {
			t.Errorf("update %s: result (-want +got):\n%s", step.field, d)
		}
		st := mustRead(t, ctx, c, ReadOptions{})
		if d := cmp.Diff(want, findSub(st, "sub-s"), cmpModel...); d != "" {
			t.Errorf("update %s: read back (-want +got):\n%s", step.field, d)
		}
	}
}
