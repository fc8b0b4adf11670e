package cli_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/pubsubctl/pubsubctl/model"
)

func init() {
	scriptCmds["seed"] = cmdSeed
}

// cmdSeed creates resources through the API the way a team without
// pubsubctl would have, with every setting the adoption scenarios need
// (project demo-project):
//
//	seed schema NAME AVRO|PROTOCOL_BUFFER FILE
//	seed topic NAME [schema=S encoding=JSON|BINARY retention=D label=k=v ...]
//	seed sub NAME TOPIC [key=value ...]
//
// Subscription options: ack=D, retention=D, expiration=D|never,
// retain-acked, ordering, exactly-once, filter=EXPR, backoff=MIN..MAX,
// dead-letter=TOPIC, attempts=N, push=URL, oidc=SERVICE_ACCOUNT,
// audience=AUD, bigquery=PROJECT.DATASET.TABLE, topic-schema, metadata,
// label=k=v. With a leading !, the creation must fail.
func cmdSeed(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 2 {
		ts.Fatalf("usage: seed schema|topic|sub NAME ...")
	}
	ctx := context.Background()
	c := client(ts)
	const project = "demo-project"
	parseDur := func(v string) time.Duration {
		d, err := model.ParseDuration(v)
		ts.Check(err)
		return d
	}
	var err error
	switch args[0] {
	case "schema":
		if len(args) != 4 {
			ts.Fatalf("usage: seed schema NAME TYPE FILE")
		}
		def, rerr := os.ReadFile(ts.MkAbs(args[3]))
		ts.Check(rerr)
		_, err = c.CreateSchema(ctx, &model.Schema{Name: args[1], Type: args[2], Definition: string(def)})
	case "topic":
		t := &model.Topic{Name: args[1], Labels: kv(ts, args[2:], "label=")}
		for _, a := range args[2:] {
			k, v, _ := strings.Cut(a, "=")
			switch k {
			case "schema":
				if t.Schema == nil {
					t.Schema = &model.SchemaSettings{Encoding: "JSON"}
				}
				t.Schema.Schema = model.FullName(project, model.KindSchema, v)
			case "encoding":
				if t.Schema == nil {
					t.Schema = &model.SchemaSettings{}
				}
				t.Schema.Encoding = v
			case "retention":
				t.MessageRetention = parseDur(v)
			case "label":
			default:
				ts.Fatalf("unknown topic option %q", a)
			}
		}
		_, err = c.CreateTopic(ctx, t)
	case "sub":
		if len(args) < 3 {
			ts.Fatalf("usage: seed sub NAME TOPIC [key=value ...]")
		}
		s := &model.Subscription{Name: args[1], Topic: model.FullName(project, model.KindTopic, args[2]), Labels: kv(ts, args[3:], "label=")}
		push := func() *model.PushConfig {
			if s.Push == nil {
				s.Push = &model.PushConfig{}
			}
			return s.Push
		}
		for _, a := range args[3:] {
			k, v, _ := strings.Cut(a, "=")
			switch k {
			case "ack":
				s.AckDeadline = parseDur(v)
			case "retention":
				s.MessageRetention = parseDur(v)
			case "expiration":
				if v == "never" {
					s.Expiration = model.Expiration{Never: true}
				} else {
					s.Expiration = model.Expiration{TTL: parseDur(v)}
				}
			case "retain-acked":
				s.RetainAckedMessages = true
			case "ordering":
				s.EnableMessageOrdering = true
			case "exactly-once":
				s.EnableExactlyOnceDelivery = true
			case "filter":
				s.Filter = v
			case "backoff":
				lo, hi, ok := strings.Cut(v, "..")
				if !ok {
					ts.Fatalf("backoff=MIN..MAX, got %q", v)
				}
				s.RetryPolicy = &model.RetryPolicy{MinimumBackoff: parseDur(lo), MaximumBackoff: parseDur(hi)}
			case "dead-letter":
				if s.DeadLetter == nil {
					s.DeadLetter = &model.DeadLetter{MaxDeliveryAttempts: 5}
				}
				s.DeadLetter.Topic = model.FullName(project, model.KindTopic, v)
			case "attempts":
				n, perr := strconv.Atoi(v)
				ts.Check(perr)
				if s.DeadLetter == nil {
					ts.Fatalf("attempts= needs dead-letter= first")
				}
				s.DeadLetter.MaxDeliveryAttempts = n
			case "push":
				push().Endpoint = v
			case "oidc":
				p := push()
				if p.OIDC == nil {
					p.OIDC = &model.OIDCToken{}
				}
				p.OIDC.ServiceAccount = v
			case "audience":
				p := push()
				if p.OIDC == nil {
					p.OIDC = &model.OIDCToken{}
				}
				p.OIDC.Audience = v
			case "bigquery":
				s.BigQuery = &model.BigQueryConfig{Table: v}
			case "topic-schema":
				s.BigQuery.UseTopicSchema = true
			case "metadata":
				s.BigQuery.WriteMetadata = true
			case "label":
			default:
				ts.Fatalf("unknown sub option %q", a)
			}
		}
		_, err = c.CreateSubscription(ctx, s)
	default:
		ts.Fatalf("unknown seed kind %q", args[0])
	}
	if neg {
		if err == nil {
			ts.Fatalf("seed %s succeeded unexpectedly", strings.Join(args, " "))
		}
		fmt.Fprintf(ts.Stdout(), "%v\n", err)
		return
	}
	if err != nil {
		ts.Fatalf("seed %s: %v", strings.Join(args, " "), err)
	}
}
