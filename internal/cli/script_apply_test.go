package cli_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"cloud.google.com/go/iam/apiv1/iampb"
	"github.com/rogpeppe/go-internal/testscript"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/proto"

	"github.com/pubsubctl/pubsubctl/internal/live"
	"github.com/pubsubctl/pubsubctl/model"
)

// Scenario commands for apply and IAM (issues 5 and 6):
//
//	rpcs reset                                 zero the embedded emulator's RPC counters
//	rpcs                                       print "METHOD N" per method the emulator received, then "total N"
//	rpcs wait METHOD N                         wait (up to 60s) until the emulator received N calls of METHOD
//	iamrace topic|sub NAME ROLE MEMBER         put a proxy in front of the emulator (PUBSUB_EMULATOR_HOST
//	                                           points at it from now on); the first SetIamPolicy on NAME
//	                                           that goes through it is preceded by a grant of ROLE to
//	                                           MEMBER made directly on the emulator, so the etag the
//	                                           caller read is stale and the emulator answers Aborted
//	iamrace fired                              fail unless the race above has happened
//	waitfor topics|subs N                      wait (up to 60s) until at least N topics/subscriptions exist
func init() {
	scriptCmds["rpcs"] = cmdRPCs
	scriptCmds["iamrace"] = cmdIAMRace
	scriptCmds["waitfor"] = cmdWaitFor
}

func cmdRPCs(ts *testscript.TestScript, neg bool, args []string) {
	srv := emulatorOf(ts)
	if len(args) == 1 && args[0] == "reset" {
		srv.ResetRPCCounts()
		return
	}
	if len(args) == 3 && args[0] == "wait" {
		want, err := strconv.ParseInt(args[2], 10, 64)
		ts.Check(err)
		deadline := time.Now().Add(60 * time.Second)
		for srv.RPCCounts()[args[1]] < want {
			if time.Now().After(deadline) {
				ts.Fatalf("timed out waiting for %d %s calls", want, args[1])
			}
			time.Sleep(10 * time.Millisecond)
		}
		return
	}
	if len(args) != 0 {
		ts.Fatalf("usage: rpcs [reset | wait METHOD N]")
	}
	counts := srv.RPCCounts()
	methods := make([]string, 0, len(counts))
	total := int64(0)
	for m, n := range counts {
		methods = append(methods, m)
		total += n
	}
	sort.Strings(methods)
	out := ts.Stdout()
	for _, m := range methods {
		fmt.Fprintf(out, "%s %d\n", m, counts[m])
	}
	fmt.Fprintf(out, "total %d\n", total)
}

// iamRaces holds each script's race, by *testscript.TestScript.
var iamRaces sync.Map

type iamRace struct {
	fired atomic.Bool
}

func cmdIAMRace(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) == 1 && args[0] == "fired" {
		v, _ := iamRaces.Load(ts)
		r, _ := v.(*iamRace)
		if r == nil || !r.fired.Load() {
			if !neg {
				ts.Fatalf("the IAM race never happened")
			}
			return
		}
		if neg {
			ts.Fatalf("the IAM race happened")
		}
		return
	}
	if len(args) != 4 || (args[0] != "topic" && args[0] != "sub") {
		ts.Fatalf("usage: iamrace topic|sub NAME ROLE MEMBER | iamrace fired")
	}
	kind := model.KindTopic
	if args[0] == "sub" {
		kind = model.KindSubscription
	}
	resource := model.FullName("demo-project", kind, args[1])
	role, member := args[2], args[3]
	upstream := ts.Getenv("PUBSUB_EMULATOR_HOST")
	if upstream == "" {
		ts.Fatalf("no emulator: run `emulator start` first")
	}
	direct, err := live.New(context.Background(), live.Options{Project: "demo-project", Emulator: upstream, MaxAttempts: 1})
	ts.Check(err)
	ts.Defer(func() { direct.Close() })
	race := &iamRace{}
	iamRaces.Store(ts, race)
	ts.Defer(func() { iamRaces.Delete(ts) })
	var once sync.Once
	hook := func(method string, msg []byte) {
		if !strings.HasSuffix(method, "/SetIamPolicy") {
			return
		}
		var req iampb.SetIamPolicyRequest
		if proto.Unmarshal(msg, &req) != nil || req.GetResource() != resource {
			return
		}
		once.Do(func() {
			ctx := context.Background()
			p, err := direct.GetPolicy(ctx, kind, resource)
			if err == nil {
				p.Bindings = append(p.Bindings, model.PolicyBinding{Role: role, Members: []string{member}})
				_, err = direct.SetPolicy(ctx, kind, resource, p)
			}
			if err != nil {
				ts.Logf("iamrace: concurrent grant failed: %v", err)
				return
			}
			race.fired.Store(true)
		})
	}
	addr, stop, err := startProxy(upstream, hook)
	ts.Check(err)
	ts.Defer(stop)
	ts.Setenv("PUBSUB_EMULATOR_HOST", addr)
}

// rawCodec passes messages through as bytes.
type rawCodec struct{}

func (rawCodec) Marshal(v any) ([]byte, error) { return *(v.(*[]byte)), nil }
func (rawCodec) Unmarshal(data []byte, v any) error {
	*(v.(*[]byte)) = append([]byte(nil), data...)
	return nil
}
func (rawCodec) Name() string { return "proto" }

// startProxy serves a transparent gRPC proxy to upstream that calls hook
// with every request message before forwarding it.
func startProxy(upstream string, hook func(method string, msg []byte)) (string, func(), error) {
	conn, err := grpc.NewClient(upstream, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return "", nil, err
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		conn.Close()
		return "", nil, err
	}
	handler := func(_ any, ss grpc.ServerStream) error {
		method, _ := grpc.MethodFromServerStream(ss)
		ctx, cancel := context.WithCancel(ss.Context())
		defer cancel()
		cs, err := conn.NewStream(ctx, &grpc.StreamDesc{ServerStreams: true, ClientStreams: true}, method, grpc.ForceCodec(rawCodec{}))
		if err != nil {
			return err
		}
		go func() {
			for {
				var b []byte
				if err := ss.RecvMsg(&b); err != nil {
					cs.CloseSend()
					return
				}
				hook(method, b)
				if err := cs.SendMsg(&b); err != nil {
					return
				}
			}
		}()
		if md, err := cs.Header(); err == nil {
			ss.SendHeader(md)
		}
		for {
			var b []byte
			err := cs.RecvMsg(&b)
			if err == io.EOF {
				ss.SetTrailer(cs.Trailer())
				return nil
			}
			if err != nil {
				ss.SetTrailer(cs.Trailer())
				return err
			}
			if err := ss.SendMsg(&b); err != nil {
				return err
			}
		}
	}
	srv := grpc.NewServer(grpc.ForceServerCodec(rawCodec{}), grpc.UnknownServiceHandler(handler))
	go srv.Serve(lis)
	return lis.Addr().String(), func() { srv.Stop(); conn.Close() }, nil
}

func cmdWaitFor(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 || (args[0] != "topics" && args[0] != "subs") {
		ts.Fatalf("usage: waitfor topics|subs N")
	}
	want, err := strconv.Atoi(args[1])
	ts.Check(err)
	c := client(ts)
	deadline := time.Now().Add(60 * time.Second)
	for {
		st, err := c.Read(context.Background(), live.ReadOptions{})
		if err == nil {
			n := len(st.Topics)
			if args[0] == "subs" {
				n = len(st.Subscriptions)
			}
			if n >= want {
				return
			}
		}
		if time.Now().After(deadline) {
			ts.Fatalf("timed out waiting for %d %s (last error %v)", want, args[0], err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
