package emutest

import (
	"context"
	"testing"
	"time"

	"cloud.google.com/go/pubsub/v2"
	pb "cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"
	"google.golang.org/api/option"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
)

func clientFor(ctx context.Context, t *testing.T, addr string) *pubsub.Client {
	t.Helper()
	c, err := pubsub.NewClient(ctx, "parity",
		option.WithEndpoint(addr),
		option.WithoutAuthentication(),
		option.WithGRPCDialOption(grpc.WithTransportCredentials(insecure.NewCredentials())),
		option.WithTelemetryDisabled())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// TestParityCreateTopic creates a topic through the Go client on both the
// embedded and the official emulator, reads it back, and checks that both
// reject an invalid topic ID the same way.
func TestParityCreateTopic(t *testing.T) {
	official := StartOfficial(t)
	embedded := Start(t).Addr()
	for _, tc := range []struct{ name, addr string }{{"embedded", embedded}, {"official", official}} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			tac := clientFor(ctx, t, tc.addr).TopicAdminClient
			name := "projects/parity/topics/parity-topic"
			created, err := tac.CreateTopic(ctx, &pb.Topic{Name: name, Labels: map[string]string{"env": "test"}})
			if err != nil {
				t.Fatalf("CreateTopic: %v", err)
			}
			got, err := tac.GetTopic(ctx, &pb.GetTopicRequest{Topic: name})
			if err != nil {
				t.Fatalf("GetTopic: %v", err)
			}
			if created.Name != name || got.Name != name || got.Labels["env"] != "test" {
				t.Errorf("created %v, got %v", created, got)
			}
			if _, err := tac.CreateTopic(ctx, &pb.Topic{Name: name}); status.Code(err) != codes.AlreadyExists {
				t.Errorf("second CreateTopic: %v, want AlreadyExists", err)
			}
			if _, err := tac.CreateTopic(ctx, &pb.Topic{Name: "projects/parity/topics/ab"}); status.Code(err) != codes.InvalidArgument {
				t.Errorf("CreateTopic with a 2-character ID: %v, want InvalidArgument", err)
			}
		})
	}
}
