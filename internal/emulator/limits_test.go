package emulator

import (
	"context"
	"fmt"
	"strings"
	"testing"

	iampb "cloud.google.com/go/iam/apiv1/iampb"
	pb "cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// invalidWith expects InvalidArgument with a message containing all of subs.
func invalidWith(subs ...string) func(any, error) error {
	return func(_ any, err error) error {
		st := status.Convert(err)
		if st.Code() != codes.InvalidArgument {
			return fmt.Errorf("got %v (%v), want InvalidArgument", st.Code(), err)
		}
		for _, s := range subs {
			if !strings.Contains(st.Message(), s) {
				return fmt.Errorf("message %q does not mention %q", st.Message(), s)
			}
		}
		return nil
	}
}

func publishMessages(msgs ...*pb.PubsubMessage) func(ctx context.Context, c clients) (any, error) {
	return func(ctx context.Context, c clients) (any, error) {
		return c.pub.Publish(ctx, &pb.PublishRequest{Topic: topic, Messages: msgs})
	}
}

func updateSub(s *pb.Subscription, paths ...string) func(ctx context.Context, c clients) (any, error) {
	return func(ctx context.Context, c clients) (any, error) {
		s.Name = sub
		return c.sub.UpdateSubscription(ctx, &pb.UpdateSubscriptionRequest{Subscription: s, UpdateMask: mask(paths...)})
	}
}

func pull(n int32) func(ctx context.Context, c clients) (any, error) {
	return func(ctx context.Context, c clients) (any, error) {
		return c.sub.Pull(ctx, &pb.PullRequest{Subscription: sub, MaxMessages: n, ReturnImmediately: true})
	}
}

func createSchema(id string, typ pb.Schema_Type, def string) func(ctx context.Context, c clients) (any, error) {
	return func(ctx context.Context, c clients) (any, error) {
		return c.sch.CreateSchema(ctx, &pb.CreateSchemaRequest{Parent: proj, SchemaId: id, Schema: &pb.Schema{Type: typ, Definition: def}})
	}
}

func validateSchema(typ pb.Schema_Type, def string) func(ctx context.Context, c clients) (any, error) {
	return func(ctx context.Context, c clients) (any, error) {
		return c.sch.ValidateSchema(ctx, &pb.ValidateSchemaRequest{Parent: proj, Schema: &pb.Schema{Type: typ, Definition: def}})
	}
}

func commitSchema(typ pb.Schema_Type, def string) func(ctx context.Context, c clients) (any, error) {
	return func(ctx context.Context, c clients) (any, error) {
		return c.sch.CommitSchema(ctx, &pb.CommitSchemaRequest{Name: proj + "/schemas/schema-1", Schema: &pb.Schema{Type: typ, Definition: def}})
	}
}

func setPolicy(b ...*iampb.Binding) func(ctx context.Context, c clients) (any, error) {
	return func(ctx context.Context, c clients) (any, error) {
		return c.iam.SetIamPolicy(ctx, &iampb.SetIamPolicyRequest{Resource: topic, Policy: &iampb.Policy{Bindings: b}})
	}
}

func groups(n int) []string {
	var m []string
	for i := range n {
		m = append(m, fmt.Sprintf("group:g%d@example.com", i))
	}
	return m
}

const (
	protoDef     = "syntax = \"proto3\";\nmessage Ticket {\n  string id = 1;\n  int32 priority = 2;\n}\n"
	avroUnknown  = `{"type":"record","name":"x","fields":[{"name":"a","type":"nosuchtype"}]}`
	notProto     = "this is not proto"
	longSubject  = "principal://iam.googleapis.com/locations/global/workforcePools/pool/subject/"
	protoSchemas = pb.Schema_PROTOCOL_BUFFER
)

// limitsCases are the limits of limits.go and the schema definition checks
// of avrodef.go and protodef.go, each refused by the real service and
// accepted by bare pstest (or, for IAM, unimplemented there).
func limitsCases() []conformanceCase {
	big := func(n int) []byte { return make([]byte, n) }
	return []conformanceCase{
		// --- publish size ---
		{name: "publish of an 11 MB message", setup: mkTopic(topic),
			run:  publishMessages(&pb.PubsubMessage{Data: big(11_000_000)}),
			want: invalidWith("Request payload size exceeds the limit: 10485760 bytes.", "message 0", "11000000 bytes")},
		{name: "publish request over 10 MiB in three messages", setup: mkTopic(topic),
			run: publishMessages(&pb.PubsubMessage{Data: big(3_600_000)}, &pb.PubsubMessage{Data: big(3_600_000)},
				&pb.PubsubMessage{Data: big(3_600_000), Attributes: map[string]string{"k": "v"}}),
			want: invalidWith("Request payload size exceeds the limit: 10485760 bytes.", "request_size")},
		{name: "publish of a message just under 10 MiB", setup: mkTopic(topic),
			run: publishMessages(&pb.PubsubMessage{Data: big(10<<20 - 100)}), want: wantOK[*pb.PublishResponse](nil)},

		// --- exactly-once delivery: pull only ---
		{name: "exactly-once on a push subscription", setup: mkTopic(topic), run: createSub(func(s *pb.Subscription) {
			s.EnableExactlyOnceDelivery = true
			s.PushConfig = &pb.PushConfig{PushEndpoint: "https://example.com/push"}
		}), want: invalidWith("enable_exactly_once_delivery", "push")},
		{name: "exactly-once on a BigQuery subscription", setup: mkTopic(topic), run: createSub(func(s *pb.Subscription) {
			s.EnableExactlyOnceDelivery = true
			s.BigqueryConfig = &pb.BigQueryConfig{Table: "p.d.t"}
		}), want: invalidWith("enable_exactly_once_delivery", "bigquery_config")},
		{name: "update enabling exactly-once on a push subscription", setup: mkTopicSub(func(s *pb.Subscription) {
			s.PushConfig = &pb.PushConfig{PushEndpoint: "https://example.com/push"}
		}), run: updateSub(&pb.Subscription{EnableExactlyOnceDelivery: true}, "enable_exactly_once_delivery"),
			want: invalidWith("enable_exactly_once_delivery", "push")},
		{name: "update adding push to an exactly-once subscription", setup: mkTopicSub(func(s *pb.Subscription) {
			s.EnableExactlyOnceDelivery = true
		}), run: updateSub(&pb.Subscription{PushConfig: &pb.PushConfig{PushEndpoint: "https://example.com/push"}}, "push_config"),
			want: invalidWith("enable_exactly_once_delivery", "push")},
		{name: "ModifyPushConfig on an exactly-once subscription", setup: mkTopicSub(func(s *pb.Subscription) {
			s.EnableExactlyOnceDelivery = true
		}), run: func(ctx context.Context, c clients) (any, error) {
			return c.sub.ModifyPushConfig(ctx, &pb.ModifyPushConfigRequest{Subscription: sub, PushConfig: &pb.PushConfig{PushEndpoint: "https://example.com/push"}})
		}, want: invalidWith("enable_exactly_once_delivery")},
		{name: "exactly-once on a pull subscription", setup: mkTopic(topic), pstestAgrees: true,
			run: createSub(func(s *pb.Subscription) { s.EnableExactlyOnceDelivery = true }), want: wantOK[*pb.Subscription](nil)},
		{name: "update from push to exactly-once pull", pstestAgrees: true, setup: mkTopicSub(func(s *pb.Subscription) {
			s.PushConfig = &pb.PushConfig{PushEndpoint: "https://example.com/push"}
		}), run: updateSub(&pb.Subscription{EnableExactlyOnceDelivery: true}, "enable_exactly_once_delivery", "push_config"),
			want: wantOK[*pb.Subscription](nil)},

		// --- Pull max_messages ---
		{name: "Pull with max_messages 0", setup: mkTopicSub(), run: pull(0), want: invalidWith("max_messages", "positive")},
		{name: "Pull with max_messages -1", setup: mkTopicSub(), run: pull(-1), want: wantCode(codes.InvalidArgument), pstestAgrees: true},
		{name: "Pull with max_messages 1", setup: mkTopicSub(), run: pull(1), want: wantOK[*pb.PullResponse](nil), pstestAgrees: true},

		// --- schema definitions ---
		{name: "CreateSchema Avro with an unknown type", run: createSchema("schema-1", pb.Schema_AVRO, avroUnknown),
			want: invalidWith("Could not parse schema definition", `field "a" of record "x"`, `"nosuchtype"`)},
		{name: "ValidateSchema Avro with an unknown type", run: validateSchema(pb.Schema_AVRO, avroUnknown),
			want: invalidWith("nosuchtype")},
		{name: "CommitSchema Avro with an unknown type", setup: mkSchema(proj + "/schemas/schema-1"),
			run: commitSchema(pb.Schema_AVRO, avroUnknown), want: invalidWith("nosuchtype")},
		{name: "ValidateMessage with an inline Avro schema of an unknown type", run: func(ctx context.Context, c clients) (any, error) {
			return c.sch.ValidateMessage(ctx, &pb.ValidateMessageRequest{Parent: proj, Message: []byte(`{"a":1}`), Encoding: pb.Encoding_JSON,
				SchemaSpec: &pb.ValidateMessageRequest_Schema{Schema: &pb.Schema{Type: pb.Schema_AVRO, Definition: avroUnknown}}})
		}, want: invalidWith("nosuchtype")},
		{name: "CreateSchema Avro with a default of the wrong type", run: createSchema("schema-1", pb.Schema_AVRO,
			`{"type":"record","name":"R","fields":[{"name":"n","type":"int","default":"one"}]}`), want: invalidWith(`field "n"`, "default")},
		{name: "CreateSchema garbage Protocol Buffer", run: createSchema("schema-1", protoSchemas, notProto),
			want: invalidWith("Could not parse schema definition", "PROTOCOL_BUFFER", "line 1")},
		{name: "ValidateSchema garbage Protocol Buffer", run: validateSchema(protoSchemas, notProto), want: invalidWith("PROTOCOL_BUFFER")},
		{name: "CommitSchema garbage Protocol Buffer", setup: func(ctx context.Context, c clients) error {
			_, err := createSchema("schema-1", protoSchemas, protoDef)(ctx, c)
			return err
		}, run: commitSchema(protoSchemas, notProto), want: invalidWith("PROTOCOL_BUFFER")},
		{name: "Protocol Buffer with an import", run: createSchema("schema-1", protoSchemas,
			`syntax = "proto3"; import "other.proto"; message M { other.T t = 1; }`), want: invalidWith("import")},
		{name: "Protocol Buffer with two top-level messages", run: createSchema("schema-1", protoSchemas,
			`syntax = "proto3"; message A { string a = 1; } message B { string b = 1; }`), want: invalidWith("top-level")},
		{name: "Protocol Buffer with an unknown field type", run: createSchema("schema-1", protoSchemas,
			`syntax = "proto3"; message A { nosuchtype a = 1; }`), want: invalidWith(`unknown type "nosuchtype"`)},
		{name: "valid Protocol Buffer schema", pstestAgrees: true, run: createSchema("schema-1", protoSchemas, protoDef),
			want: wantOK[*pb.Schema](nil)},
		{name: "valid Avro schema", pstestAgrees: true, run: createSchema("schema-1", pb.Schema_AVRO, avro),
			want: wantOK[*pb.Schema](nil)},

		// --- IAM policy bounds (bare pstest has no IAM service) ---
		{name: "IAM member of 10,000 characters", setup: mkTopic(topic),
			run:  setPolicy(&iampb.Binding{Role: "roles/pubsub.viewer", Members: []string{"user:" + strings.Repeat("a", 9983) + "@example.com"}}),
			want: invalidWith("10000 characters", "at most 1024")},
		{name: "IAM member of 1,024 characters", setup: mkTopic(topic),
			run:  setPolicy(&iampb.Binding{Role: "roles/pubsub.viewer", Members: []string{longSubject + strings.Repeat("s", 1024-len(longSubject))}}),
			want: wantOK[*iampb.Policy](nil)},
		{name: "IAM member with a 255-character email", setup: mkTopic(topic),
			run:  setPolicy(&iampb.Binding{Role: "roles/pubsub.viewer", Members: []string{"user:" + strings.Repeat("a", 243) + "@example.com"}}),
			want: invalidWith("email address", "at most 254")},
		{name: "IAM policy with 251 groups", setup: mkTopic(topic),
			run:  setPolicy(&iampb.Binding{Role: "roles/pubsub.viewer", Members: groups(251)}),
			want: invalidWith("251 Google group principals", "at most 250")},
		{name: "IAM policy with 250 groups", setup: mkTopic(topic),
			run:  setPolicy(&iampb.Binding{Role: "roles/pubsub.viewer", Members: groups(250)}),
			want: wantOK[*iampb.Policy](nil)},
		{name: "IAM policy with 1,501 bindings", setup: mkTopic(topic), run: func(ctx context.Context, c clients) (any, error) {
			var b []*iampb.Binding
			for i := range 1501 {
				b = append(b, &iampb.Binding{Role: fmt.Sprintf("projects/p/roles/r%d", i), Members: []string{"allUsers"}})
			}
			return setPolicy(b...)(ctx, c)
		}, want: invalidWith("1501 bindings", "at most 1500")},
	}
}

func TestLimits(t *testing.T) {
	runConformance(t, limitsCases())
}
