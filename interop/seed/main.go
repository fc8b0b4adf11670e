package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"syscall"
	"time"

	"cloud.google.com/go/pubsub/v2"
	pb "cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"
	"github.com/pubsubctl/pubsubctl/internal/emulator"
)

func main() {
	host := flag.String("host", "127.0.0.1", "host to listen on")
	port := flag.Int("port", 0, "port to listen on (0: a free port)")
	project := flag.String("project", "interop-project", "project ID of the seeded resources")
	flag.Parse()
	if err := run(*host, *port, *project); err != nil {
		log.Fatalf("seed: %v", err)
	}
}

func run(host string, port int, project string) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	srv, err := emulator.Start(ctx, emulator.Options{Host: host, Port: port, Project: project, StartNotServing: true})
	if err != nil {
		return err
	}
	defer srv.Close()

	if err := seed(ctx, srv, project); err != nil {
		return err
	}
	srv.SetHealth(true)
	fmt.Printf("EMULATOR_ADDR=%s\n", srv.Addr())
	_ = os.Stdout.Sync()

	<-ctx.Done()
	log.Printf("seed: shutting down")
	return nil
}

func seed(ctx context.Context, srv *emulator.Server, project string) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	client, err := pubsub.NewClient(ctx, project, srv.ClientOptions()...)
	if err != nil {
		return err
	}
	defer client.Close()

	p := "projects/" + project
	topic, dlq := p+"/topics/interop-topic", p+"/topics/interop-dlq"
	for _, t := range []string{topic, dlq} {
		if _, err := client.TopicAdminClient.CreateTopic(ctx, &pb.Topic{Name: t}); err != nil {
			return fmt.Errorf("create topic %s: %w", t, err)
		}
	}
	subs := []*pb.Subscription{
		{Name: p + "/subscriptions/interop-dlq-sub", Topic: dlq},
		{
			Name:                  p + "/subscriptions/interop-sub",
			Topic:                 topic,
			AckDeadlineSeconds:    10,
			EnableMessageOrdering: true,
			DeadLetterPolicy:      &pb.DeadLetterPolicy{DeadLetterTopic: dlq, MaxDeliveryAttempts: 5},
		},
	}
	for _, s := range subs {
		if _, err := client.SubscriptionAdminClient.CreateSubscription(ctx, s); err != nil {
			return fmt.Errorf("create subscription %s: %w", s.Name, err)
		}
	}
	return nil
}
