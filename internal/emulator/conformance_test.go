package emulator

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	pb "cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/fieldmaskpb"
)

const (
	proj  = "projects/p"
	proj2 = "projects/p2"
	topic = proj + "/topics/topic-1"
	dlq   = proj + "/topics/dead-letters"
	sub   = proj + "/subscriptions/sub-1"
	avro  = `{"type":"record","name":"R","fields":[{"name":"a","type":"string"}]}`
)

// A conformanceCase sends the same requests to bare pstest and to the
// emulator. want describes the real service's answer: the emulator must
// satisfy it and bare pstest must not (it answers wrongly, or crashes when
// crashes is set), unless pstestAgrees marks a rule pstest already follows.
type conformanceCase struct {
	name         string
	setup        func(ctx context.Context, c clients) error
	run          func(ctx context.Context, c clients) (any, error)
	want         func(resp any, err error) error
	crashes      bool
	pstestAgrees bool
}

func days(n int) *durationpb.Duration { return durationpb.New(time.Duration(n) * 24 * time.Hour) }
func secs(n int) *durationpb.Duration { return durationpb.New(time.Duration(n) * time.Second) }
func mask(paths ...string) *fieldmaskpb.FieldMask {
	return &fieldmaskpb.FieldMask{Paths: paths}
}

func mkTopic(names ...string) func(ctx context.Context, c clients) error {
	return func(ctx context.Context, c clients) error {
		for _, n := range names {
			if _, err := c.pub.CreateTopic(ctx, &pb.Topic{Name: n}); err != nil {
				return fmt.Errorf("create %s: %w", n, err)
			}
		}
		return nil
	}
}

func mkTopicSub(extra ...func(*pb.Subscription)) func(ctx context.Context, c clients) error {
	return func(ctx context.Context, c clients) error {
		if err := mkTopic(topic)(ctx, c); err != nil {
			return err
		}
		s := &pb.Subscription{Name: sub, Topic: topic}
		for _, f := range extra {
			f(s)
		}
		_, err := c.sub.CreateSubscription(ctx, s)
		return err
	}
}

func mkSchema(names ...string) func(ctx context.Context, c clients) error {
	return func(ctx context.Context, c clients) error {
		for _, n := range names {
			i := strings.LastIndex(n, "/schemas/")
			if _, err := c.sch.CreateSchema(ctx, &pb.CreateSchemaRequest{
				Parent: n[:i], SchemaId: n[i+len("/schemas/"):],
				Schema: &pb.Schema{Type: pb.Schema_AVRO, Definition: avro},
			}); err != nil {
				return fmt.Errorf("create schema %s: %w", n, err)
			}
		}
		return nil
	}
}

// mkSchemaTopic creates the Avro schema schema-1 (one string field "a")
// and topic with it.
func mkSchemaTopic(enc pb.Encoding) func(ctx context.Context, c clients) error {
	return func(ctx context.Context, c clients) error {
		if err := mkSchema(proj+"/schemas/schema-1")(ctx, c); err != nil {
			return err
		}
		_, err := c.pub.CreateTopic(ctx, &pb.Topic{Name: topic, SchemaSettings: &pb.SchemaSettings{Schema: proj + "/schemas/schema-1", Encoding: enc}})
		return err
	}
}

func publishData(data string) func(ctx context.Context, c clients) (any, error) {
	return func(ctx context.Context, c clients) (any, error) {
		return c.pub.Publish(ctx, &pb.PublishRequest{Topic: topic, Messages: []*pb.PubsubMessage{{Data: []byte(data)}}})
	}
}

func createTopic(t *pb.Topic) func(ctx context.Context, c clients) (any, error) {
	return func(ctx context.Context, c clients) (any, error) { return c.pub.CreateTopic(ctx, t) }
}

// createSub creates a subscription to topic (created by setup) after
// applying f.
func createSub(f func(*pb.Subscription)) func(ctx context.Context, c clients) (any, error) {
	return func(ctx context.Context, c clients) (any, error) {
		s := &pb.Subscription{Name: sub, Topic: topic}
		f(s)
		return c.sub.CreateSubscription(ctx, s)
	}
}

func getSub(ctx context.Context, c clients) (any, error) {
	return c.sub.GetSubscription(ctx, &pb.GetSubscriptionRequest{Subscription: sub})
}

func labels(n int) map[string]string {
	m := map[string]string{}
	for i := range n {
		m[fmt.Sprintf("k%d", i)] = "v"
	}
	return m
}

func then(first func(ctx context.Context, c clients) (any, error), second func(ctx context.Context, c clients) (any, error)) func(ctx context.Context, c clients) (any, error) {
	return func(ctx context.Context, c clients) (any, error) {
		if _, err := first(ctx, c); err != nil {
			return nil, fmt.Errorf("first step: %w", err)
		}
		return second(ctx, c)
	}
}

func topicNames(ts []*pb.Topic) []string {
	var out []string
	for _, t := range ts {
		out = append(out, t.Name)
	}
	return out
}

func conformanceCases() []conformanceCase {
	invalid := wantCode(codes.InvalidArgument)
	return []conformanceCase{
		// --- resource IDs and names ---
		{name: "topic id too short", run: createTopic(&pb.Topic{Name: proj + "/topics/ab"}), want: invalid},
		{name: "topic id with goog prefix", run: createTopic(&pb.Topic{Name: proj + "/topics/goog-x"}), want: invalid},
		{name: "topic id starting with digit", run: createTopic(&pb.Topic{Name: proj + "/topics/1abc"}), want: invalid},
		{name: "topic id with bad character", run: createTopic(&pb.Topic{Name: proj + "/topics/ab/c"}), want: invalid},
		{name: "topic id of 256 characters", run: createTopic(&pb.Topic{Name: proj + "/topics/t" + strings.Repeat("x", 255)}), want: invalid},
		{name: "topic name without projects/", run: createTopic(&pb.Topic{Name: "topics/abc"}), want: invalid},
		{name: "empty topic name", run: createTopic(&pb.Topic{}), want: invalid},
		{name: "topic id of 255 characters accepted", run: createTopic(&pb.Topic{Name: proj + "/topics/t" + strings.Repeat("x", 254)}),
			want: wantOK[*pb.Topic](nil), pstestAgrees: true},
		{name: "subscription id too short", setup: mkTopic(topic), run: func(ctx context.Context, c clients) (any, error) {
			return c.sub.CreateSubscription(ctx, &pb.Subscription{Name: proj + "/subscriptions/s1", Topic: topic})
		}, want: invalid},
		{name: "subscription id with goog prefix", setup: mkTopic(topic), run: func(ctx context.Context, c clients) (any, error) {
			return c.sub.CreateSubscription(ctx, &pb.Subscription{Name: proj + "/subscriptions/google", Topic: topic})
		}, want: invalid},
		{name: "subscription with malformed topic name", run: func(ctx context.Context, c clients) (any, error) {
			return c.sub.CreateSubscription(ctx, &pb.Subscription{Name: sub, Topic: "t1"})
		}, want: invalid},
		{name: "schema id too short", run: func(ctx context.Context, c clients) (any, error) {
			return c.sch.CreateSchema(ctx, &pb.CreateSchemaRequest{Parent: proj, SchemaId: "ab", Schema: &pb.Schema{Type: pb.Schema_AVRO, Definition: avro}})
		}, want: invalid},
		{name: "schema id with goog prefix", run: func(ctx context.Context, c clients) (any, error) {
			return c.sch.CreateSchema(ctx, &pb.CreateSchemaRequest{Parent: proj, SchemaId: "goog-schema", Schema: &pb.Schema{Type: pb.Schema_AVRO, Definition: avro}})
		}, want: invalid},
		{name: "get topic by malformed name", run: func(ctx context.Context, c clients) (any, error) {
			return c.pub.GetTopic(ctx, &pb.GetTopicRequest{Topic: "foo"})
		}, want: invalid},

		// --- labels ---
		{name: "upper-case label key", run: createTopic(&pb.Topic{Name: topic, Labels: map[string]string{"Env": "prod"}}), want: invalid},
		{name: "label key starting with a digit", run: createTopic(&pb.Topic{Name: topic, Labels: map[string]string{"1env": "prod"}}), want: invalid},
		{name: "label value with upper case", setup: mkTopic(topic), run: createSub(func(s *pb.Subscription) { s.Labels = map[string]string{"env": "Prod"} }), want: invalid},
		{name: "label value of 64 characters", run: createTopic(&pb.Topic{Name: topic, Labels: map[string]string{"env": strings.Repeat("a", 64)}}), want: invalid},
		{name: "65 labels", run: createTopic(&pb.Topic{Name: topic, Labels: labels(65)}), want: invalid},
		{name: "64 labels accepted", run: createTopic(&pb.Topic{Name: topic, Labels: labels(64)}), want: wantOK[*pb.Topic](nil), pstestAgrees: true},
		{name: "bad label on UpdateTopic", setup: mkTopic(topic), run: func(ctx context.Context, c clients) (any, error) {
			return c.pub.UpdateTopic(ctx, &pb.UpdateTopicRequest{Topic: &pb.Topic{Name: topic, Labels: map[string]string{"A": "b"}}, UpdateMask: mask("labels")})
		}, want: invalid},

		// --- ack deadline ---
		{name: "ack deadline 601", setup: mkTopic(topic), run: createSub(func(s *pb.Subscription) { s.AckDeadlineSeconds = 601 }), want: invalid},
		{name: "ack deadline -1", setup: mkTopic(topic), run: createSub(func(s *pb.Subscription) { s.AckDeadlineSeconds = -1 }), want: invalid},
		{name: "ack deadline 5", setup: mkTopic(topic), run: createSub(func(s *pb.Subscription) { s.AckDeadlineSeconds = 5 }), want: invalid},
		{name: "ack deadline 700 on update", setup: mkTopicSub(), run: func(ctx context.Context, c clients) (any, error) {
			return c.sub.UpdateSubscription(ctx, &pb.UpdateSubscriptionRequest{Subscription: &pb.Subscription{Name: sub, AckDeadlineSeconds: 700}, UpdateMask: mask("ack_deadline_seconds")})
		}, want: invalid},
		{name: "ack deadline 0 returned as 10", setup: mkTopic(topic), run: createSub(func(*pb.Subscription) {}),
			want: wantOK(func(s *pb.Subscription) error {
				if s.AckDeadlineSeconds != 10 {
					return fmt.Errorf("ack_deadline_seconds = %d, want 10", s.AckDeadlineSeconds)
				}
				return nil
			})},

		// --- update masks and nil messages ---
		{name: "UpdateTopic nil mask", setup: mkTopic(topic), crashes: true, run: func(ctx context.Context, c clients) (any, error) {
			return c.pub.UpdateTopic(ctx, &pb.UpdateTopicRequest{Topic: &pb.Topic{Name: topic}})
		}, want: invalid},
		{name: "UpdateTopic empty mask", setup: mkTopic(topic), run: func(ctx context.Context, c clients) (any, error) {
			return c.pub.UpdateTopic(ctx, &pb.UpdateTopicRequest{Topic: &pb.Topic{Name: topic}, UpdateMask: mask()})
		}, want: invalid},
		{name: "UpdateTopic nil topic", crashes: true, run: func(ctx context.Context, c clients) (any, error) {
			return c.pub.UpdateTopic(ctx, &pb.UpdateTopicRequest{UpdateMask: mask("labels")})
		}, want: invalid},
		{name: "UpdateTopic schema_settings.encoding without schema_settings", setup: mkTopic(topic), crashes: true, run: func(ctx context.Context, c clients) (any, error) {
			return c.pub.UpdateTopic(ctx, &pb.UpdateTopicRequest{Topic: &pb.Topic{Name: topic}, UpdateMask: mask("schema_settings.encoding")})
		}, want: wantOK[*pb.Topic](nil)},
		{name: "UpdateSubscription nil mask", setup: mkTopicSub(), crashes: true, run: func(ctx context.Context, c clients) (any, error) {
			return c.sub.UpdateSubscription(ctx, &pb.UpdateSubscriptionRequest{Subscription: &pb.Subscription{Name: sub}})
		}, want: invalid},
		{name: "UpdateSubscription empty mask", setup: mkTopicSub(), run: func(ctx context.Context, c clients) (any, error) {
			return c.sub.UpdateSubscription(ctx, &pb.UpdateSubscriptionRequest{Subscription: &pb.Subscription{Name: sub}, UpdateMask: mask()})
		}, want: invalid},
		{name: "UpdateSubscription nil subscription", pstestAgrees: true, run: func(ctx context.Context, c clients) (any, error) {
			return c.sub.UpdateSubscription(ctx, &pb.UpdateSubscriptionRequest{UpdateMask: mask("labels")})
		}, want: invalid},
		{name: "UpdateSubscription mask filter (immutable)", setup: mkTopicSub(), run: func(ctx context.Context, c clients) (any, error) {
			return c.sub.UpdateSubscription(ctx, &pb.UpdateSubscriptionRequest{Subscription: &pb.Subscription{Name: sub, Filter: "attributes:x"}, UpdateMask: mask("filter")})
		}, want: invalid},
		{name: "UpdateSubscription mask enable_message_ordering", setup: mkTopicSub(), pstestAgrees: true, run: func(ctx context.Context, c clients) (any, error) {
			return c.sub.UpdateSubscription(ctx, &pb.UpdateSubscriptionRequest{Subscription: &pb.Subscription{Name: sub, EnableMessageOrdering: true}, UpdateMask: mask("enable_message_ordering")})
		}, want: invalid},
		{name: "UpdateSubscription mask topic", setup: mkTopicSub(), pstestAgrees: true, run: func(ctx context.Context, c clients) (any, error) {
			return c.sub.UpdateSubscription(ctx, &pb.UpdateSubscriptionRequest{Subscription: &pb.Subscription{Name: sub, Topic: topic}, UpdateMask: mask("topic")})
		}, want: invalid},
		{name: "UpdateSubscription partial update not applied on error", setup: mkTopicSub(), run: then(
			func(ctx context.Context, c clients) (any, error) {
				_, err := c.sub.UpdateSubscription(ctx, &pb.UpdateSubscriptionRequest{
					Subscription: &pb.Subscription{Name: sub, Labels: map[string]string{"changed": "yes"}, AckDeadlineSeconds: 700},
					UpdateMask:   mask("labels", "ack_deadline_seconds")})
				if err == nil {
					return nil, errors.New("update succeeded")
				}
				return nil, nil
			}, getSub),
			want: wantOK(func(s *pb.Subscription) error {
				if len(s.Labels) != 0 {
					return fmt.Errorf("labels changed by a failed update: %v", s.Labels)
				}
				return nil
			})},
		{name: "UpdateSubscription dead letter to missing topic leaves no policy", setup: mkTopicSub(), run: then(
			func(ctx context.Context, c clients) (any, error) {
				_, err := c.sub.UpdateSubscription(ctx, &pb.UpdateSubscriptionRequest{
					Subscription: &pb.Subscription{Name: sub, DeadLetterPolicy: &pb.DeadLetterPolicy{DeadLetterTopic: dlq, MaxDeliveryAttempts: 5}},
					UpdateMask:   mask("dead_letter_policy")})
				if err == nil {
					return nil, errors.New("update succeeded")
				}
				return nil, nil
			}, getSub),
			want: wantOK(func(s *pb.Subscription) error {
				if s.DeadLetterPolicy != nil {
					return fmt.Errorf("dead_letter_policy stored by a failed update: %v", s.DeadLetterPolicy)
				}
				return nil
			})},
		{name: "CreateSchema nil schema", crashes: true, run: func(ctx context.Context, c clients) (any, error) {
			return c.sch.CreateSchema(ctx, &pb.CreateSchemaRequest{Parent: proj, SchemaId: "schema-1"})
		}, want: invalid},
		{name: "CommitSchema nil schema", setup: mkSchema(proj + "/schemas/schema-1"), crashes: true, run: func(ctx context.Context, c clients) (any, error) {
			return c.sch.CommitSchema(ctx, &pb.CommitSchemaRequest{Name: proj + "/schemas/schema-1"})
		}, want: invalid},
		{name: "ValidateSchema nil schema", crashes: true, run: func(ctx context.Context, c clients) (any, error) {
			return c.sch.ValidateSchema(ctx, &pb.ValidateSchemaRequest{Parent: proj})
		}, want: invalid},
		{name: "ValidateMessage empty schema", pstestAgrees: true, run: func(ctx context.Context, c clients) (any, error) {
			return c.sch.ValidateMessage(ctx, &pb.ValidateMessageRequest{Parent: proj, SchemaSpec: &pb.ValidateMessageRequest_Schema{}})
		}, want: invalid},
		{name: "negative page token", setup: mkTopic(topic), crashes: true, run: func(ctx context.Context, c clients) (any, error) {
			return c.pub.ListTopics(ctx, &pb.ListTopicsRequest{Project: proj, PageToken: "-1"})
		}, want: invalid},

		// --- retention ---
		{name: "subscription retention 14 days accepted and returned", setup: mkTopic(topic), run: then(
			createSub(func(s *pb.Subscription) { s.MessageRetentionDuration = days(14) }), getSub),
			want: wantOK(func(s *pb.Subscription) error {
				if got := s.MessageRetentionDuration.AsDuration(); got != 14*day {
					return fmt.Errorf("retention = %v, want 14d", got)
				}
				return nil
			})},
		{name: "subscription retention 31 days via update", setup: mkTopicSub(), run: then(
			func(ctx context.Context, c clients) (any, error) {
				return c.sub.UpdateSubscription(ctx, &pb.UpdateSubscriptionRequest{
					Subscription: &pb.Subscription{Name: sub, MessageRetentionDuration: days(31)}, UpdateMask: mask("message_retention_duration")})
			}, func(ctx context.Context, c clients) (any, error) {
				return c.sub.ListSubscriptions(ctx, &pb.ListSubscriptionsRequest{Project: proj})
			}),
			want: wantOK(func(r *pb.ListSubscriptionsResponse) error {
				if len(r.Subscriptions) != 1 || r.Subscriptions[0].MessageRetentionDuration.AsDuration() != 31*day {
					return fmt.Errorf("listed %v, want one subscription with 31d retention", r.Subscriptions)
				}
				return nil
			})},
		{name: "subscription retention 32 days rejected", setup: mkTopic(topic), pstestAgrees: true,
			run: createSub(func(s *pb.Subscription) { s.MessageRetentionDuration = days(32) }), want: invalid},

		// --- server defaults ---
		{name: "expiration policy defaults to 31 days", setup: mkTopicSub(), run: getSub,
			want: wantOK(func(s *pb.Subscription) error {
				if s.ExpirationPolicy.GetTtl().AsDuration() != 31*day {
					return fmt.Errorf("expiration_policy = %v, want ttl 31d", s.ExpirationPolicy)
				}
				return nil
			})},
		{name: "empty expiration policy means never and round-trips", pstestAgrees: true,
			setup: mkTopicSub(func(s *pb.Subscription) { s.ExpirationPolicy = &pb.ExpirationPolicy{} }), run: getSub,
			want: wantOK(func(s *pb.Subscription) error {
				if s.ExpirationPolicy == nil || s.ExpirationPolicy.Ttl != nil {
					return fmt.Errorf("expiration_policy = %v, want present without ttl", s.ExpirationPolicy)
				}
				return nil
			})},
		{name: "dead letter attempts default to 5", setup: mkTopic(topic, dlq),
			run: createSub(func(s *pb.Subscription) { s.DeadLetterPolicy = &pb.DeadLetterPolicy{DeadLetterTopic: dlq} }),
			want: wantOK(func(s *pb.Subscription) error {
				if s.DeadLetterPolicy.GetMaxDeliveryAttempts() != 5 {
					return fmt.Errorf("max_delivery_attempts = %d, want 5", s.DeadLetterPolicy.GetMaxDeliveryAttempts())
				}
				return nil
			})},
		{name: "retry policy maximum filled in", setup: mkTopic(topic),
			run: createSub(func(s *pb.Subscription) { s.RetryPolicy = &pb.RetryPolicy{MinimumBackoff: secs(20)} }),
			want: wantOK(func(s *pb.Subscription) error {
				rp := s.RetryPolicy
				if rp.GetMinimumBackoff().AsDuration() != 20*time.Second || rp.GetMaximumBackoff().AsDuration() != 600*time.Second {
					return fmt.Errorf("retry_policy = %v, want 20s..600s", rp)
				}
				return nil
			})},
		{name: "retry policy minimum filled in", setup: mkTopic(topic),
			run: createSub(func(s *pb.Subscription) { s.RetryPolicy = &pb.RetryPolicy{MaximumBackoff: secs(60)} }),
			want: wantOK(func(s *pb.Subscription) error {
				rp := s.RetryPolicy
				if rp.GetMinimumBackoff().AsDuration() != 10*time.Second || rp.GetMaximumBackoff().AsDuration() != 60*time.Second {
					return fmt.Errorf("retry_policy = %v, want 10s..60s", rp)
				}
				return nil
			})},
		{name: "push attribute x-goog-version added", setup: mkTopic(topic),
			run: createSub(func(s *pb.Subscription) { s.PushConfig = &pb.PushConfig{PushEndpoint: "https://example.com/push"} }),
			want: wantOK(func(s *pb.Subscription) error {
				if v := s.PushConfig.GetAttributes()["x-goog-version"]; v != "v1" {
					return fmt.Errorf("x-goog-version = %q, want v1", v)
				}
				return nil
			})},
		{name: "topic state ACTIVE", run: createTopic(&pb.Topic{Name: topic}),
			want: wantOK(func(t *pb.Topic) error {
				if t.State != pb.Topic_ACTIVE {
					return fmt.Errorf("state = %v, want ACTIVE", t.State)
				}
				return nil
			})},
		{name: "defaults on ListSubscriptions", setup: mkTopicSub(), run: func(ctx context.Context, c clients) (any, error) {
			return c.sub.ListSubscriptions(ctx, &pb.ListSubscriptionsRequest{Project: proj})
		}, want: wantOK(func(r *pb.ListSubscriptionsResponse) error {
			if len(r.Subscriptions) != 1 || r.Subscriptions[0].AckDeadlineSeconds != 10 || r.Subscriptions[0].ExpirationPolicy == nil {
				return fmt.Errorf("listed %v, want ack deadline 10 and an expiration policy", r.Subscriptions)
			}
			return nil
		})},

		// --- subscription rules ---
		{name: "push and bigquery are exclusive", setup: mkTopic(topic), run: createSub(func(s *pb.Subscription) {
			s.PushConfig = &pb.PushConfig{PushEndpoint: "https://example.com/push"}
			s.BigqueryConfig = &pb.BigQueryConfig{Table: "p.d.t"}
		}), want: invalid},
		{name: "push and cloud storage are exclusive", setup: mkTopic(topic), run: createSub(func(s *pb.Subscription) {
			s.PushConfig = &pb.PushConfig{PushEndpoint: "https://example.com/push"}
			s.CloudStorageConfig = &pb.CloudStorageConfig{Bucket: "b"}
		}), want: invalid},
		{name: "bigquery and cloud storage are exclusive", setup: mkTopic(topic), run: createSub(func(s *pb.Subscription) {
			s.BigqueryConfig = &pb.BigQueryConfig{Table: "p.d.t"}
			s.CloudStorageConfig = &pb.CloudStorageConfig{Bucket: "b"}
		}), want: invalid},
		{name: "update adding bigquery to a push subscription", setup: mkTopicSub(func(s *pb.Subscription) {
			s.PushConfig = &pb.PushConfig{PushEndpoint: "https://example.com/push"}
		}), run: func(ctx context.Context, c clients) (any, error) {
			return c.sub.UpdateSubscription(ctx, &pb.UpdateSubscriptionRequest{
				Subscription: &pb.Subscription{Name: sub, BigqueryConfig: &pb.BigQueryConfig{Table: "p.d.t"}}, UpdateMask: mask("bigquery_config")})
		}, want: invalid},
		{name: "use_topic_schema and use_table_schema", setup: mkTopic(topic), run: createSub(func(s *pb.Subscription) {
			s.BigqueryConfig = &pb.BigQueryConfig{Table: "p.d.t", UseTopicSchema: true, UseTableSchema: true}
		}), want: invalid},
		{name: "push endpoint not https", setup: mkTopic(topic), run: createSub(func(s *pb.Subscription) {
			s.PushConfig = &pb.PushConfig{PushEndpoint: "ftp://example.com"}
		}), want: invalid},
		{name: "expiration ttl under 1 day", setup: mkTopic(topic), run: createSub(func(s *pb.Subscription) {
			s.ExpirationPolicy = &pb.ExpirationPolicy{Ttl: durationpb.New(12 * time.Hour)}
			s.MessageRetentionDuration = durationpb.New(time.Hour)
		}), want: invalid},
		{name: "expiration ttl shorter than retention", setup: mkTopic(topic), run: createSub(func(s *pb.Subscription) {
			s.ExpirationPolicy = &pb.ExpirationPolicy{Ttl: days(2)}
		}), want: invalid},
		{name: "retry minimum above maximum", setup: mkTopic(topic), run: createSub(func(s *pb.Subscription) {
			s.RetryPolicy = &pb.RetryPolicy{MinimumBackoff: secs(60), MaximumBackoff: secs(30)}
		}), want: invalid},
		{name: "retry maximum above 600s", setup: mkTopic(topic), run: createSub(func(s *pb.Subscription) {
			s.RetryPolicy = &pb.RetryPolicy{MaximumBackoff: secs(601)}
		}), want: invalid},
		{name: "dead letter attempts 4", setup: mkTopic(topic, dlq), run: createSub(func(s *pb.Subscription) {
			s.DeadLetterPolicy = &pb.DeadLetterPolicy{DeadLetterTopic: dlq, MaxDeliveryAttempts: 4}
		}), want: invalid},
		{name: "dead letter attempts 101", setup: mkTopic(topic, dlq), run: createSub(func(s *pb.Subscription) {
			s.DeadLetterPolicy = &pb.DeadLetterPolicy{DeadLetterTopic: dlq, MaxDeliveryAttempts: 101}
		}), want: invalid},
		{name: "filter over 256 bytes", setup: mkTopic(topic), run: createSub(func(s *pb.Subscription) {
			s.Filter = `attributes.k = "` + strings.Repeat("x", 260) + `"`
		}), want: invalid},
		{name: "detached flag after DetachSubscription", setup: mkTopicSub(), run: then(func(ctx context.Context, c clients) (any, error) {
			return c.pub.DetachSubscription(ctx, &pb.DetachSubscriptionRequest{Subscription: sub})
		}, getSub), want: wantOK(func(s *pb.Subscription) error {
			if !s.Detached {
				return errors.New("detached = false, want true")
			}
			return nil
		})},
		{name: "Pull on a detached subscription", setup: mkTopicSub(), run: then(func(ctx context.Context, c clients) (any, error) {
			return c.pub.DetachSubscription(ctx, &pb.DetachSubscriptionRequest{Subscription: sub})
		}, func(ctx context.Context, c clients) (any, error) {
			return c.sub.Pull(ctx, &pb.PullRequest{Subscription: sub, MaxMessages: 1, ReturnImmediately: true})
		}), want: wantCode(codes.FailedPrecondition)},
		{name: "ModifyPushConfig", setup: mkTopicSub(), run: then(func(ctx context.Context, c clients) (any, error) {
			return c.sub.ModifyPushConfig(ctx, &pb.ModifyPushConfigRequest{Subscription: sub, PushConfig: &pb.PushConfig{PushEndpoint: "https://example.com/p"}})
		}, getSub), want: wantOK(func(s *pb.Subscription) error {
			if s.PushConfig.GetPushEndpoint() != "https://example.com/p" {
				return fmt.Errorf("push_config = %v", s.PushConfig)
			}
			return nil
		})},

		{name: "ListSnapshots answers an empty list", run: func(ctx context.Context, c clients) (any, error) {
			return c.sub.ListSnapshots(ctx, &pb.ListSnapshotsRequest{Project: proj})
		}, want: wantOK[*pb.ListSnapshotsResponse](nil)},
		{name: "GetSnapshot of a missing snapshot", run: func(ctx context.Context, c clients) (any, error) {
			return c.sub.GetSnapshot(ctx, &pb.GetSnapshotRequest{Snapshot: proj + "/snapshots/snap-1"})
		}, want: wantCode(codes.NotFound)},
		{name: "ListTopicSnapshots of an existing topic", setup: mkTopic(topic), run: func(ctx context.Context, c clients) (any, error) {
			return c.pub.ListTopicSnapshots(ctx, &pb.ListTopicSnapshotsRequest{Topic: topic})
		}, want: wantOK[*pb.ListTopicSnapshotsResponse](nil)},

		// --- topic rules ---
		{name: "kms key malformed", run: createTopic(&pb.Topic{Name: topic, KmsKeyName: "garbage"}), want: invalid},
		{name: "kms key updatable", setup: mkTopic(topic), run: then(func(ctx context.Context, c clients) (any, error) {
			return c.pub.UpdateTopic(ctx, &pb.UpdateTopicRequest{Topic: &pb.Topic{Name: topic, KmsKeyName: "projects/p/locations/l/keyRings/r/cryptoKeys/k"}, UpdateMask: mask("kms_key_name")})
		}, func(ctx context.Context, c clients) (any, error) {
			return c.pub.GetTopic(ctx, &pb.GetTopicRequest{Topic: topic})
		}), want: wantOK(func(t *pb.Topic) error {
			if t.KmsKeyName != "projects/p/locations/l/keyRings/r/cryptoKeys/k" {
				return fmt.Errorf("kms_key_name = %q", t.KmsKeyName)
			}
			return nil
		})},
		{name: "storage policy with no regions", run: createTopic(&pb.Topic{Name: topic, MessageStoragePolicy: &pb.MessageStoragePolicy{}}), want: invalid},
		{name: "topic referencing a missing schema", run: createTopic(&pb.Topic{Name: topic,
			SchemaSettings: &pb.SchemaSettings{Schema: proj + "/schemas/missing", Encoding: pb.Encoding_JSON}}), want: wantCode(codes.NotFound)},
		{name: "UpdateTopic referencing a missing schema", setup: mkTopic(topic), run: func(ctx context.Context, c clients) (any, error) {
			return c.pub.UpdateTopic(ctx, &pb.UpdateTopicRequest{Topic: &pb.Topic{Name: topic,
				SchemaSettings: &pb.SchemaSettings{Schema: proj + "/schemas/missing"}}, UpdateMask: mask("schema_settings")})
		}, want: wantCode(codes.NotFound)},
		{name: "deleted schema shows as _deleted-schema_", setup: func(ctx context.Context, c clients) error {
			if err := mkSchema(proj+"/schemas/schema-1")(ctx, c); err != nil {
				return err
			}
			_, err := c.pub.CreateTopic(ctx, &pb.Topic{Name: topic, SchemaSettings: &pb.SchemaSettings{Schema: proj + "/schemas/schema-1", Encoding: pb.Encoding_JSON}})
			return err
		}, run: then(func(ctx context.Context, c clients) (any, error) {
			return c.sch.DeleteSchema(ctx, &pb.DeleteSchemaRequest{Name: proj + "/schemas/schema-1"})
		}, func(ctx context.Context, c clients) (any, error) {
			return c.pub.GetTopic(ctx, &pb.GetTopicRequest{Topic: topic})
		}), want: wantOK(func(t *pb.Topic) error {
			if got := t.GetSchemaSettings().GetSchema(); got != "_deleted-schema_" {
				return fmt.Errorf("schema = %q, want _deleted-schema_", got)
			}
			return nil
		})},
		{name: "publish no messages", setup: mkTopic(topic), run: func(ctx context.Context, c clients) (any, error) {
			return c.pub.Publish(ctx, &pb.PublishRequest{Topic: topic})
		}, want: invalid},
		{name: "publish empty message", setup: mkTopic(topic), run: func(ctx context.Context, c clients) (any, error) {
			return c.pub.Publish(ctx, &pb.PublishRequest{Topic: topic, Messages: []*pb.PubsubMessage{{}}})
		}, want: invalid},
		{name: "publish not matching the topic's Avro JSON schema", setup: mkSchemaTopic(pb.Encoding_JSON), run: publishData(`{"b": 1}`), want: invalid},
		{name: "publish with a wrong field type for the Avro schema", setup: mkSchemaTopic(pb.Encoding_JSON), run: publishData(`{"a": 1}`), want: invalid},
		{name: "publish that is not JSON to an Avro JSON topic", setup: mkSchemaTopic(pb.Encoding_JSON), run: publishData(`a=x`), want: invalid},
		{name: "publish matching the topic's Avro JSON schema", setup: mkSchemaTopic(pb.Encoding_JSON), run: publishData(`{"a": "x"}`),
			want: wantOK[*pb.PublishResponse](nil), pstestAgrees: true},
		{name: "publish matching an older revision in the topic's range", setup: func(ctx context.Context, c clients) error {
			if err := mkSchemaTopic(pb.Encoding_JSON)(ctx, c); err != nil {
				return err
			}
			_, err := c.sch.CommitSchema(ctx, &pb.CommitSchemaRequest{Name: proj + "/schemas/schema-1",
				Schema: &pb.Schema{Name: proj + "/schemas/schema-1", Type: pb.Schema_AVRO, Definition: `{"type":"record","name":"R","fields":[{"name":"n","type":"long"}]}`}})
			return err
		}, run: func(ctx context.Context, c clients) (any, error) {
			// No revision range: every revision is accepted.
			r, err := publishData(`{"a": "old"}`)(ctx, c)
			if err != nil {
				return r, err
			}
			return publishData(`{"n": 5}`)(ctx, c)
		}, want: wantOK[*pb.PublishResponse](nil), pstestAgrees: true},
		{name: "publish JSON to a topic with a binary Avro schema", setup: mkSchemaTopic(pb.Encoding_BINARY), run: publishData(`{"a": "x"}`), want: invalid},
		{name: "publish matching binary Avro", setup: mkSchemaTopic(pb.Encoding_BINARY), run: publishData("\x02x"),
			want: wantOK[*pb.PublishResponse](nil), pstestAgrees: true},
		{name: "publish attribute with goog prefix", setup: mkTopic(topic), run: func(ctx context.Context, c clients) (any, error) {
			return c.pub.Publish(ctx, &pb.PublishRequest{Topic: topic, Messages: []*pb.PubsubMessage{{Data: []byte("x"), Attributes: map[string]string{"googx": "1"}}}})
		}, want: invalid},

		// --- schemas ---
		{name: "schema created twice", setup: mkSchema(proj + "/schemas/schema-1"), run: func(ctx context.Context, c clients) (any, error) {
			return c.sch.CreateSchema(ctx, &pb.CreateSchemaRequest{Parent: proj, SchemaId: "schema-1", Schema: &pb.Schema{Type: pb.Schema_AVRO, Definition: avro}})
		}, want: wantCode(codes.AlreadyExists)},
		{name: "schema without type", run: func(ctx context.Context, c clients) (any, error) {
			return c.sch.CreateSchema(ctx, &pb.CreateSchemaRequest{Parent: proj, SchemaId: "schema-1", Schema: &pb.Schema{Definition: avro}})
		}, want: invalid},
		{name: "schema without definition", run: func(ctx context.Context, c clients) (any, error) {
			return c.sch.CreateSchema(ctx, &pb.CreateSchemaRequest{Parent: proj, SchemaId: "schema-1", Schema: &pb.Schema{Type: pb.Schema_AVRO}})
		}, want: invalid},
		{name: "CommitSchema on a missing schema", run: func(ctx context.Context, c clients) (any, error) {
			return c.sch.CommitSchema(ctx, &pb.CommitSchemaRequest{Name: proj + "/schemas/missing", Schema: &pb.Schema{Type: pb.Schema_AVRO, Definition: avro}})
		}, want: wantCode(codes.NotFound)},
		{name: "ListSchemaRevisions on a missing schema", run: func(ctx context.Context, c clients) (any, error) {
			return c.sch.ListSchemaRevisions(ctx, &pb.ListSchemaRevisionsRequest{Name: proj + "/schemas/missing"})
		}, want: wantCode(codes.NotFound)},
		{name: "ListSchemaRevisions newest first", setup: func(ctx context.Context, c clients) error {
			if err := mkSchema(proj+"/schemas/schema-1")(ctx, c); err != nil {
				return err
			}
			_, err := c.sch.CommitSchema(ctx, &pb.CommitSchemaRequest{Name: proj + "/schemas/schema-1",
				Schema: &pb.Schema{Type: pb.Schema_AVRO, Definition: strings.Replace(avro, `"R"`, `"R2"`, 1)}})
			return err
		}, run: func(ctx context.Context, c clients) (any, error) {
			return c.sch.ListSchemaRevisions(ctx, &pb.ListSchemaRevisionsRequest{Name: proj + "/schemas/schema-1", View: pb.SchemaView_FULL})
		}, want: wantOK(func(r *pb.ListSchemaRevisionsResponse) error {
			if len(r.Schemas) != 2 || !strings.Contains(r.Schemas[0].Definition, `"R2"`) {
				return fmt.Errorf("revisions %v, want 2, newest first", r.Schemas)
			}
			return nil
		})},
		{name: "ListSchemas is project-exact", setup: mkSchema(proj+"/schemas/schema-1", proj2+"/schemas/schema-2"),
			run: func(ctx context.Context, c clients) (any, error) {
				return c.sch.ListSchemas(ctx, &pb.ListSchemasRequest{Parent: proj})
			}, want: wantOK(func(r *pb.ListSchemasResponse) error {
				if len(r.Schemas) != 1 || r.Schemas[0].Name != proj+"/schemas/schema-1" {
					return fmt.Errorf("listed %v, want only schema-1", r.Schemas)
				}
				return nil
			})},
		{name: "ListSchemas paging", setup: mkSchema(proj+"/schemas/schema-1", proj+"/schemas/schema-2", proj+"/schemas/schema-3"),
			run: func(ctx context.Context, c clients) (any, error) {
				var names []string
				tok := ""
				for range 5 {
					r, err := c.sch.ListSchemas(ctx, &pb.ListSchemasRequest{Parent: proj, PageSize: 2, PageToken: tok})
					if err != nil {
						return nil, err
					}
					if len(r.Schemas) > 2 {
						return nil, fmt.Errorf("page of %d for page_size 2", len(r.Schemas))
					}
					for _, s := range r.Schemas {
						names = append(names, s.Name)
					}
					if tok = r.NextPageToken; tok == "" {
						break
					}
				}
				return names, nil
			}, want: wantOK(func(names []string) error {
				want := proj + "/schemas/schema-1," + proj + "/schemas/schema-2," + proj + "/schemas/schema-3"
				if strings.Join(names, ",") != want {
					return fmt.Errorf("paged names %v", names)
				}
				return nil
			})},
		{name: "GetSchema BASIC view has no definition", setup: mkSchema(proj + "/schemas/schema-1"), run: func(ctx context.Context, c clients) (any, error) {
			return c.sch.GetSchema(ctx, &pb.GetSchemaRequest{Name: proj + "/schemas/schema-1", View: pb.SchemaView_BASIC})
		}, want: wantOK(func(s *pb.Schema) error {
			if s.Definition != "" || s.Type != pb.Schema_AVRO {
				return fmt.Errorf("BASIC view returned %v", s)
			}
			return nil
		})},

		// --- listing ---
		{name: "ListTopics is project-exact", setup: mkTopic(proj+"/topics/topic-a", proj2+"/topics/topic-b"),
			run: func(ctx context.Context, c clients) (any, error) {
				return c.pub.ListTopics(ctx, &pb.ListTopicsRequest{Project: proj})
			}, want: wantOK(func(r *pb.ListTopicsResponse) error {
				if got := strings.Join(topicNames(r.Topics), ","); got != proj+"/topics/topic-a" {
					return fmt.Errorf("listed %s", got)
				}
				return nil
			})},
		{name: "ListSubscriptions is project-exact", setup: func(ctx context.Context, c clients) error {
			if err := mkTopicSub()(ctx, c); err != nil {
				return err
			}
			_, err := c.sub.CreateSubscription(ctx, &pb.Subscription{Name: proj2 + "/subscriptions/sub-2", Topic: topic})
			return err
		}, run: func(ctx context.Context, c clients) (any, error) {
			return c.sub.ListSubscriptions(ctx, &pb.ListSubscriptionsRequest{Project: proj})
		}, want: wantOK(func(r *pb.ListSubscriptionsResponse) error {
			if len(r.Subscriptions) != 1 || r.Subscriptions[0].Name != sub {
				return fmt.Errorf("listed %d subscriptions, want only %s", len(r.Subscriptions), sub)
			}
			return nil
		})},
		{name: "ListTopics paging", pstestAgrees: true, setup: mkTopic(proj+"/topics/topic-a", proj+"/topics/topic-b", proj+"/topics/topic-c"),
			run: func(ctx context.Context, c clients) (any, error) {
				r, err := c.pub.ListTopics(ctx, &pb.ListTopicsRequest{Project: proj, PageSize: 2})
				if err != nil {
					return nil, err
				}
				r2, err := c.pub.ListTopics(ctx, &pb.ListTopicsRequest{Project: proj, PageSize: 2, PageToken: r.NextPageToken})
				if err != nil {
					return nil, err
				}
				return append(topicNames(r.Topics), topicNames(r2.Topics)...), nil
			}, want: wantOK(func(names []string) error {
				if len(names) != 3 || names[2] != proj+"/topics/topic-c" {
					return fmt.Errorf("paged %v", names)
				}
				return nil
			})},
		{name: "ListSubscriptions paging", pstestAgrees: true, setup: func(ctx context.Context, c clients) error {
			if err := mkTopic(topic)(ctx, c); err != nil {
				return err
			}
			for _, n := range []string{"sub-a", "sub-b", "sub-c"} {
				if _, err := c.sub.CreateSubscription(ctx, &pb.Subscription{Name: proj + "/subscriptions/" + n, Topic: topic}); err != nil {
					return err
				}
			}
			return nil
		}, run: func(ctx context.Context, c clients) (any, error) {
			var n []string
			tok := ""
			for range 5 {
				r, err := c.sub.ListSubscriptions(ctx, &pb.ListSubscriptionsRequest{Project: proj, PageSize: 1, PageToken: tok})
				if err != nil {
					return nil, err
				}
				for _, s := range r.Subscriptions {
					n = append(n, s.Name)
				}
				if tok = r.NextPageToken; tok == "" {
					break
				}
			}
			return n, nil
		}, want: wantOK(func(names []string) error {
			if len(names) != 3 {
				return fmt.Errorf("paged %v", names)
			}
			return nil
		})},
		{name: "ListTopicSubscriptions on a missing topic", run: func(ctx context.Context, c clients) (any, error) {
			return c.pub.ListTopicSubscriptions(ctx, &pb.ListTopicSubscriptionsRequest{Topic: topic})
		}, want: wantCode(codes.NotFound)},
		{name: "ListTopicSubscriptions skips subscriptions of a deleted namesake", setup: mkTopicSub(), run: then(func(ctx context.Context, c clients) (any, error) {
			if _, err := c.pub.DeleteTopic(ctx, &pb.DeleteTopicRequest{Topic: topic}); err != nil {
				return nil, err
			}
			return c.pub.CreateTopic(ctx, &pb.Topic{Name: topic})
		}, func(ctx context.Context, c clients) (any, error) {
			return c.pub.ListTopicSubscriptions(ctx, &pb.ListTopicSubscriptionsRequest{Topic: topic})
		}), want: wantOK(func(r *pb.ListTopicSubscriptionsResponse) error {
			if len(r.Subscriptions) != 0 {
				return fmt.Errorf("listed %v for a new topic", r.Subscriptions)
			}
			return nil
		})},
	}
}

func TestConformance(t *testing.T) {
	runConformance(t, conformanceCases())
}

// runConformance runs each case against the emulator and bare pstest.
func runConformance(t *testing.T, cases []conformanceCase) {
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := ctxT(t)

			emu := dial(t, startEmu(t).Addr())
			if tc.setup != nil {
				if err := tc.setup(ctx, emu); err != nil {
					t.Fatalf("emulator setup: %v", err)
				}
			}
			resp, err := tc.run(ctx, emu)
			if werr := tc.want(resp, err); werr != nil {
				t.Errorf("emulator: %v", werr)
			}

			var bare clients
			if tc.crashes {
				bare = dial(t, startBareRecovering(t))
			} else {
				bare = dial(t, startBare(t))
			}
			if tc.setup != nil {
				if err := tc.setup(ctx, bare); err != nil {
					t.Fatalf("pstest setup: %v", err)
				}
			}
			resp, err = tc.run(ctx, bare)
			werr := tc.want(resp, err)
			switch {
			case tc.crashes:
				if !isPanic(err) {
					t.Errorf("bare pstest: want a crash (recovered panic), got resp %v err %v", resp, err)
				}
			case tc.pstestAgrees:
				if werr != nil {
					t.Errorf("bare pstest was expected to agree: %v", werr)
				}
			default:
				if werr == nil {
					t.Errorf("bare pstest answered correctly; the case does not show a pstest gap (resp %v, err %v)", resp, err)
				}
			}
		})
	}
}
