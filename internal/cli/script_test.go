package cli_test

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"cloud.google.com/go/pubsub/v2"
	"github.com/rogpeppe/go-internal/testscript"
	"google.golang.org/api/option"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/pubsubctl/pubsubctl/internal/cli"
	"github.com/pubsubctl/pubsubctl/internal/emulator"
	"github.com/pubsubctl/pubsubctl/internal/emulator/emutest"
	"github.com/pubsubctl/pubsubctl/internal/live"
	"github.com/pubsubctl/pubsubctl/model"
)

var updateScripts = flag.Bool("update", false, "rewrite golden files embedded in testdata/script/*.txtar when cmp fails")

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"pubsubctl": func() {
			os.Exit(cli.Main(context.Background(), os.Args[1:], os.Environ(), os.Stdin, os.Stdout, os.Stderr))
		},
	})
}

// TestScripts runs the CLI scenarios in testdata/script against the
// embedded emulator, which each script starts with `emulator start`.
func TestScripts(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir: filepath.Join(root, "testdata", "script"),
		Setup: func(e *testscript.Env) error {
			e.Setenv("EXAMPLES", filepath.Join(root, "examples"))
			e.Setenv("NO_COLOR", "1")
			e.Setenv("HOME", e.WorkDir)
			// Never reach real Google Cloud from a test.
			e.Setenv("GOOGLE_APPLICATION_CREDENTIALS", filepath.Join(e.WorkDir, "no-credentials.json"))
			e.Setenv("PUBSUB_EMULATOR_HOST", "")
			e.Values[emulatorKey{}] = &emulatorHolder{}
			return nil
		},
		Cmds: scriptCmds,
		Condition: func(cond string) (bool, error) {
			switch cond {
			case "official":
				// The official emulator is installed (see emutest.FindOfficialLauncher).
				_, err := emutest.FindOfficialLauncher()
				if err != nil {
					t.Logf("official emulator scenarios skipped: %v", err)
				}
				return err == nil, nil
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
		RequireExplicitExec: false,
		// go test ./internal/cli -run TestScripts/NAME -update rewrites the
		// files a failing cmp compares against.
		UpdateScripts: *updateScripts,
	})
}

// scriptCmds are the custom testscript commands. Test files add their own
// in init, so that scenario helpers for different features live apart.
var scriptCmds = map[string]func(ts *testscript.TestScript, neg bool, args []string){
	"emulator": cmdEmulator,
	"pubsub":   cmdPubsub,
}

type emulatorKey struct{}

// emulatorHolder holds a script's running emulator: the embedded one (srv)
// or the official one (official is its address).
type emulatorHolder struct {
	srv      *emulator.Server
	official string
}

func emulatorOf(ts *testscript.TestScript) *emulator.Server {
	h := ts.Value(emulatorKey{}).(*emulatorHolder)
	if h.srv == nil {
		ts.Fatalf("no embedded emulator: run `emulator start` first (faults need the embedded one)")
	}
	return h.srv
}

// cmdEmulator: `emulator start` starts an embedded emulator for the script
// and sets PUBSUB_EMULATOR_HOST (`emulator start quota=600`: with an
// administrator-operations quota of 600 calls per minute per project);
// `emulator start official` starts Google's official emulator instead
// (guard such scripts with `[!official] skip`, since it fails when the
// emulator is not installed); `emulator fault METHOD CODE RATE` injects
// faults; `emulator clear-faults`.
func cmdEmulator(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) == 0 {
		ts.Fatalf("usage: emulator start|fault|clear-faults")
	}
	switch args[0] {
	case "start":
		if len(args) > 1 && args[1] == "official" {
			addr, stop, err := emutest.StartOfficialProcess()
			ts.Check(err)
			ts.Defer(func() { ts.Check(stop()) })
			ts.Value(emulatorKey{}).(*emulatorHolder).official = addr
			ts.Setenv("PUBSUB_EMULATOR_HOST", addr)
			return
		}
		opts := emulator.Options{Host: "127.0.0.1"}
		for _, a := range args[1:] {
			k, v, _ := strings.Cut(a, "=")
			switch k {
			case "quota":
				q, err := emulator.ParseQuota(v)
				ts.Check(err)
				opts.Quota = q
			default:
				ts.Fatalf("unknown emulator start option %q (want official, or quota=OPS)", a)
			}
		}
		srv, err := emulator.Start(context.Background(), opts)
		if err != nil {
			ts.Fatalf("start emulator: %v", err)
		}
		ts.Value(emulatorKey{}).(*emulatorHolder).srv = srv
		ts.Setenv("PUBSUB_EMULATOR_HOST", srv.Addr())
		ts.Defer(func() { srv.Close() })
	case "fault":
		if len(args) != 4 {
			ts.Fatalf("usage: emulator fault METHOD CODE RATE")
		}
		code, err := emulator.ParseCode(args[2])
		ts.Check(err)
		rate, err := strconv.ParseFloat(args[3], 64)
		ts.Check(err)
		emulatorOf(ts).InjectFault(args[1], code, rate)
	case "clear-faults":
		emulatorOf(ts).ClearFaults()
	default:
		ts.Fatalf("unknown emulator subcommand %q", args[0])
	}
}

func client(ts *testscript.TestScript) *live.Client {
	c, err := live.New(context.Background(), live.Options{Project: "demo-project", Emulator: ts.Getenv("PUBSUB_EMULATOR_HOST"), MaxAttempts: 1})
	if err != nil {
		ts.Fatalf("connect: %v", err)
	}
	ts.Defer(func() { c.Close() })
	return c
}

// cmdPubsub talks to the emulator directly, bypassing pubsubctl, to seed
// and inspect live state:
//
//	pubsub topic NAME [label=k=v ...]           create a topic
//	pubsub sub NAME TOPIC [key=value ...]        create a subscription (filter=, ack=, ordering, label=k=v)
//	pubsub update-sub NAME FIELD=VALUE           change a field behind pubsubctl's back
//	pubsub update-topic NAME FIELD=VALUE
//	pubsub delete-topic NAME / delete-sub NAME
//	pubsub get topic|sub NAME                    print the resource as JSON
//	pubsub list                                  print "topic NAME" / "subscription NAME" lines
//	pubsub grant topic|sub NAME ROLE MEMBER      add a member behind pubsubctl's back
//	pubsub policy topic|sub NAME                 print "ROLE MEMBER" lines
//	pubsub publish TOPIC DATA [k=v ...]          publish one message with attributes
//	pubsub pull SUB                              pull (and ack) what is there; print "message DATA" lines
func cmdPubsub(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) == 0 {
		ts.Fatalf("usage: pubsub topic|sub|update-sub|update-topic|delete-topic|delete-sub|get|list|grant|policy ...")
	}
	// Claim stdout even when printing nothing, so that a following
	// `stdout`/`! stdout` check sees this command's output, not an older one.
	out := ts.Stdout()
	ctx := context.Background()
	c := client(ts)
	project := "demo-project"
	var err error
	switch args[0] {
	case "topic":
		t := &model.Topic{Name: args[1], Labels: kv(ts, args[2:], "label=")}
		_, err = c.CreateTopic(ctx, t)
	case "sub":
		s := &model.Subscription{Name: args[1], Topic: model.FullName(project, model.KindTopic, args[2]), Labels: kv(ts, args[3:], "label=")}
		for _, a := range args[3:] {
			k, v, _ := strings.Cut(a, "=")
			switch k {
			case "filter":
				s.Filter = v
			case "ack":
				d, perr := model.ParseDuration(v)
				ts.Check(perr)
				s.AckDeadline = d
			case "ordering":
				s.EnableMessageOrdering = true
			case "label":
			default:
				ts.Fatalf("unknown sub option %q", a)
			}
		}
		_, err = c.CreateSubscription(ctx, s)
	case "update-sub":
		s, gerr := c.GetSubscription(ctx, args[1])
		ts.Check(gerr)
		k, v, _ := strings.Cut(args[2], "=")
		switch k {
		case "ack_deadline":
			d, perr := model.ParseDuration(v)
			ts.Check(perr)
			s.AckDeadline = d
		case "labels":
			s.Labels = kv(ts, strings.Split(v, ","), "")
		case "retain_acked_messages":
			s.RetainAckedMessages = v == "true"
		default:
			ts.Fatalf("unsupported field %q", k)
		}
		_, err = c.UpdateSubscription(ctx, s, []string{k})
	case "update-topic":
		t, gerr := c.GetTopic(ctx, args[1])
		ts.Check(gerr)
		k, v, _ := strings.Cut(args[2], "=")
		switch k {
		case "labels":
			t.Labels = kv(ts, strings.Split(v, ","), "")
		case "message_retention":
			d, perr := model.ParseDuration(v)
			ts.Check(perr)
			t.MessageRetention = d
		default:
			ts.Fatalf("unsupported field %q", k)
		}
		_, err = c.UpdateTopic(ctx, t, []string{k})
	case "publish":
		err = publish(ctx, ts, args[1], args[2], kv(ts, args[3:], ""))
	case "pull":
		var msgs []string
		msgs, err = pull(ctx, ts, args[1])
		for _, m := range msgs {
			fmt.Fprintf(out, "message %s\n", m)
		}
	case "delete-topic":
		err = c.DeleteTopic(ctx, args[1])
	case "delete-sub":
		err = c.DeleteSubscription(ctx, args[1])
	case "get":
		var v any
		if args[1] == "topic" {
			v, err = c.GetTopic(ctx, args[2])
		} else {
			v, err = c.GetSubscription(ctx, args[2])
		}
		if err == nil {
			b, _ := json.MarshalIndent(v, "", "  ")
			fmt.Fprintln(out, string(b))
		}
	case "list":
		st, rerr := c.Read(ctx, live.ReadOptions{})
		ts.Check(rerr)
		for _, t := range st.Topics {
			fmt.Fprintf(out, "topic %s\n", t.Name)
		}
		for _, s := range st.Subscriptions {
			fmt.Fprintf(out, "subscription %s\n", s.Name)
		}
	case "grant", "policy":
		kind := model.KindTopic
		if args[1] == "sub" {
			kind = model.KindSubscription
		}
		name := model.FullName(project, kind, args[2])
		p, gerr := c.GetPolicy(ctx, kind, name)
		ts.Check(gerr)
		if args[0] == "policy" {
			var lines []string
			for _, b := range p.Bindings {
				for _, m := range b.Members {
					lines = append(lines, b.Role+" "+m)
				}
			}
			sort.Strings(lines)
			for _, l := range lines {
				fmt.Fprintln(out, l)
			}
			return
		}
		p.Bindings = append(p.Bindings, model.PolicyBinding{Role: args[3], Members: []string{args[4]}})
		_, err = c.SetPolicy(ctx, kind, name, p)
	default:
		ts.Fatalf("unknown pubsub subcommand %q", args[0])
	}
	if neg {
		if err == nil {
			ts.Fatalf("pubsub %s succeeded unexpectedly", args[0])
		}
		return
	}
	if err != nil {
		ts.Fatalf("pubsub %s: %v", strings.Join(args, " "), err)
	}
}

func kv(ts *testscript.TestScript, args []string, prefix string) map[string]string {
	out := map[string]string{}
	for _, a := range args {
		if !strings.HasPrefix(a, prefix) || a == "" {
			continue
		}
		k, v, ok := strings.Cut(strings.TrimPrefix(a, prefix), "=")
		if !ok {
			ts.Fatalf("want KEY=VALUE, got %q", a)
		}
		out[k] = v
	}
	return out
}

// dataClient connects the Pub/Sub data-plane client to the script's emulator.
func dataClient(ctx context.Context, ts *testscript.TestScript) *pubsub.Client {
	addr := ts.Getenv("PUBSUB_EMULATOR_HOST")
	if addr == "" {
		ts.Fatalf("no emulator: run `emulator start` first")
	}
	c, err := pubsub.NewClient(ctx, "demo-project",
		option.WithEndpoint(addr), option.WithoutAuthentication(),
		option.WithGRPCDialOption(grpc.WithTransportCredentials(insecure.NewCredentials())))
	ts.Check(err)
	ts.Defer(func() { c.Close() })
	return c
}

func publish(ctx context.Context, ts *testscript.TestScript, topic, data string, attrs map[string]string) error {
	p := dataClient(ctx, ts).Publisher(topic)
	defer p.Stop()
	_, err := p.Publish(ctx, &pubsub.Message{Data: []byte(data), Attributes: attrs}).Get(ctx)
	return err
}

// pull receives for up to two seconds, acking everything, and returns the
// message bodies sorted.
func pull(ctx context.Context, ts *testscript.TestScript, sub string) ([]string, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	var mu sync.Mutex
	var got []string
	err := dataClient(ctx, ts).Subscriber(sub).Receive(ctx, func(_ context.Context, m *pubsub.Message) {
		mu.Lock()
		got = append(got, string(m.Data))
		mu.Unlock()
		m.Ack()
	})
	sort.Strings(got)
	return got, err
}
