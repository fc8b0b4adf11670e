package emulator

import (
	"testing"

	iampb "cloud.google.com/go/iam/apiv1/iampb"
	pb "cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"
	"cloud.google.com/go/pubsub/v2/pstest"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

func TestParseFault(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    Fault
		wantErr bool
	}{
		{in: "CreateTopic=UNAVAILABLE", want: Fault{"CreateTopic", codes.Unavailable, 1}},
		{in: "CreateTopic=Unavailable@0.5", want: Fault{"CreateTopic", codes.Unavailable, 0.5}},
		{in: "*=RESOURCE_EXHAUSTED@0.25", want: Fault{"*", codes.ResourceExhausted, 0.25}},
		{in: "GetTopic=resourceexhausted", want: Fault{"GetTopic", codes.ResourceExhausted, 1}},
		{in: "GetTopic=14", want: Fault{"GetTopic", codes.Unavailable, 1}},
		{in: " Publish = DEADLINE_EXCEEDED @ 0 ", want: Fault{"Publish", codes.DeadlineExceeded, 0}},
		{in: "GetTopic=OK", wantErr: true},
		{in: "GetTopic=0", wantErr: true},
		{in: "GetTopic=17", wantErr: true},
		{in: "GetTopic=Nope", wantErr: true},
		{in: "GetTopic", wantErr: true},
		{in: "=UNAVAILABLE", wantErr: true},
		{in: "GetTopic=UNAVAILABLE@1.5", wantErr: true},
		{in: "GetTopic=UNAVAILABLE@-0.1", wantErr: true},
		{in: "GetTopic=UNAVAILABLE@x", wantErr: true},
		{in: "GetTopic=UNAVAILABLE@NaN", wantErr: true},
		{in: "/google.pubsub.v1.Publisher/GetTopic=UNAVAILABLE", wantErr: true},
	} {
		got, err := ParseFault(tc.in)
		if (err != nil) != tc.wantErr {
			t.Errorf("ParseFault(%q) error = %v, wantErr %v", tc.in, err, tc.wantErr)
			continue
		}
		if !tc.wantErr && got != tc.want {
			t.Errorf("ParseFault(%q) = %+v, want %+v", tc.in, got, tc.want)
		}
	}
	// String renders what ParseFault parses.
	f := Fault{"CreateTopic", codes.ResourceExhausted, 0.5}
	if got, err := ParseFault(f.String()); err != nil || got != f {
		t.Errorf("round trip of %s: %+v, %v", f, got, err)
	}
}

func TestInjectFault(t *testing.T) {
	s := startEmu(t)
	c := dial(t, s.Addr())
	ctx := ctxT(t)

	s.InjectFault("CreateTopic", codes.ResourceExhausted, 1)
	if _, err := c.pub.CreateTopic(ctx, &pb.Topic{Name: topic}); status.Code(err) != codes.ResourceExhausted {
		t.Fatalf("CreateTopic with fault: %v", err)
	}
	if _, err := c.pub.ListTopics(ctx, &pb.ListTopicsRequest{Project: proj}); err != nil {
		t.Fatalf("ListTopics is not faulted: %v", err)
	}
	s.ClearFaults()
	if _, err := c.pub.CreateTopic(ctx, &pb.Topic{Name: topic}); err != nil {
		t.Fatalf("after ClearFaults: %v", err)
	}

	s.InjectFault("*", codes.Unavailable, 1)
	if _, err := c.pub.GetTopic(ctx, &pb.GetTopicRequest{Topic: topic}); status.Code(err) != codes.Unavailable {
		t.Errorf("* fault on GetTopic: %v", err)
	}
	if _, err := c.iam.GetIamPolicy(ctx, &iampb.GetIamPolicyRequest{Resource: topic}); status.Code(err) != codes.Unavailable {
		t.Errorf("* fault on GetIamPolicy: %v", err)
	}
	st, err := c.sub.StreamingPull(ctx)
	if err == nil {
		_ = st.Send(&pb.StreamingPullRequest{Subscription: sub, StreamAckDeadlineSeconds: 10})
		_, err = st.Recv()
	}
	if status.Code(err) != codes.Unavailable {
		t.Errorf("* fault on StreamingPull: %v", err)
	}
	// Health checks are exempt.
	healthStatus(t, s.Addr(), "")
	s.ClearFaults()

	// Invalid injections are ignored.
	s.InjectFault("GetTopic", codes.OK, 1)
	s.InjectFault("", codes.Internal, 1)
	if n := len(s.Faults()); n != 0 {
		t.Errorf("invalid faults were added: %v", s.Faults())
	}
}

func TestFaultRateIsSeeded(t *testing.T) {
	run := func(seed int64) []bool {
		s := startEmu(t, func(o *Options) {
			o.Seed = seed
			o.Faults = []Fault{{Method: "GetTopic", Code: codes.Unavailable, Rate: 0.5}}
		})
		c := dial(t, s.Addr())
		ctx := ctxT(t)
		if _, err := c.pub.CreateTopic(ctx, &pb.Topic{Name: topic}); err != nil {
			t.Fatal(err)
		}
		var out []bool
		for range 200 {
			_, err := c.pub.GetTopic(ctx, &pb.GetTopicRequest{Topic: topic})
			out = append(out, status.Code(err) == codes.Unavailable)
		}
		return out
	}
	a, b := run(42), run(42)
	failed := 0
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("same seed, different outcome at call %d", i)
		}
		if a[i] {
			failed++
		}
	}
	if failed < 60 || failed > 140 {
		t.Errorf("rate 0.5 failed %d of 200 calls", failed)
	}
	if c := run(7); equalBools(a, c) {
		t.Errorf("different seeds gave identical outcomes")
	}
}

func equalBools(a, b []bool) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// pstest's own error injection panics for ListSchemaRevisions (its default
// response has the wrong type); the emulator's fault injection does not.
func TestListSchemaRevisionsFaultDoesNotPanic(t *testing.T) {
	ctx := ctxT(t)
	bare := dial(t, startBareRecovering(t, pstest.WithErrorInjection("ListSchemaRevisions", codes.Unavailable, "injected")))
	if _, err := bare.sch.ListSchemaRevisions(ctx, &pb.ListSchemaRevisionsRequest{Name: proj + "/schemas/schema-1"}); !isPanic(err) {
		t.Errorf("bare pstest with a ListSchemaRevisions reactor: got %v, want a crash", err)
	}
	s := startEmu(t)
	s.InjectFault("ListSchemaRevisions", codes.Unavailable, 1)
	c := dial(t, s.Addr())
	if _, err := c.sch.ListSchemaRevisions(ctx, &pb.ListSchemaRevisionsRequest{Name: proj + "/schemas/schema-1"}); status.Code(err) != codes.Unavailable {
		t.Errorf("emulator: got %v, want Unavailable", err)
	}
}

func TestRPCCounts(t *testing.T) {
	s := startEmu(t)
	c := dial(t, s.Addr())
	ctx := ctxT(t)
	_, _ = c.pub.CreateTopic(ctx, &pb.Topic{Name: topic})
	_, _ = c.pub.CreateTopic(ctx, &pb.Topic{Name: topic}) // AlreadyExists still counts
	_, _ = c.pub.GetTopic(ctx, &pb.GetTopicRequest{Topic: topic})
	healthStatus(t, s.Addr(), "")
	got := s.RPCCounts()
	if got["CreateTopic"] != 2 || got["GetTopic"] != 1 || len(got) != 2 {
		t.Errorf("RPCCounts = %v, want CreateTopic 2, GetTopic 1", got)
	}
	s.ResetRPCCounts()
	if got := s.RPCCounts(); len(got) != 0 {
		t.Errorf("after reset: %v", got)
	}
}
