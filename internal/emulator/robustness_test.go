package emulator

import (
	"context"
	"math/rand"
	"testing"
	"time"

	iampb "cloud.google.com/go/iam/apiv1/iampb"
	pb "cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/fieldmaskpb"
)

// filler builds random, mostly malformed requests whose names point at a
// small pool of resources, so that they also reach existing state.
type filler struct{ r *rand.Rand }

var (
	fuzzStrings = []string{"", "x", topic, dlq, sub, proj, proj2, proj + "/schemas/schema-1", "projects/p/topics/ab",
		"goog-x", "projects/p/topics/", "https://example.com/p", "http://x", "a@b.com", "-1", "99", "user:a@b.com",
		"roles/pubsub.viewer", avro, "attributes:x", "attributes.x = \"", "projects/p/schemas/schema-1@nope"}
	fuzzInts   = []int64{-1, 0, 1, 5, 10, 100, 600, 601, 1 << 31, -1 << 31}
	fuzzPaths  = []string{"labels", "ack_deadline_seconds", "push_config", "filter", "schema_settings.encoding", "schema_settings", "dead_letter_policy", "retry_policy", "expiration_policy", "message_retention_duration", "kms_key_name", "bogus", ""}
	fuzzSecond = []int64{-5, 0, 5, 600, 86400, 40 * 86400}
)

func (f *filler) fill(m protoreflect.Message, depth int) {
	switch v := m.Interface().(type) {
	case *durationpb.Duration:
		v.Seconds = fuzzSecond[f.r.Intn(len(fuzzSecond))]
		if f.r.Intn(8) == 0 {
			v.Nanos = -1
		}
		return
	case *fieldmaskpb.FieldMask:
		for range f.r.Intn(3) {
			v.Paths = append(v.Paths, fuzzPaths[f.r.Intn(len(fuzzPaths))])
		}
		return
	}
	fields := m.Descriptor().Fields()
	for i := range fields.Len() {
		fd := fields.Get(i)
		if f.r.Intn(2) == 0 {
			continue
		}
		switch {
		case fd.IsMap():
			mp := m.Mutable(fd).Map()
			for range f.r.Intn(3) {
				k := f.scalar(fd.MapKey())
				if fd.MapValue().Kind() == protoreflect.MessageKind {
					if depth > 0 {
						mv := mp.NewValue()
						f.fill(mv.Message(), depth-1)
						mp.Set(k.MapKey(), mv)
					}
				} else {
					mp.Set(k.MapKey(), f.scalar(fd.MapValue()))
				}
			}
		case fd.IsList():
			l := m.Mutable(fd).List()
			for range f.r.Intn(3) {
				if fd.Kind() == protoreflect.MessageKind {
					if depth > 0 {
						e := l.NewElement()
						f.fill(e.Message(), depth-1)
						l.Append(e)
					}
				} else {
					l.Append(f.scalar(fd))
				}
			}
		case fd.Kind() == protoreflect.MessageKind || fd.Kind() == protoreflect.GroupKind:
			if depth > 0 {
				f.fill(m.Mutable(fd).Message(), depth-1)
			}
		default:
			m.Set(fd, f.scalar(fd))
		}
	}
}

func (f *filler) scalar(fd protoreflect.FieldDescriptor) protoreflect.Value {
	n := fuzzInts[f.r.Intn(len(fuzzInts))]
	switch fd.Kind() {
	case protoreflect.StringKind:
		return protoreflect.ValueOfString(fuzzStrings[f.r.Intn(len(fuzzStrings))])
	case protoreflect.BytesKind:
		return protoreflect.ValueOfBytes([]byte(fuzzStrings[f.r.Intn(len(fuzzStrings))]))
	case protoreflect.BoolKind:
		return protoreflect.ValueOfBool(f.r.Intn(2) == 0)
	case protoreflect.EnumKind:
		return protoreflect.ValueOfEnum(protoreflect.EnumNumber(f.r.Intn(6) - 1))
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		return protoreflect.ValueOfInt32(int32(n))
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		return protoreflect.ValueOfInt64(n)
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
		return protoreflect.ValueOfUint32(uint32(n))
	case protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		return protoreflect.ValueOfUint64(uint64(n))
	case protoreflect.FloatKind:
		return protoreflect.ValueOfFloat32(float32(n))
	case protoreflect.DoubleKind:
		return protoreflect.ValueOfFloat64(float64(n))
	}
	return protoreflect.ValueOf(nil)
}

// TestRandomRequestsNeverCrash sends thousands of random requests to every
// unary RPC of the Pub/Sub and IAM services (seeded, so reproducible), then
// checks that the server still serves, and that no request reached a panic
// in pstest (the conformance layer rejects them first).
func TestRandomRequestsNeverCrash(t *testing.T) {
	s := startEmu(t)
	c := dial(t, s.Addr())
	conn, err := grpc.NewClient(s.Addr(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx := ctxT(t)
	if err := mkTopic(topic, dlq)(ctx, c); err != nil {
		t.Fatal(err)
	}
	if err := mkSchema(proj+"/schemas/schema-1")(ctx, c); err != nil {
		t.Fatal(err)
	}
	if _, err := c.sub.CreateSubscription(ctx, &pb.Subscription{Name: sub, Topic: topic,
		DeadLetterPolicy: &pb.DeadLetterPolicy{DeadLetterTopic: dlq}}); err != nil {
		t.Fatal(err)
	}

	var methods []protoreflect.MethodDescriptor
	for _, fd := range []protoreflect.FileDescriptor{pb.File_google_pubsub_v1_pubsub_proto, pb.File_google_pubsub_v1_schema_proto, iampb.File_google_iam_v1_iam_policy_proto} {
		for i := range fd.Services().Len() {
			svc := fd.Services().Get(i)
			for j := range svc.Methods().Len() {
				if m := svc.Methods().Get(j); !m.IsStreamingClient() && !m.IsStreamingServer() {
					methods = append(methods, m)
				}
			}
		}
	}
	f := &filler{r: rand.New(rand.NewSource(1))}
	const perMethod = 60
	panics := 0
	for _, m := range methods {
		in, err := protoregistry.GlobalTypes.FindMessageByName(m.Input().FullName())
		if err != nil {
			t.Fatal(err)
		}
		out, err := protoregistry.GlobalTypes.FindMessageByName(m.Output().FullName())
		if err != nil {
			t.Fatal(err)
		}
		full := "/" + string(m.Parent().FullName()) + "/" + string(m.Name())
		for range perMethod {
			req := in.New()
			f.fill(req, 3)
			cctx, cancel := context.WithTimeout(ctx, 2*time.Second)
			err := conn.Invoke(cctx, full, req.Interface(), out.New().Interface())
			cancel()
			if isPanic(err) {
				panics++
				t.Errorf("%s reached a panic: %v\nrequest: %v", full, err, req.Interface())
			}
			if status.Code(err) == codes.Unavailable {
				t.Fatalf("%s: server unavailable: %v", full, err)
			}
		}
	}
	// Give pstest's delivery goroutines time to trip over any bad state.
	time.Sleep(100 * time.Millisecond)
	if _, err := c.pub.ListTopics(ctx, &pb.ListTopicsRequest{Project: proj}); err != nil {
		t.Fatalf("server not serving after random requests: %v", err)
	}
	t.Logf("%d methods × %d random requests, %d panics", len(methods), perMethod, panics)
}
