package emulator

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"cloud.google.com/go/pubsub/v2"
	pb "cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/fieldmaskpb"
)

func udf(name, code string) *pb.MessageTransform {
	return &pb.MessageTransform{Transform: &pb.MessageTransform_JavascriptUdf{JavascriptUdf: &pb.JavaScriptUDF{FunctionName: name, Code: code}}}
}

// receive collects messages from a subscription with the Go client until
// want arrived or limit passed.
func receive(ctx context.Context, t *testing.T, client *pubsub.Client, name string, want int, limit time.Duration) []*pubsub.Message {
	t.Helper()
	rctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	var mu sync.Mutex
	var got []*pubsub.Message
	err := client.Subscriber(name).Receive(rctx, func(_ context.Context, m *pubsub.Message) {
		m.Ack()
		mu.Lock()
		defer mu.Unlock()
		got = append(got, m)
		if len(got) >= want {
			cancel()
		}
	})
	if err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	return got
}

// TestTransformsThroughGoClient: a message published with the official Go
// client to a topic with a UDF arrives transformed; a filtering UDF drops
// messages; a subscription UDF runs before delivery; a throwing topic UDF
// fails the publish; a throwing subscription UDF dead-letters.
func TestTransformsThroughGoClient(t *testing.T) {
	s := startEmu(t)
	ctx := ctxT(t)
	client, err := pubsub.NewClient(ctx, "p", s.ClientOptions()...)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	ta, sa := client.TopicAdminClient, client.SubscriptionAdminClient
	orders := "projects/p/topics/orders"
	if _, err := ta.CreateTopic(ctx, &pb.Topic{Name: orders, Tags: map[string]string{"123/env": "dev"}, MessageTransforms: []*pb.MessageTransform{
		udf("redact", `function redact(message, metadata) {
			const o = JSON.parse(message.data);
			if (o.test) return null;
			if (o.boom) throw new Error("cannot redact");
			delete o.card;
			message.attributes.redacted = "true";
			return {data: JSON.stringify(o), attributes: message.attributes};
		}`),
		{Disabled: true, Transform: &pb.MessageTransform_JavascriptUdf{JavascriptUdf: &pb.JavaScriptUDF{FunctionName: "never", Code: "function never(m) { throw 1 }"}}},
	}}); err != nil {
		t.Fatal(err)
	}
	got, err := ta.GetTopic(ctx, &pb.GetTopicRequest{Topic: orders})
	if err != nil || got.Tags["123/env"] != "dev" || len(got.MessageTransforms) != 2 || !got.MessageTransforms[1].Disabled {
		t.Fatalf("topic not stored exactly: %v %v", got, err)
	}
	dlq := "projects/p/topics/orders-dlq"
	if _, err := ta.CreateTopic(ctx, &pb.Topic{Name: dlq}); err != nil {
		t.Fatal(err)
	}
	for _, sub := range []*pb.Subscription{
		{Name: "projects/p/subscriptions/plain", Topic: orders},
		{Name: "projects/p/subscriptions/shout", Topic: orders, MessageTransforms: []*pb.MessageTransform{
			udf("shout", `function shout(m, md) {
				if (m.data.includes("fail")) throw new Error("no shouting at " + md.message_id);
				return {data: m.data.toUpperCase(), attributes: {seen: md.message_id}};
			}`)},
			DeadLetterPolicy: &pb.DeadLetterPolicy{DeadLetterTopic: dlq, MaxDeliveryAttempts: 5}},
		{Name: "projects/p/subscriptions/dead", Topic: dlq},
	} {
		if _, err := sa.CreateSubscription(ctx, sub); err != nil {
			t.Fatal(err)
		}
	}
	pub := client.Publisher(orders)
	for _, data := range []string{`{"id":1,"card":"4111"}`, `{"id":2,"test":true}`, `{"id":3,"note":"fail"}`} {
		if _, err := pub.Publish(ctx, &pubsub.Message{Data: []byte(data), Attributes: map[string]string{"type": "placed"}}).Get(ctx); err != nil {
			t.Fatalf("publish %s: %v", data, err)
		}
	}
	pub.Stop()
	plain := receive(ctx, t, client, "plain", 2, 3*time.Second)
	if len(plain) != 2 || string(plain[0].Data) != `{"id":1}` || plain[0].Attributes["redacted"] != "true" || plain[0].Attributes["type"] != "placed" ||
		string(plain[1].Data) != `{"id":3,"note":"fail"}` {
		t.Fatalf("plain got %d messages: %v", len(plain), plain)
	}
	shout := receive(ctx, t, client, "shout", 1, 2*time.Second)
	if len(shout) != 1 || string(shout[0].Data) != `{"ID":1}` || shout[0].Attributes["seen"] != shout[0].ID || shout[0].Attributes["redacted"] != "" {
		t.Fatalf("shout got %v", shout)
	}
	dead := receive(ctx, t, client, "dead", 1, 2*time.Second)
	if len(dead) != 1 || string(dead[0].Data) != `{"id":3,"note":"fail"}` || !strings.Contains(dead[0].Attributes["CloudPubSubTransformError"], "no shouting") ||
		dead[0].Attributes["CloudPubSubDeadLetterSourceSubscription"] != "shout" {
		t.Fatalf("dead got %v", dead)
	}

	// A throwing topic UDF fails the publish, naming the transform.
	_, err = client.TopicAdminClient.Publish(ctx, &pb.PublishRequest{Topic: orders, Messages: []*pb.PubsubMessage{{Data: []byte(`{"boom":true}`)}}})
	if status.Code(err) != codes.InvalidArgument || !strings.Contains(err.Error(), "cannot redact") {
		t.Fatalf("publish of a failing message: %v", err)
	}
}

// A runaway UDF is stopped by the time bound, the publish fails, and the
// emulator keeps serving.
func TestRunawayTopicTransform(t *testing.T) {
	c := dial(t, startEmu(t).Addr())
	ctx := ctxT(t)
	name := "projects/p/topics/loop"
	if _, err := c.pub.CreateTopic(ctx, &pb.Topic{Name: name, MessageTransforms: []*pb.MessageTransform{udf("spin", "function spin(m) { for (;;) {} }")}}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err := c.pub.Publish(ctx, &pb.PublishRequest{Topic: name, Messages: []*pb.PubsubMessage{{Data: []byte("x")}}})
	if status.Code(err) != codes.InvalidArgument || !strings.Contains(err.Error(), "ran longer than") || time.Since(start) > 5*time.Second {
		t.Fatalf("publish: %v after %v", err, time.Since(start))
	}
	if _, err := c.pub.GetTopic(ctx, &pb.GetTopicRequest{Topic: name}); err != nil {
		t.Fatalf("emulator stopped serving: %v", err)
	}
}

// The emulator validates the new fields as the service does.
func TestFeatureValidation(t *testing.T) {
	c := dial(t, startEmu(t).Addr())
	ctx := ctxT(t)
	top := "projects/p/topics/t1x"
	kinesis := &pb.IngestionDataSourceSettings{Source: &pb.IngestionDataSourceSettings_AwsKinesis_{AwsKinesis: &pb.IngestionDataSourceSettings_AwsKinesis{
		StreamArn: "arn:aws:kinesis:us-east-1:111111111111:stream/s", ConsumerArn: "arn:aws:kinesis:us-east-1:111111111111:stream/s/consumer/c:1",
		AwsRoleArn: "arn:aws:iam::111111111111:role/r", GcpServiceAccount: "a@p.iam.gserviceaccount.com"}},
		PlatformLogsSettings: &pb.PlatformLogsSettings{Severity: pb.PlatformLogsSettings_WARNING}}
	bad := []*pb.Topic{
		{Name: top, MessageTransforms: []*pb.MessageTransform{udf("f", "function f(m) { return m ")}},
		{Name: top, MessageTransforms: []*pb.MessageTransform{udf("f", "function g(m) { return m }")}},
		{Name: top, MessageTransforms: []*pb.MessageTransform{udf("f", "function f(m) {}"), udf("f", "function f(m) {}")}},
		{Name: top, MessageTransforms: []*pb.MessageTransform{{}}},
		{Name: top, Tags: map[string]string{"env": "dev"}},
		{Name: top, IngestionDataSourceSettings: &pb.IngestionDataSourceSettings{Source: &pb.IngestionDataSourceSettings_AwsMsk_{AwsMsk: &pb.IngestionDataSourceSettings_AwsMsk{ClusterArn: "nope"}}}},
	}
	for i, tp := range bad {
		if _, err := c.pub.CreateTopic(ctx, tp); status.Code(err) != codes.InvalidArgument {
			t.Errorf("bad topic %d: %v, want InvalidArgument", i, err)
		}
	}
	want := &pb.Topic{Name: top, IngestionDataSourceSettings: kinesis}
	if _, err := c.pub.CreateTopic(ctx, want); err != nil {
		t.Fatal(err)
	}
	got, err := c.pub.GetTopic(ctx, &pb.GetTopicRequest{Topic: top})
	if err != nil || !proto.Equal(got.IngestionDataSourceSettings, kinesis) {
		t.Fatalf("ingestion not returned exactly: %v %v", got, err)
	}
	// Ingestion is updatable; tags are not.
	kinesis.PlatformLogsSettings.Severity = pb.PlatformLogsSettings_ERROR
	if _, err := c.pub.UpdateTopic(ctx, &pb.UpdateTopicRequest{Topic: want, UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"ingestion_data_source_settings"}}}); err != nil {
		t.Fatal(err)
	}
	sub := &pb.Subscription{Name: "projects/p/subscriptions/bt1", Topic: top, Tags: map[string]string{"tagKeys/1": "tagValues/2"},
		BigtableConfig: &pb.BigtableConfig{Table: "projects/p/instances/i/tables/t", AppProfileId: "a", WriteMetadata: true}}
	if _, err := c.sub.CreateSubscription(ctx, sub); err != nil {
		t.Fatal(err)
	}
	if _, err := c.sub.UpdateSubscription(ctx, &pb.UpdateSubscriptionRequest{Subscription: sub, UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"tags"}}}); status.Code(err) != codes.InvalidArgument {
		t.Errorf("tag update: %v", err)
	}
	sub.BigtableConfig.Table = "t"
	if _, err := c.sub.UpdateSubscription(ctx, &pb.UpdateSubscriptionRequest{Subscription: sub, UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"bigtable_config"}}}); status.Code(err) != codes.InvalidArgument {
		t.Errorf("bad bigtable table: %v", err)
	}
	sub.BigtableConfig.Table = "projects/p/instances/i/tables/u"
	if _, err := c.sub.UpdateSubscription(ctx, &pb.UpdateSubscriptionRequest{Subscription: sub, UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"bigtable_config"}}}); err != nil {
		t.Fatal(err)
	}
	gs, err := c.sub.GetSubscription(ctx, &pb.GetSubscriptionRequest{Subscription: sub.Name})
	if err != nil || gs.BigtableConfig.GetTable() != sub.BigtableConfig.Table || gs.Tags["tagKeys/1"] != "tagValues/2" {
		t.Fatalf("subscription not returned exactly: %v %v", gs, err)
	}
}

// A runaway subscription UDF runs outside the server lock: the emulator
// answers other requests meanwhile, and the message is dead-lettered with
// the reason.
func TestRunawaySubscriptionTransform(t *testing.T) {
	c := dial(t, startEmu(t).Addr())
	ctx := ctxT(t)
	top, dlq := "projects/p/topics/spin", "projects/p/topics/spin-dlq"
	for _, n := range []string{top, dlq} {
		if _, err := c.pub.CreateTopic(ctx, &pb.Topic{Name: n}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.sub.CreateSubscription(ctx, &pb.Subscription{Name: "projects/p/subscriptions/spin", Topic: top,
		MessageTransforms: []*pb.MessageTransform{udf("spin", "function spin(m) { for (;;) {} }")},
		DeadLetterPolicy:  &pb.DeadLetterPolicy{DeadLetterTopic: dlq, MaxDeliveryAttempts: 5}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.sub.CreateSubscription(ctx, &pb.Subscription{Name: "projects/p/subscriptions/spin-dead", Topic: dlq}); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := c.pub.Publish(ctx, &pb.PublishRequest{Topic: top, Messages: []*pb.PubsubMessage{{Data: []byte("x")}}})
		done <- err
	}()
	time.Sleep(100 * time.Millisecond) // the UDF is spinning now
	start := time.Now()
	if _, err := c.pub.GetTopic(ctx, &pb.GetTopicRequest{Topic: dlq}); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 250*time.Millisecond {
		t.Errorf("GetTopic took %v while a subscription UDF ran: the server lock was held", d)
	}
	if err := <-done; err != nil {
		t.Fatalf("publish: %v (a subscription transform's failure does not fail the publish)", err)
	}
	m := pullWithin(ctx, t, c, "projects/p/subscriptions/spin-dead", 3*time.Second)
	if !strings.Contains(m.Message.Attributes["CloudPubSubTransformError"], "ran longer than") {
		t.Errorf("dead-lettered without the reason: %v", m.Message.Attributes)
	}
}

// A topic that compresses and a subscription that decompresses: the
// subscriber gets the original data; a plain subscription the zlib bytes.
func TestCompressionTransforms(t *testing.T) {
	c := dial(t, startEmu(t).Addr())
	ctx := ctxT(t)
	top := "projects/p/topics/zip"
	zlibT := func(mode pb.Compression_CompressionMode) *pb.MessageTransform {
		return &pb.MessageTransform{Transform: &pb.MessageTransform_Compression{Compression: &pb.Compression{CompressionAlgorithm: pb.Compression_ZLIB, CompressionMode: mode}}}
	}
	if _, err := c.pub.CreateTopic(ctx, &pb.Topic{Name: top, MessageTransforms: []*pb.MessageTransform{zlibT(pb.Compression_COMPRESS)}}); err != nil {
		t.Fatal(err)
	}
	for _, s := range []*pb.Subscription{
		{Name: "projects/p/subscriptions/zipped", Topic: top},
		{Name: "projects/p/subscriptions/unzipped", Topic: top, MessageTransforms: []*pb.MessageTransform{zlibT(pb.Compression_DECOMPRESS)}},
	} {
		if _, err := c.sub.CreateSubscription(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	publishOne(ctx, t, c, top, strings.Repeat("hello ", 100), nil, "")
	z := pullWithin(ctx, t, c, "projects/p/subscriptions/zipped", 2*time.Second)
	u := pullWithin(ctx, t, c, "projects/p/subscriptions/unzipped", 2*time.Second)
	if len(z.Message.Data) >= 600 || string(u.Message.Data) != strings.Repeat("hello ", 100) {
		t.Fatalf("zipped %d bytes, unzipped %q", len(z.Message.Data), u.Message.Data)
	}
}
