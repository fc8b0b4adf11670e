package emulator

import (
	"bytes"
	"slices"
	"testing"

	iampb "cloud.google.com/go/iam/apiv1/iampb"
	"cloud.google.com/go/pubsub/v2"
	pb "cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"
	"google.golang.org/genproto/googleapis/type/expr"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

func TestIAMUnimplementedInBarePstest(t *testing.T) {
	c := dial(t, startBare(t))
	ctx := ctxT(t)
	if err := mkTopic(topic)(ctx, c); err != nil {
		t.Fatal(err)
	}
	if _, err := c.iam.GetIamPolicy(ctx, &iampb.GetIamPolicyRequest{Resource: topic}); status.Code(err) != codes.Unimplemented {
		t.Errorf("bare pstest GetIamPolicy: %v; the gap this test documents is gone", err)
	}
	e := dial(t, startEmu(t).Addr())
	if err := mkTopic(topic)(ctx, e); err != nil {
		t.Fatal(err)
	}
	if _, err := e.iam.GetIamPolicy(ctx, &iampb.GetIamPolicyRequest{Resource: topic}); err != nil {
		t.Errorf("emulator GetIamPolicy: %v", err)
	}
}

func TestIAMReadModifyWrite(t *testing.T) {
	s := startEmu(t)
	ctx := ctxT(t)
	client, err := pubsub.NewClient(ctx, "p", s.ClientOptions()...)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	tc := client.TopicAdminClient
	if _, err := tc.CreateTopic(ctx, &pb.Topic{Name: topic}); err != nil {
		t.Fatal(err)
	}

	p0, err := tc.GetIamPolicy(ctx, &iampb.GetIamPolicyRequest{Resource: topic, Options: &iampb.GetPolicyOptions{RequestedPolicyVersion: 3}})
	if err != nil {
		t.Fatal(err)
	}
	if len(p0.Bindings) != 0 || len(p0.Etag) == 0 || p0.Version != 1 {
		t.Fatalf("initial policy = %v, want empty, version 1, with an etag", p0)
	}

	p0.Bindings = []*iampb.Binding{
		{Role: "roles/pubsub.publisher", Members: []string{"serviceAccount:b@p.iam.gserviceaccount.com", "user:a@example.com"}},
		{Role: "roles/pubsub.publisher", Members: []string{"user:a@example.com"}}, // merged and deduplicated
	}
	p1, err := tc.SetIamPolicy(ctx, &iampb.SetIamPolicyRequest{Resource: topic, Policy: p0})
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(p1.Etag, p0.Etag) {
		t.Error("etag unchanged by SetIamPolicy")
	}
	if len(p1.Bindings) != 1 || len(p1.Bindings[0].Members) != 2 || p1.Version != 1 {
		t.Errorf("stored policy = %v", p1)
	}
	got, err := tc.GetIamPolicy(ctx, &iampb.GetIamPolicyRequest{Resource: topic})
	if err != nil || !bytes.Equal(got.Etag, p1.Etag) || len(got.Bindings) != 1 {
		t.Fatalf("Get after Set = %v, %v", got, err)
	}

	// A stale etag is a concurrent change.
	_, err = tc.SetIamPolicy(ctx, &iampb.SetIamPolicyRequest{Resource: topic, Policy: p0})
	if st, _ := status.FromError(err); st.Code() != codes.Aborted || st.Message() != ConcurrentPolicyChangeMessage {
		t.Errorf("stale etag: %v, want Aborted %q", err, ConcurrentPolicyChangeMessage)
	}
	// No etag is a blind overwrite, with a fresh etag.
	p2, err := tc.SetIamPolicy(ctx, &iampb.SetIamPolicyRequest{Resource: topic, Policy: &iampb.Policy{
		Bindings: []*iampb.Binding{{Role: "roles/pubsub.viewer", Members: []string{"allUsers"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(p2.Etag, p1.Etag) || len(p2.Bindings) != 1 || p2.Bindings[0].Role != "roles/pubsub.viewer" {
		t.Errorf("blind overwrite = %v", p2)
	}

	// Deleting the topic drops the policy: a namesake starts empty.
	if err := tc.DeleteTopic(ctx, &pb.DeleteTopicRequest{Topic: topic}); err != nil {
		t.Fatal(err)
	}
	if _, err := tc.GetIamPolicy(ctx, &iampb.GetIamPolicyRequest{Resource: topic}); status.Code(err) != codes.NotFound {
		t.Errorf("GetIamPolicy of a deleted topic: %v, want NotFound", err)
	}
	if _, err := tc.CreateTopic(ctx, &pb.Topic{Name: topic}); err != nil {
		t.Fatal(err)
	}
	p3, err := tc.GetIamPolicy(ctx, &iampb.GetIamPolicyRequest{Resource: topic})
	if err != nil || len(p3.Bindings) != 0 {
		t.Errorf("recreated topic policy = %v, %v; want empty", p3, err)
	}
}

func TestIAMResourcesAndValidation(t *testing.T) {
	s := startEmu(t)
	c := dial(t, s.Addr())
	ctx := ctxT(t)
	schema := proj + "/schemas/schema-1"
	if err := mkTopicSub()(ctx, c); err != nil {
		t.Fatal(err)
	}
	if err := mkSchema(schema)(ctx, c); err != nil {
		t.Fatal(err)
	}
	set := func(resource string, b ...*iampb.Binding) error {
		_, err := c.iam.SetIamPolicy(ctx, &iampb.SetIamPolicyRequest{Resource: resource, Policy: &iampb.Policy{Bindings: b}})
		return err
	}
	bind := func(role string, members ...string) *iampb.Binding {
		return &iampb.Binding{Role: role, Members: members}
	}

	for _, res := range []string{topic, sub, schema} {
		if err := set(res, bind("roles/pubsub.subscriber", "group:g@example.com")); err != nil {
			t.Errorf("SetIamPolicy(%s): %v", res, err)
		}
	}
	for _, res := range []string{proj + "/topics/missing", proj + "/subscriptions/missing", proj + "/schemas/missing", proj + "/snapshots/missing"} {
		if _, err := c.iam.GetIamPolicy(ctx, &iampb.GetIamPolicyRequest{Resource: res}); status.Code(err) != codes.NotFound {
			t.Errorf("GetIamPolicy(%s): %v, want NotFound", res, err)
		}
		if err := set(res, bind("roles/pubsub.viewer", "allUsers")); status.Code(err) != codes.NotFound {
			t.Errorf("SetIamPolicy(%s): %v, want NotFound", res, err)
		}
	}
	if _, err := c.iam.GetIamPolicy(ctx, &iampb.GetIamPolicyRequest{Resource: "projects/p/buckets/b"}); status.Code(err) != codes.InvalidArgument {
		t.Errorf("GetIamPolicy of a foreign resource: %v, want InvalidArgument", err)
	}

	validMembers := []string{
		"user:a@example.com", "serviceAccount:x@p.iam.gserviceaccount.com", "group:g@example.com", "domain:example.com",
		"allUsers", "allAuthenticatedUsers", "deleted:user:a@example.com?uid=123456",
		"principal://iam.googleapis.com/locations/global/workforcePools/pool/subject/sub",
		"principalSet://iam.googleapis.com/locations/global/workforcePools/pool/group/g",
		"principal://iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/pool/subject/s",
		"principalSet://iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/pool/attribute.env/prod",
		"principalSet://iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/pool/*",
	}
	for _, m := range validMembers {
		if err := set(topic, bind("roles/pubsub.viewer", m)); err != nil {
			t.Errorf("member %q rejected: %v", m, err)
		}
	}
	for _, m := range []string{"a@example.com", "user:", "user:nobody", "allusers", "robot:x@example.com", "domain:", "deleted:user:a@example.com", "principal://example.com/x"} {
		if err := set(topic, bind("roles/pubsub.viewer", m)); status.Code(err) != codes.InvalidArgument {
			t.Errorf("member %q: %v, want InvalidArgument", m, err)
		}
	}
	for _, r := range []string{"roles/pubsub.admin", "projects/p/roles/custom", "organizations/123/roles/custom_2"} {
		if err := set(topic, bind(r, "allUsers")); err != nil {
			t.Errorf("role %q rejected: %v", r, err)
		}
	}
	for _, r := range []string{"", "pubsub.admin", "roles/", "roles/a/b", "folders/1/roles/x"} {
		if err := set(topic, bind(r, "allUsers")); status.Code(err) != codes.InvalidArgument {
			t.Errorf("role %q: %v, want InvalidArgument", r, err)
		}
	}
	cond := bind("roles/pubsub.viewer", "allUsers")
	cond.Condition = &expr.Expr{Expression: "request.time < timestamp('2030-01-01T00:00:00Z')", Title: "t"}
	if err := set(topic, cond); status.Code(err) != codes.InvalidArgument {
		t.Errorf("conditional binding: %v, want InvalidArgument", err)
	}
	if _, err := c.iam.SetIamPolicy(ctx, &iampb.SetIamPolicyRequest{Resource: topic}); status.Code(err) != codes.InvalidArgument {
		t.Errorf("nil policy: %v, want InvalidArgument", err)
	}

	// TestIamPermissions.
	perms := []string{"pubsub.topics.publish", "pubsub.topics.get", "storage.buckets.get"}
	r, err := c.iam.TestIamPermissions(ctx, &iampb.TestIamPermissionsRequest{Resource: topic, Permissions: perms})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(r.Permissions, perms[:2]) {
		t.Errorf("TestIamPermissions = %v, want the pubsub ones", r.Permissions)
	}
	r, err = c.iam.TestIamPermissions(ctx, &iampb.TestIamPermissionsRequest{Resource: proj + "/topics/missing", Permissions: perms})
	if err != nil || len(r.Permissions) != 0 {
		t.Errorf("TestIamPermissions on a missing topic = %v, %v; want an empty set", r, err)
	}
	if _, err := c.iam.TestIamPermissions(ctx, &iampb.TestIamPermissionsRequest{Resource: topic, Permissions: []string{"pubsub.*"}}); status.Code(err) != codes.InvalidArgument {
		t.Errorf("wildcard permission: %v, want InvalidArgument", err)
	}

	// Deleting a subscription and a schema drops their policies too.
	if _, err := c.sub.DeleteSubscription(ctx, &pb.DeleteSubscriptionRequest{Subscription: sub}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.sch.DeleteSchema(ctx, &pb.DeleteSchemaRequest{Name: schema}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.sub.CreateSubscription(ctx, &pb.Subscription{Name: sub, Topic: topic}); err != nil {
		t.Fatal(err)
	}
	if err := mkSchema(schema)(ctx, c); err != nil {
		t.Fatal(err)
	}
	for _, res := range []string{sub, schema} {
		p, err := c.iam.GetIamPolicy(ctx, &iampb.GetIamPolicyRequest{Resource: res})
		if err != nil || len(p.Bindings) != 0 {
			t.Errorf("recreated %s policy = %v, %v; want empty", res, p, err)
		}
	}
}

// iamRoleCases check SetIamPolicy's role names: case-sensitive, a predefined
// role is roles/ then a lower-case service name and dotted segments. The
// accepted roles are every role the repository's tests, test data and
// examples grant.
func iamRoleCases() []conformanceCase {
	refused := []struct{ role, want string }{
		{"roles/Editor", `role names are case-sensitive; did you mean "roles/editor"?`},
		{"roles/OWNER", `did you mean "roles/owner"?`},
		{"roles/Viewer", `did you mean "roles/viewer"?`},
		{"roles/pubsub.Publisher", `did you mean "roles/pubsub.publisher"?`},
		{"roles/PubSub.subscriber", `did you mean "roles/pubsub.subscriber"?`},
		{"roles/Pubsub.viewer", `did you mean "roles/pubsub.viewer"?`},
		{"roles/pubsub.Admin", `did you mean "roles/pubsub.admin"?`},
		{"roles/Unknown.role", "lower-case service name"},
		{"roles/IAM.serviceAccountUser", "lower-case service name"},
		{"roles/Custom", "lower-case service name"},
		{"roles/pubsub..publisher", "lower-case service name"},
		{"roles/pubsub-publisher", "want roles/NAME"},
	}
	accepted := []string{
		"roles/owner", "roles/editor", "roles/viewer", "roles/browser",
		"roles/pubsub.admin", "roles/pubsub.editor", "roles/pubsub.publisher",
		"roles/pubsub.subscriber", "roles/pubsub.viewer", "roles/pubsub.serviceAgent",
		"roles/iam.serviceAccountUser", "roles/iam.serviceAccountTokenCreator",
		"roles/run.invoker", "roles/cloudkms.cryptoKeyEncrypterDecrypter",
		"roles/bigquery.dataEditor", "roles/storage.objectCreator",
		"roles/cloudbuild.builds.builder", "roles/composer.ServiceAgentV2Ext",
		"projects/demo-project/roles/orderAuditor", "projects/demo-project/roles/MyRole",
		"projects/demo-project/roles/custom_1", "projects/example.com:legacy-proj/roles/custom_role.v2",
		"organizations/123456789012/roles/auditor", "organizations/42/roles/x.y",
	}
	var cases []conformanceCase
	for _, r := range refused {
		cases = append(cases, conformanceCase{name: "role " + r.role + " refused", setup: mkTopic(topic),
			run:  setPolicy(&iampb.Binding{Role: r.role, Members: []string{"group:g@example.com"}}),
			want: invalidWith(`Invalid role "`+r.role+`"`, r.want)})
	}
	for _, r := range accepted {
		cases = append(cases, conformanceCase{name: "role " + r + " accepted", setup: mkTopic(topic),
			run:  setPolicy(&iampb.Binding{Role: r, Members: []string{"group:g@example.com"}}),
			want: wantOK[*iampb.Policy](nil)})
	}
	return cases
}

func TestIAMRoleNames(t *testing.T) {
	runConformance(t, iamRoleCases())
}
