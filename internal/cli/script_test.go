package cli_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/pubsubctl/pubsubctl/internal/cli"
	"github.com/pubsubctl/pubsubctl/internal/emulator"
	"github.com/pubsubctl/pubsubctl/internal/live"
	"github.com/pubsubctl/pubsubctl/model"
)

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
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"emulator": cmdEmulator,
			"pubsub":   cmdPubsub,
		},
		RequireExplicitExec: false,
	})
}

type emulatorKey struct{}

// emulatorHolder holds a script's running emulator.
type emulatorHolder struct{ srv *emulator.Server }

func emulatorOf(ts *testscript.TestScript) *emulator.Server {
	h := ts.Value(emulatorKey{}).(*emulatorHolder)
	if h.srv == nil {
		ts.Fatalf("no emulator: run `emulator start` first")
	}
	return h.srv
}

// cmdEmulator: `emulator start` starts an embedded emulator for the script
// and sets PUBSUB_EMULATOR_HOST; `emulator fault METHOD CODE RATE` injects
// faults; `emulator clear-faults`.
func cmdEmulator(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) == 0 {
		ts.Fatalf("usage: emulator start|fault|clear-faults")
	}
	switch args[0] {
	case "start":
		srv, err := emulator.Start(context.Background(), emulator.Options{Host: "127.0.0.1"})
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
