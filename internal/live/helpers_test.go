package live

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"cloud.google.com/go/pubsub/v2/pstest"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/pubsubctl/pubsubctl/model"
)

const testProject = "p"

// startPstest starts a bare pstest server and a client of project p on it.
func startPstest(t testing.TB, reactors ...pstest.ServerReactorOption) (*pstest.Server, *Client) {
	t.Helper()
	srv := pstest.NewServer(reactors...)
	t.Cleanup(func() { _ = srv.Close() })
	return srv, newTestClient(t, srv.Addr, testProject)
}

func newTestClient(t testing.TB, addr, project string) *Client {
	t.Helper()
	c, err := New(context.Background(), Options{
		Project:     project,
		Emulator:    addr,
		BaseBackoff: time.Millisecond,
	})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func testCtx(t testing.TB) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// flaky is a pstest reactor that fails the first n calls with code, then
// lets calls through.
type flaky struct {
	n     atomic.Int64
	code  atomic.Int32
	calls atomic.Int64
}

func newFlaky(n int64, code codes.Code) *flaky {
	f := &flaky{}
	f.set(n, code)
	return f
}

// set makes the next n calls fail with code.
func (f *flaky) set(n int64, code codes.Code) {
	f.code.Store(int32(code))
	f.calls.Store(0)
	f.n.Store(n)
}

func (f *flaky) React(any) (bool, any, error) {
	if f.calls.Add(1) <= f.n.Load() {
		code := codes.Code(f.code.Load())
		return false, nil, status.Errorf(code, "injected %v", code)
	}
	return false, nil, nil
}

// cmpModel compares model values, ignoring provenance and nil-vs-empty
// maps and slices.
var cmpModel = []cmp.Option{
	cmpopts.IgnoreFields(model.Topic{}, "Meta"),
	cmpopts.IgnoreFields(model.Subscription{}, "Meta"),
	cmpopts.IgnoreFields(model.Schema{}, "Meta"),
	cmpopts.EquateEmpty(),
}

func mustRead(t testing.TB, ctx context.Context, c *Client, ro ReadOptions) *counted {
	t.Helper()
	st, err := readCounted(ctx, c, ro)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	return st
}

// counted is a read state with the RPCs that read made.
type counted struct {
	*model.State
	RPCs map[string]int
}

func readCounted(ctx context.Context, c *Client, ro ReadOptions) (*counted, error) {
	ro.RPCs = map[string]int{}
	st, err := c.Read(ctx, ro)
	if err != nil {
		return nil, err
	}
	return &counted{State: st, RPCs: ro.RPCs}, nil
}

func findTopic(st *counted, id string) *model.Topic {
	for _, t := range st.Topics {
		if t.Name == id {
			return t
		}
	}
	return nil
}

func findSub(st *counted, id string) *model.Subscription {
	for _, s := range st.Subscriptions {
		if s.Name == id {
			return s
		}
	}
	return nil
}

func full(k model.Kind, id string) string { return model.FullName(testProject, k, id) }
