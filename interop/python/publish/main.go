package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"strings"
	"time"

	"cloud.google.com/go/pubsub/v2"
)

type attrs map[string]string

func (a attrs) String() string { return fmt.Sprint(map[string]string(a)) }

func (a attrs) Set(s string) error {
	k, v, ok := strings.Cut(s, "=")
	if !ok || k == "" {
		return fmt.Errorf("want KEY=VALUE, got %q", s)
	}
	a[k] = v
	return nil
}

func main() {
	project := flag.String("project", "", "project ID")
	topic := flag.String("topic", "", "topic ID")
	data := flag.String("data", "", "message data")
	key := flag.String("ordering-key", "", "ordering key")
	a := attrs{}
	flag.Var(a, "attr", "attribute KEY=VALUE (repeatable)")
	flag.Parse()
	if *project == "" || *topic == "" || os.Getenv("PUBSUB_EMULATOR_HOST") == "" {
		log.Fatal("publish: want -project, -topic and PUBSUB_EMULATOR_HOST")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// PUBSUB_EMULATOR_HOST makes the client connect to the emulator
	// without credentials.
	client, err := pubsub.NewClient(ctx, *project)
	if err != nil {
		log.Fatalf("publish: %v", err)
	}
	defer client.Close()
	p := client.Publisher(*topic)
	p.EnableMessageOrdering = *key != ""
	defer p.Stop()
	id, err := p.Publish(ctx, &pubsub.Message{Data: []byte(*data), Attributes: a, OrderingKey: *key}).Get(ctx)
	if err != nil {
		log.Fatalf("publish %q to %s: %v", *data, *topic, err)
	}
	fmt.Println(id)
}
