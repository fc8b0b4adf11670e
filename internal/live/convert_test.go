package live

import (
	"maps"
	"reflect"
	"strings"
	"testing"
	"time"
	"unsafe"

	iampb "cloud.google.com/go/iam/apiv1/iampb"
	pb "cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/testing/protocmp"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/pubsubctl/pubsubctl/model"
)

// Pure conversions, model -> proto -> model, for every field, without a
// server (so that fields pstest mangles or ignores are covered too).

func fullTopic() *model.Topic {
	return &model.Topic{
		Addr:             model.Address{Kind: model.KindTopic, Name: "orders"},
		Name:             "orders",
		Labels:           map[string]string{"team": "payments", "managed-by": "pubsubctl"},
		MessageRetention: 3 * model.Day,
		KMSKeyName:       "projects/p/locations/europe-west1/keyRings/r/cryptoKeys/k",
		StoragePolicy:    &model.StoragePolicy{AllowedPersistenceRegions: []string{"europe-west1", "europe-west4"}, EnforceInTransit: true},
		Schema: &model.SchemaSettings{
			Schema:          full(model.KindSchema, "order"),
			Encoding:        "BINARY",
			FirstRevisionID: "aaaa1111",
			LastRevisionID:  "bbbb2222",
		},
	}
}

func TestTopicConversionRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   *model.Topic
	}{
		{"every field", fullTopic()},
		{"minimal", &model.Topic{Addr: model.Address{Kind: model.KindTopic, Name: "t"}, Name: "t", Labels: map[string]string{}}},
		{"json encoding, open revision range", &model.Topic{
			Addr: model.Address{Kind: model.KindTopic, Name: "t"}, Name: "t", Labels: map[string]string{},
			Schema: &model.SchemaSettings{Schema: full(model.KindSchema, "s"), Encoding: "JSON"},
		}},
		{"storage policy without in-transit enforcement", &model.Topic{
			Addr: model.Address{Kind: model.KindTopic, Name: "t"}, Name: "t", Labels: map[string]string{},
			StoragePolicy: &model.StoragePolicy{AllowedPersistenceRegions: []string{"us-east1"}},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := topicToProto(testProject, tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if p.Name != full(model.KindTopic, tc.in.Name) {
				t.Errorf("proto name = %q", p.Name)
			}
			got := topicFromProto(p)
			if d := cmp.Diff(tc.in, got, cmpModel...); d != "" {
				t.Errorf("round trip (-want +got):\n%s", d)
			}
		})
	}
}

func TestTopicToProtoFields(t *testing.T) {
	p, err := topicToProto(testProject, fullTopic())
	if err != nil {
		t.Fatal(err)
	}
	want := &pb.Topic{
		Name:                     "projects/p/topics/orders",
		Labels:                   map[string]string{"team": "payments", "managed-by": "pubsubctl"},
		MessageRetentionDuration: durationpb.New(72 * time.Hour),
		KmsKeyName:               "projects/p/locations/europe-west1/keyRings/r/cryptoKeys/k",
		MessageStoragePolicy:     &pb.MessageStoragePolicy{AllowedPersistenceRegions: []string{"europe-west1", "europe-west4"}, EnforceInTransit: true},
		SchemaSettings: &pb.SchemaSettings{
			Schema: "projects/p/schemas/order", Encoding: pb.Encoding_BINARY,
			FirstRevisionId: "aaaa1111", LastRevisionId: "bbbb2222",
		},
	}
	if d := cmp.Diff(want, p, protocmp.Transform()); d != "" {
		t.Errorf("proto (-want +got):\n%s", d)
	}
	// A schema given as an ID is qualified with the project.
	tp := fullTopic()
	tp.Schema.Schema = "order"
	tp.Schema.Encoding = "json"
	p, err = topicToProto(testProject, tp)
	if err != nil {
		t.Fatal(err)
	}
	if p.SchemaSettings.Schema != "projects/p/schemas/order" || p.SchemaSettings.Encoding != pb.Encoding_JSON {
		t.Errorf("schema settings = %v", p.SchemaSettings)
	}
	tp.Schema.Encoding = "XML"
	if _, err := topicToProto(testProject, tp); err == nil {
		t.Error("encoding XML accepted")
	}
}

func fullPullSub() *model.Subscription {
	return &model.Subscription{
		Addr:                      model.Address{Kind: model.KindSubscription, Name: "orders-worker"},
		Name:                      "orders-worker",
		Topic:                     full(model.KindTopic, "orders"),
		AckDeadline:               45 * time.Second,
		MessageRetention:          3 * model.Day,
		RetainAckedMessages:       true,
		Expiration:                model.Expiration{TTL: 40 * model.Day},
		Filter:                    `attributes.env = "prod"`,
		EnableMessageOrdering:     true,
		EnableExactlyOnceDelivery: true,
		RetryPolicy:               &model.RetryPolicy{MinimumBackoff: 5 * time.Second, MaximumBackoff: 300 * time.Second},
		DeadLetter:                &model.DeadLetter{Topic: full(model.KindTopic, "orders-worker-dlq"), MaxDeliveryAttempts: 7},
		Labels:                    map[string]string{"team": "payments"},
	}
}

func subVariants() map[string]*model.Subscription {
	base := func(mut func(s *model.Subscription)) *model.Subscription {
		s := &model.Subscription{
			Addr:             model.Address{Kind: model.KindSubscription, Name: "s"},
			Name:             "s",
			Topic:            full(model.KindTopic, "orders"),
			AckDeadline:      60 * time.Second,
			MessageRetention: 7 * model.Day,
			Expiration:       model.Expiration{Never: true},
			Labels:           map[string]string{},
		}
		mut(s)
		return s
	}
	return map[string]*model.Subscription{
		"pull, every field": fullPullSub(),
		"push, OIDC, attributes, no wrapper": base(func(s *model.Subscription) {
			s.Push = &model.PushConfig{
				Endpoint:   "https://example.com/push",
				Attributes: map[string]string{"x-goog-version": "v1"},
				OIDC:       &model.OIDCToken{ServiceAccount: "pusher@p.iam.gserviceaccount.com", Audience: "https://example.com"},
				NoWrapper:  &model.NoWrapper{WriteMetadata: true},
			}
		}),
		"push, pubsub wrapper": base(func(s *model.Subscription) {
			s.Push = &model.PushConfig{Endpoint: "https://example.com/push"}
		}),
		"push, no wrapper without metadata": base(func(s *model.Subscription) {
			s.Push = &model.PushConfig{Endpoint: "https://example.com/push", NoWrapper: &model.NoWrapper{}}
		}),
		"bigquery": base(func(s *model.Subscription) {
			s.BigQuery = &model.BigQueryConfig{
				Table: "p.dataset.table", UseTopicSchema: true, WriteMetadata: true,
				DropUnknownFields: true, ServiceAccount: "bq@p.iam.gserviceaccount.com",
			}
		}),
		"bigquery, table schema": base(func(s *model.Subscription) {
			s.BigQuery = &model.BigQueryConfig{Table: "p.dataset.table", UseTableSchema: true}
		}),
		"cloud storage, text": base(func(s *model.Subscription) {
			s.CloudStorage = &model.CloudStorageConfig{
				Bucket: "bucket", FilenamePrefix: "pre-", FilenameSuffix: ".txt",
				FilenameDatetimeFormat: "YYYY-MM-DD/hh_mm_ssZ", Text: true,
				MaxDuration: 5 * time.Minute, MaxBytes: 10 << 20, MaxMessages: 1000,
				ServiceAccount: "gcs@p.iam.gserviceaccount.com",
			}
		}),
		"cloud storage, avro": base(func(s *model.Subscription) {
			s.CloudStorage = &model.CloudStorageConfig{
				Bucket: "bucket", Avro: &model.AvroConfig{WriteMetadata: true, UseTopicSchema: true},
				MaxDuration: 2 * time.Minute,
			}
		}),
		"retry policy with one side": base(func(s *model.Subscription) {
			s.RetryPolicy = &model.RetryPolicy{MaximumBackoff: 100 * time.Second}
		}),
		"expiration never": base(func(s *model.Subscription) { s.Expiration = model.Expiration{Never: true} }),
		"expiration ttl":   base(func(s *model.Subscription) { s.Expiration = model.Expiration{TTL: 10 * model.Day} }),
	}
}

func TestSubscriptionConversionRoundTrip(t *testing.T) {
	for name, in := range subVariants() {
		t.Run(name, func(t *testing.T) {
			p, err := subToProto(testProject, in)
			if err != nil {
				t.Fatal(err)
			}
			got := subFromProto(p)
			if d := cmp.Diff(in, got, cmpModel...); d != "" {
				t.Errorf("round trip (-want +got):\n%s", d)
			}
		})
	}
}

func TestSubscriptionToProtoFields(t *testing.T) {
	p, err := subToProto(testProject, fullPullSub())
	if err != nil {
		t.Fatal(err)
	}
	want := &pb.Subscription{
		Name:                      "projects/p/subscriptions/orders-worker",
		Topic:                     "projects/p/topics/orders",
		AckDeadlineSeconds:        45,
		RetainAckedMessages:       true,
		MessageRetentionDuration:  durationpb.New(72 * time.Hour),
		Labels:                    map[string]string{"team": "payments"},
		EnableMessageOrdering:     true,
		ExpirationPolicy:          &pb.ExpirationPolicy{Ttl: durationpb.New(40 * 24 * time.Hour)},
		Filter:                    `attributes.env = "prod"`,
		DeadLetterPolicy:          &pb.DeadLetterPolicy{DeadLetterTopic: "projects/p/topics/orders-worker-dlq", MaxDeliveryAttempts: 7},
		RetryPolicy:               &pb.RetryPolicy{MinimumBackoff: durationpb.New(5 * time.Second), MaximumBackoff: durationpb.New(300 * time.Second)},
		EnableExactlyOnceDelivery: true,
	}
	if d := cmp.Diff(want, p, protocmp.Transform()); d != "" {
		t.Errorf("proto (-want +got):\n%s", d)
	}

	push := subVariants()["push, OIDC, attributes, no wrapper"]
	p, err = subToProto(testProject, push)
	if err != nil {
		t.Fatal(err)
	}
	wantPush := &pb.PushConfig{
		PushEndpoint: "https://example.com/push",
		Attributes:   map[string]string{"x-goog-version": "v1"},
		AuthenticationMethod: &pb.PushConfig_OidcToken_{OidcToken: &pb.PushConfig_OidcToken{
			ServiceAccountEmail: "pusher@p.iam.gserviceaccount.com", Audience: "https://example.com"}},
		Wrapper: &pb.PushConfig_NoWrapper_{NoWrapper: &pb.PushConfig_NoWrapper{WriteMetadata: true}},
	}
	if d := cmp.Diff(wantPush, p.PushConfig, protocmp.Transform()); d != "" {
		t.Errorf("push config (-want +got):\n%s", d)
	}
	p, _ = subToProto(testProject, subVariants()["push, pubsub wrapper"])
	if p.PushConfig.GetPubsubWrapper() == nil {
		t.Errorf("default wrapper not sent as pubsub_wrapper: %v", p.PushConfig)
	}
	p, _ = subToProto(testProject, subVariants()["cloud storage, avro"])
	if p.CloudStorageConfig.GetAvroConfig() == nil || p.CloudStorageConfig.GetMaxDuration().AsDuration() != 2*time.Minute {
		t.Errorf("cloud storage config = %v", p.CloudStorageConfig)
	}
	p, _ = subToProto(testProject, subVariants()["cloud storage, text"])
	if p.CloudStorageConfig.GetTextConfig() == nil {
		t.Errorf("cloud storage config = %v", p.CloudStorageConfig)
	}

	// IDs are qualified with the project.
	s := fullPullSub()
	s.Topic, s.DeadLetter.Topic = "orders", "dlq"
	p, _ = subToProto(testProject, s)
	if p.Topic != "projects/p/topics/orders" || p.DeadLetterPolicy.DeadLetterTopic != "projects/p/topics/dlq" {
		t.Errorf("topic %q, dead-letter topic %q", p.Topic, p.DeadLetterPolicy.DeadLetterTopic)
	}
	// Sub-second ack deadlines cannot be represented.
	s.AckDeadline = 1500 * time.Millisecond
	if _, err := subToProto(testProject, s); err == nil {
		t.Error("ack deadline 1.5s accepted")
	}
}

// TestSubscriptionServiceDefaults: what a read fills in where the service
// left a field unset, and how unset model fields are sent.
func TestSubscriptionServiceDefaults(t *testing.T) {
	got := subFromProto(&pb.Subscription{
		Name:             "projects/p/subscriptions/s",
		Topic:            "_deleted-topic_",
		DeadLetterPolicy: &pb.DeadLetterPolicy{DeadLetterTopic: "projects/other/topics/dlq"},
		PushConfig:       &pb.PushConfig{}, // pull
		Detached:         true,
	})
	want := &model.Subscription{
		Addr:             model.Address{Kind: model.KindSubscription, Name: "s"},
		Name:             "s",
		Topic:            "_deleted-topic_",
		AckDeadline:      10 * time.Second,
		MessageRetention: 7 * model.Day,
		Expiration:       model.Expiration{TTL: 31 * model.Day},
		DeadLetter:       &model.DeadLetter{Topic: "projects/other/topics/dlq", MaxDeliveryAttempts: 5},
		Labels:           map[string]string{},
		Detached:         true,
	}
	if d := cmp.Diff(want, got, cmpModel...); d != "" {
		t.Errorf("defaults (-want +got):\n%s", d)
	}
	// Expiration policy without ttl = never.
	if e := expirationFromProto(&pb.ExpirationPolicy{}); !e.Never {
		t.Errorf("empty expiration policy = %v, want never", e)
	}
	// A Cloud Storage config without output format is text.
	if cs := subFromProto(&pb.Subscription{CloudStorageConfig: &pb.CloudStorageConfig{Bucket: "b"}}).CloudStorage; !cs.Text || cs.Avro != nil {
		t.Errorf("cloud storage without format = %+v", cs)
	}

	// Unset model fields are not sent: the service applies its defaults.
	p, err := subToProto(testProject, &model.Subscription{Name: "s", Topic: "t"})
	if err != nil {
		t.Fatal(err)
	}
	if p.AckDeadlineSeconds != 0 || p.MessageRetentionDuration != nil || p.ExpirationPolicy != nil ||
		p.RetryPolicy != nil || p.DeadLetterPolicy != nil || p.PushConfig != nil || p.BigqueryConfig != nil ||
		p.CloudStorageConfig != nil || p.Labels != nil {
		t.Errorf("unset fields sent: %v", p)
	}
	p, _ = subToProto(testProject, &model.Subscription{Name: "s", Topic: "t", Expiration: model.Expiration{Never: true}})
	if p.ExpirationPolicy == nil || p.ExpirationPolicy.Ttl != nil {
		t.Errorf("never expiration sent as %v", p.ExpirationPolicy)
	}
}

func TestSchemaConversion(t *testing.T) {
	for _, typ := range []string{"AVRO", "PROTOCOL_BUFFER"} {
		in := &model.Schema{Addr: model.Address{Kind: model.KindSchema, Name: "s"}, Name: "s", Type: typ, Definition: "def"}
		p, err := schemaToProto(testProject, in)
		if err != nil {
			t.Fatal(err)
		}
		if p.Name != "projects/p/schemas/s" {
			t.Errorf("name %q", p.Name)
		}
		p.RevisionId = "rev1"
		got := schemaFromProto(p)
		in.RevisionID = "rev1"
		if d := cmp.Diff(in, got, cmpModel...); d != "" {
			t.Errorf("%s round trip (-want +got):\n%s", typ, d)
		}
	}
	if _, err := schemaToProto(testProject, &model.Schema{Name: "s", Type: "JSON_SCHEMA"}); err == nil {
		t.Error("schema type JSON_SCHEMA accepted")
	}
}

func TestPolicyConversion(t *testing.T) {
	in := &model.Policy{
		Etag:    "BwXhqDzn+dE=",
		Version: 3,
		Bindings: []model.PolicyBinding{
			{Role: "roles/pubsub.publisher", Members: []string{"user:a@example.com", "serviceAccount:b@p.iam.gserviceaccount.com"}},
			{Role: "roles/pubsub.subscriber", Members: []string{"group:g@example.com"}, Condition: `request.time < timestamp("2030-01-01T00:00:00Z")`},
		},
	}
	p, err := policyToProto(in)
	if err != nil {
		t.Fatal(err)
	}
	if string(p.Etag) != "\x07\x05\xe1\xa8<\xe7\xf9\xd1" {
		t.Errorf("etag bytes %q", p.Etag)
	}
	if d := cmp.Diff(in, policyFromProto(p)); d != "" {
		t.Errorf("round trip (-want +got):\n%s", d)
	}
	// A conditional binding forces version 3.
	in.Version = 1
	if p, _ := policyToProto(in); p.Version != 3 {
		t.Errorf("version %d with a condition", p.Version)
	}
	if _, err := policyToProto(&model.Policy{Etag: "not base64!"}); err == nil {
		t.Error("bad etag accepted")
	}
}

// TestInternerSharesStrings: a read keeps one copy of a string that many
// resources repeat, and a nil interner changes nothing.
func TestInternerSharesStrings(t *testing.T) {
	in := newInterner()
	a := in.str(strings.Repeat("roles/pubsub.", 2))
	b := in.str(strings.Repeat("roles/pubsub.", 2))
	if unsafe.StringData(a) != unsafe.StringData(b) {
		t.Error("the same role read twice is held twice")
	}
	pa := policyFromProtoIn(&iampb.Policy{Bindings: []*iampb.Binding{{Role: "roles/pubsub.subscriber", Members: []string{strings.Clone("serviceAccount:agent")}}}}, in)
	pb2 := policyFromProtoIn(&iampb.Policy{Bindings: []*iampb.Binding{{Role: "roles/pubsub.subscriber", Members: []string{strings.Clone("serviceAccount:agent")}}}}, in)
	if unsafe.StringData(pa.Bindings[0].Members[0]) != unsafe.StringData(pb2.Bindings[0].Members[0]) {
		t.Error("a member granted on two resources is held twice")
	}
	var none *interner
	if s := none.str("x"); s != "x" {
		t.Errorf("nil interner: %q", s)
	}
	if got := policyFromProtoIn(&iampb.Policy{Bindings: []*iampb.Binding{{Role: "r"}}}, in); got.Bindings[0].Members != nil {
		t.Errorf("a binding without members converts to %#v, want nil members", got.Bindings[0].Members)
	}
}

// TestInternerSharesLabelMaps: resources with the same labels share one
// map; different labels, or none, do not mix.
func TestInternerSharesLabelMaps(t *testing.T) {
	in := newInterner()
	own := func(stack string) map[string]string {
		return map[string]string{"managed-by": "pubsubctl", "pubsubctl-stack": stack}
	}
	a, b, c := in.labels(own("shop")), in.labels(own("shop")), in.labels(own("other"))
	if reflect.ValueOf(a).UnsafePointer() != reflect.ValueOf(b).UnsafePointer() {
		t.Error("two resources with the same labels hold two maps")
	}
	if !maps.Equal(a, own("shop")) || !maps.Equal(c, own("other")) {
		t.Errorf("labels = %v and %v", a, c)
	}
	// "a\x00b" = "c" must not be confused with "a" = "b\x00c".
	if x, y := in.labels(map[string]string{"a\x00b": "c"}), in.labels(map[string]string{"a": "b\x00c"}); maps.Equal(x, y) {
		t.Error("different labels were given one map")
	}
	if e := in.labels(nil); e == nil || len(e) != 0 {
		t.Errorf("no labels = %#v, want an empty map", e)
	}
	var none *interner
	if x, y := none.labels(own("shop")), none.labels(own("shop")); reflect.ValueOf(x).UnsafePointer() == reflect.ValueOf(y).UnsafePointer() {
		t.Error("a nil interner shares maps")
	}
}
