package emulator

import (
	"context"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	iampb "cloud.google.com/go/iam/apiv1/iampb"
	pb "cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"
	"cloud.google.com/go/pubsub/v2/pstest"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
)

// clients are raw gRPC stubs: unlike the generated Cloud clients they never
// retry, so each call shows exactly what the server answered.
type clients struct {
	pub pb.PublisherClient
	sub pb.SubscriberClient
	sch pb.SchemaServiceClient
	iam iampb.IAMPolicyClient
}

func dial(t testing.TB, addr string) clients {
	t.Helper()
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return clients{
		pub: pb.NewPublisherClient(conn),
		sub: pb.NewSubscriberClient(conn),
		sch: pb.NewSchemaServiceClient(conn),
		iam: iampb.NewIAMPolicyClient(conn),
	}
}

func startEmu(t testing.TB, opts ...func(*Options)) *Server {
	t.Helper()
	o := Options{}
	for _, f := range opts {
		f(&o)
	}
	s, err := Start(context.Background(), o)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// startBare starts plain pstest on its own listener.
func startBare(t testing.TB) string {
	t.Helper()
	srv := pstest.NewServer()
	t.Cleanup(func() { _ = srv.Close() })
	return srv.Addr
}

// startBareRecovering hosts a plain pstest state on a gRPC server whose only
// addition is panic recovery. It is the only way to send pstest a request
// that crashes it without killing the test binary; a panic comes back as
// codes.Internal with "panic" in the message.
func startBareRecovering(t testing.TB, opts ...pstest.ServerReactorOption) string {
	t.Helper()
	srv := pstest.NewServer(opts...)
	s := &Server{}
	s.quietPanics.Store(true)
	g := grpc.NewServer(grpc.UnaryInterceptor(s.recoverUnary))
	pb.RegisterPublisherServer(g, &srv.GServer)
	pb.RegisterSubscriberServer(g, &srv.GServer)
	pb.RegisterSchemaServiceServer(g, &srv.GServer)
	lis := mustListen(t)
	go func() { _ = g.Serve(lis) }()
	t.Cleanup(func() { g.Stop(); _ = srv.Close() })
	return lis.Addr().String()
}

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func wantCode(want codes.Code) func(any, error) error {
	return func(_ any, err error) error {
		if got := status.Code(err); got != want {
			return fmt.Errorf("got %v (%v), want %v", got, err, want)
		}
		return nil
	}
}

// wantOK expects success and a response that passes check.
func wantOK[T any](check func(T) error) func(any, error) error {
	return func(resp any, err error) error {
		if err != nil {
			return fmt.Errorf("got error %v, want success", err)
		}
		r, ok := resp.(T)
		if !ok {
			return fmt.Errorf("got response %T", resp)
		}
		if check == nil {
			return nil
		}
		return check(r)
	}
}

func isPanic(err error) bool {
	st, _ := status.FromError(err)
	return st.Code() == codes.Internal && strings.Contains(strings.ToLower(st.Message()), "panic")
}

func mustListen(t testing.TB) net.Listener {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return lis
}
