package live

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/pubsubctl/pubsubctl/model"
)

// Round trips against bare pstest: create through the API, read back with
// Read, compare.

const avroDef = `{"type":"record","name":"Order","fields":[{"name":"id","type":"string"}]}`
const protoDef = `syntax = "proto3"; message Order { string id = 1; }`

func TestNewTargets(t *testing.T) {
	ctx := testCtx(t)
	srv, c := startPstest(t)
	if !c.IsEmulator() || c.Target() != "emulator "+srv.Addr {
		t.Errorf("Target() = %q, IsEmulator = %v", c.Target(), c.IsEmulator())
	}
	// PUBSUB_EMULATOR_HOST in Env is honored (the last value wins).
	c2, err := New(ctx, Options{Project: testProject, Env: []string{
		"HOME=/x", "PUBSUB_EMULATOR_HOST=127.0.0.1:1", "PUBSUB_EMULATOR_HOST=" + srv.Addr}})
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	if c2.Target() != "emulator "+srv.Addr {
		t.Errorf("Target() from Env = %q", c2.Target())
	}
	if _, err := c2.CreateTopic(ctx, &model.Topic{Name: "t"}); err != nil {
		t.Fatalf("CreateTopic through Env: %v", err)
	}
	if err := c2.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if err := c2.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := New(ctx, Options{}); err == nil {
		t.Error("New without a project succeeded")
	}
	if _, err := New(ctx, Options{Project: "p", Emulator: srv.Addr, ImpersonateServiceAccount: "sa@p.iam.gserviceaccount.com"}); err == nil {
		t.Error("impersonation against an emulator accepted")
	}
}

func TestTopicRoundTripPstest(t *testing.T) {
	ctx := testCtx(t)
	_, c := startPstest(t)
	sch, err := c.CreateSchema(ctx, &model.Schema{Name: "order", Type: "AVRO", Definition: avroDef})
	if err != nil {
		t.Fatal(err)
	}
	want := fullTopic()
	want.Schema.FirstRevisionID = sch.RevisionID
	want.Schema.LastRevisionID = sch.RevisionID
	created, err := c.CreateTopic(ctx, want)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(want, created, cmpModel...); d != "" {
		t.Errorf("CreateTopic result (-want +got):\n%s", d)
	}
	minimal := &model.Topic{Addr: model.Address{Kind: model.KindTopic, Name: "bare"}, Name: "bare"}
	if _, err := c.CreateTopic(ctx, minimal); err != nil {
		t.Fatal(err)
	}
	st := mustRead(t, ctx, c, ReadOptions{})
	if len(st.Topics) != 2 || st.Topics[0].Name != "bare" || st.Topics[1].Name != "orders" {
		t.Fatalf("topics %v, want [bare orders] sorted", st.Topics)
	}
	if d := cmp.Diff(want, st.Topics[1], cmpModel...); d != "" {
		t.Errorf("read back (-want +got):\n%s", d)
	}
	if d := cmp.Diff(minimal, st.Topics[0], cmpModel...); d != "" {
		t.Errorf("read back minimal (-want +got):\n%s", d)
	}
	if st.Topics[0].Labels == nil {
		t.Error("labels of a topic without labels read as nil, want an empty map")
	}
	got, err := c.GetTopic(ctx, "orders")
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(want, got, cmpModel...); d != "" {
		t.Errorf("GetTopic (-want +got):\n%s", d)
	}
}

func TestSubscriptionRoundTripPstest(t *testing.T) {
	ctx := testCtx(t)
	_, c := startPstest(t)
	for _, id := range []string{"orders", "orders-worker-dlq"} {
		if _, err := c.CreateTopic(ctx, &model.Topic{Name: id}); err != nil {
			t.Fatal(err)
		}
	}
	variants := subVariants()
	i := 0
	for name, want := range variants {
		i++
		want.Name = fmt.Sprintf("sub-%02d", i)
		want.Addr.Name = want.Name
		created, err := c.CreateSubscription(ctx, want)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if d := cmp.Diff(want, created, cmpModel...); d != "" {
			t.Errorf("%s: CreateSubscription result (-want +got):\n%s", name, d)
		}
	}
	// Fields left to the service's defaults read back as the real
	// service's values (pstest itself stores 0 / nil for them).
	if _, err := c.CreateSubscription(ctx, &model.Subscription{
		Name: "defaults", Topic: "orders",
		DeadLetter: &model.DeadLetter{Topic: "orders-worker-dlq"},
	}); err != nil {
		t.Fatal(err)
	}

	st := mustRead(t, ctx, c, ReadOptions{})
	if len(st.Subscriptions) != len(variants)+1 {
		t.Fatalf("read %d subscriptions, want %d", len(st.Subscriptions), len(variants)+1)
	}
	for name, want := range variants {
		got := findSub(st, want.Name)
		if d := cmp.Diff(want, got, cmpModel...); d != "" {
			t.Errorf("%s: read back (-want +got):\n%s", name, d)
		}
	}
	def := findSub(st, "defaults")
	wantDef := &model.Subscription{
		Addr: model.Address{Kind: model.KindSubscription, Name: "defaults"}, Name: "defaults",
		Topic:            full(model.KindTopic, "orders"),
		AckDeadline:      10 * time.Second,
		MessageRetention: 7 * model.Day,
		Expiration:       model.Expiration{TTL: 31 * model.Day},
		DeadLetter:       &model.DeadLetter{Topic: full(model.KindTopic, "orders-worker-dlq"), MaxDeliveryAttempts: 5},
	}
	if d := cmp.Diff(wantDef, def, cmpModel...); d != "" {
		t.Errorf("service defaults (-want +got):\n%s", d)
	}
	for i := 1; i < len(st.Subscriptions); i++ {
		if st.Subscriptions[i-1].Name >= st.Subscriptions[i].Name {
			t.Errorf("subscriptions not sorted: %q before %q", st.Subscriptions[i-1].Name, st.Subscriptions[i].Name)
		}
	}
	got, err := c.GetSubscription(ctx, "defaults")
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(wantDef, got, cmpModel...); d != "" {
		t.Errorf("GetSubscription (-want +got):\n%s", d)
	}
}

func TestSchemaLifecyclePstest(t *testing.T) {
	ctx := testCtx(t)
	_, c := startPstest(t)
	a, err := c.CreateSchema(ctx, &model.Schema{Name: "avro", Type: "AVRO", Definition: avroDef})
	if err != nil {
		t.Fatal(err)
	}
	if a.RevisionID == "" || a.Type != "AVRO" || a.Definition != avroDef || a.Name != "avro" {
		t.Errorf("CreateSchema = %+v", a)
	}
	if _, err := c.CreateSchema(ctx, &model.Schema{Name: "proto", Type: "PROTOCOL_BUFFER", Definition: protoDef}); err != nil {
		t.Fatal(err)
	}
	const avroDef2 = `{"type":"record","name":"Order","fields":[{"name":"id","type":"string"},{"name":"n","type":"int","default":0}]}`
	a2, err := c.CommitSchema(ctx, &model.Schema{Name: "avro", Type: "AVRO", Definition: avroDef2})
	if err != nil {
		t.Fatal(err)
	}
	if a2.RevisionID == "" || a2.RevisionID == a.RevisionID || a2.Definition != avroDef2 {
		t.Errorf("CommitSchema = %+v (first revision %s)", a2, a.RevisionID)
	}
	st := mustRead(t, ctx, c, ReadOptions{})
	if len(st.Schemas) != 2 {
		t.Fatalf("schemas = %v", st.Schemas)
	}
	want := []*model.Schema{
		{Addr: model.Address{Kind: model.KindSchema, Name: "avro"}, Name: "avro", Type: "AVRO", Definition: avroDef2, RevisionID: a2.RevisionID},
		{Addr: model.Address{Kind: model.KindSchema, Name: "proto"}, Name: "proto", Type: "PROTOCOL_BUFFER", Definition: protoDef, RevisionID: st.Schemas[1].RevisionID},
	}
	if d := cmp.Diff(want, st.Schemas, cmpModel...); d != "" {
		t.Errorf("schemas (-want +got):\n%s", d)
	}
	g, err := c.GetSchema(ctx, "avro")
	if err != nil || g.Definition != avroDef2 {
		t.Errorf("GetSchema = %+v, %v", g, err)
	}
	if err := c.DeleteSchema(ctx, "avro"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetSchema(ctx, "avro"); !IsNotFound(err) {
		t.Errorf("GetSchema after delete: %v, want NotFound", err)
	}
	if _, err := c.CreateSchema(ctx, &model.Schema{Name: "x", Type: "XML"}); err == nil || !strings.Contains(err.Error(), "create schema projects/p/schemas/x") {
		t.Errorf("bad type: %v", err)
	}
}

func TestDeletedTopicPstest(t *testing.T) {
	ctx := testCtx(t)
	_, c := startPstest(t)
	if _, err := c.CreateTopic(ctx, &model.Topic{Name: "t"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateSubscription(ctx, &model.Subscription{Name: "s", Topic: "t"}); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteTopic(ctx, "t"); err != nil {
		t.Fatal(err)
	}
	st := mustRead(t, ctx, c, ReadOptions{})
	if len(st.Topics) != 0 || len(st.Subscriptions) != 1 || st.Subscriptions[0].Topic != DeletedTopic {
		t.Errorf("after deleting the topic: topics %v, subscriptions %+v", st.Topics, st.Subscriptions)
	}
	if err := c.DeleteSubscription(ctx, "s"); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteSubscription(ctx, "s"); !IsNotFound(err) {
		t.Errorf("second delete: %v, want NotFound", err)
	}
}

// TestReadOnlyThisProject: pstest lists by string prefix, so project "p"
// would also list "p2"'s resources; Read keeps its own project's only.
func TestReadOnlyThisProject(t *testing.T) {
	ctx := testCtx(t)
	srv, c := startPstest(t)
	c2 := newTestClient(t, srv.Addr, "p2")
	if _, err := c.CreateTopic(ctx, &model.Topic{Name: "mine"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c2.CreateTopic(ctx, &model.Topic{Name: "theirs"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c2.CreateSubscription(ctx, &model.Subscription{Name: "theirs", Topic: "theirs"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c2.CreateSchema(ctx, &model.Schema{Name: "theirs", Type: "AVRO", Definition: avroDef}); err != nil {
		t.Fatal(err)
	}
	st := mustRead(t, ctx, c, ReadOptions{})
	if len(st.Topics) != 1 || st.Topics[0].Name != "mine" || len(st.Subscriptions) != 0 || len(st.Schemas) != 0 {
		t.Errorf("read other projects' resources: topics %v subs %v schemas %v", st.Topics, st.Subscriptions, st.Schemas)
	}
	if st.Project != testProject {
		t.Errorf("Project = %q", st.Project)
	}
}

func TestErrorsNameOperationAndResource(t *testing.T) {
	ctx := testCtx(t)
	_, c := startPstest(t)
	if _, err := c.CreateTopic(ctx, &model.Topic{Name: "t"}); err != nil {
		t.Fatal(err)
	}
	_, err := c.CreateTopic(ctx, &model.Topic{Name: "t"})
	if !IsAlreadyExists(err) {
		t.Fatalf("duplicate create: %v", err)
	}
	if !strings.HasPrefix(err.Error(), "create topic projects/p/topics/t: rpc error: code = AlreadyExists") {
		t.Errorf("message %q", err.Error())
	}
	if s, ok := status.FromError(err); !ok || s.Code() != codes.AlreadyExists || !strings.HasPrefix(s.Message(), "create topic projects/p/topics/t") {
		t.Errorf("status.FromError = %v, %v", s, ok)
	}
	if status.Code(err) != codes.AlreadyExists {
		t.Errorf("status.Code = %v", status.Code(err))
	}
	var e *Error
	if !errors.As(err, &e) || e.Op != "create topic" || e.Resource != "projects/p/topics/t" {
		t.Errorf("errors.As: %+v", e)
	}

	type errCase struct {
		err  error
		want string
		code codes.Code
	}
	var cases []errCase
	_, err = c.GetTopic(ctx, "missing")
	cases = append(cases, errCase{err, "get topic projects/p/topics/missing: ", codes.NotFound})
	_, err = c.GetSubscription(ctx, "missing")
	cases = append(cases, errCase{err, "get subscription projects/p/subscriptions/missing: ", codes.NotFound})
	_, err = c.CreateSubscription(ctx, &model.Subscription{Name: "s", Topic: "missing"})
	cases = append(cases, errCase{err, "create subscription projects/p/subscriptions/s: ", codes.NotFound})
	err = c.DeleteTopic(ctx, "missing")
	cases = append(cases, errCase{err, "delete topic projects/p/topics/missing: ", codes.NotFound})
	_, err = c.UpdateTopic(ctx, &model.Topic{Name: "missing"}, []string{"labels"})
	cases = append(cases, errCase{err, "update topic projects/p/topics/missing: ", codes.NotFound})
	for _, tc := range cases {
		if tc.err == nil || !strings.HasPrefix(tc.err.Error(), tc.want) || Code(tc.err) != tc.code {
			t.Errorf("error %v: want prefix %q and code %v", tc.err, tc.want, tc.code)
		}
	}
	if Code(nil) != codes.OK || Code(context.Canceled) != codes.Canceled || Code(errors.New("x")) != codes.Unknown {
		t.Error("Code of non-status errors")
	}
}

func TestProjectNumberOnEmulator(t *testing.T) {
	_, c := startPstest(t)
	_, err := c.ProjectNumber(testCtx(t))
	if err == nil || !strings.Contains(err.Error(), "project_number") {
		t.Errorf("ProjectNumber on an emulator: %v", err)
	}
}

func TestErrorText(t *testing.T) {
	e := &Error{Op: "create subscription", Resource: "projects/p/subscriptions/s",
		Err: status.Error(codes.AlreadyExists, "exists"), Retried: []codes.Code{codes.Unavailable}}
	want := "create subscription projects/p/subscriptions/s: rpc error: code = AlreadyExists desc = exists " +
		"(after 1 retries; an earlier attempt may have created it)"
	if e.Error() != want {
		t.Errorf("got  %q\nwant %q", e.Error(), want)
	}
	if !IsAlreadyExists(e) || status.Code(e) != codes.AlreadyExists {
		t.Error("code lost")
	}
	local := &Error{Op: "update topic", Resource: "projects/p/topics/t", Err: errors.New("no fields")}
	if Code(local) != codes.Unknown || Classify(local) != Permanent {
		t.Errorf("local error: code %v, outcome %v", Code(local), Classify(local))
	}
}
