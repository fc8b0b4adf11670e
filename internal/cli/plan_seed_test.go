package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	iampb "cloud.google.com/go/iam/apiv1/iampb"
	"cloud.google.com/go/pubsub/v2"
	apiv1 "cloud.google.com/go/pubsub/v2/apiv1"
	pb "cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"
	"google.golang.org/api/option"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/pubsubctl/pubsubctl/internal/cli"
	"github.com/pubsubctl/pubsubctl/internal/emulator"
	"github.com/pubsubctl/pubsubctl/internal/emulator/emutest"
)

// The shop's resources, seeded through the Pub/Sub admin API exactly as
// examples/shop describes them (with pubsubctl's defaults spelled out by
// hand), without going through pubsubctl's apply or its live package.
const (
	shopProject = "demo-project"
	shopParent  = "projects/" + shopProject
	shopAgent   = "serviceAccount:service-123456789012@gcp-sa-pubsub.iam.gserviceaccount.com"
	shopRoleSub = "roles/pubsub.subscriber"
	shopRolePub = "roles/pubsub.publisher"
)

func shopTopic(id string) string { return shopParent + "/topics/" + id }
func shopSub(id string) string   { return shopParent + "/subscriptions/" + id }

func shopLabels(extra ...string) map[string]string {
	l := map[string]string{"managed-by": "pubsubctl", "pubsubctl-stack": "shop"}
	for i := 0; i+1 < len(extra); i += 2 {
		l[extra[i]] = extra[i+1]
	}
	return l
}

func secs(n int64) *durationpb.Duration { return &durationpb.Duration{Seconds: n} }

// seedShop creates examples/shop's resources and IAM on the emulator at
// addr through the admin clients.
func seedShop(t testing.TB, addr string) {
	t.Helper()
	ctx := context.Background()
	opts := []option.ClientOption{
		option.WithEndpoint(addr), option.WithoutAuthentication(),
		option.WithGRPCDialOption(grpc.WithTransportCredentials(insecure.NewCredentials())),
	}
	c, err := pubsub.NewClient(ctx, shopProject, opts...)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	sc, err := apiv1.NewSchemaClient(ctx, opts...)
	if err != nil {
		t.Fatal(err)
	}
	defer sc.Close()
	def, err := os.ReadFile(filepath.Join("..", "..", "examples", "shop", "schemas", "order.avsc"))
	if err != nil {
		t.Fatal(err)
	}
	check := func(what string, err error) {
		t.Helper()
		if status.Code(err) == codes.Unimplemented && strings.HasPrefix(what, "IAM") {
			return // the official emulator has no IAM
		}
		if err != nil {
			t.Fatalf("seed %s: %v", what, err)
		}
	}
	_, err = sc.CreateSchema(ctx, &pb.CreateSchemaRequest{Parent: shopParent, SchemaId: "order",
		Schema: &pb.Schema{Type: pb.Schema_AVRO, Definition: string(def)}})
	check("schema", err)

	tc, subc := c.TopicAdminClient, c.SubscriptionAdminClient
	_, err = tc.CreateTopic(ctx, &pb.Topic{
		Name:                     shopTopic("orders"),
		Labels:                   shopLabels("team", "checkout"),
		MessageRetentionDuration: secs(24 * 3600),
		SchemaSettings:           &pb.SchemaSettings{Schema: shopParent + "/schemas/order", Encoding: pb.Encoding_JSON},
	})
	check("topic orders", err)

	// A subscription with a dead-letter topic gets <sub>-dlq (topic and
	// subscription), backoff 10s..600s, never-expire and a 60s deadline.
	dlqSubs := []struct{ id, filter, member string }{
		{"orders-billing", `attributes.event_type = "order.placed"`, "serviceAccount:billing@demo-project.iam.gserviceaccount.com"},
		{"orders-audit-eu", `attributes.region = "eu"`, "serviceAccount:auditor@demo-project.iam.gserviceaccount.com"},
		{"orders-audit-us", `attributes.region = "us"`, "serviceAccount:auditor@demo-project.iam.gserviceaccount.com"},
	}
	for _, s := range dlqSubs {
		dlq := s.id + "-dlq"
		_, err = tc.CreateTopic(ctx, &pb.Topic{Name: shopTopic(dlq), Labels: shopLabels()})
		check("topic "+dlq, err)
		// The dead-letter subscription: retention left to the service's
		// default (7 days), as pubsubctl's default is the same.
		_, err = subc.CreateSubscription(ctx, &pb.Subscription{
			Name: shopSub(dlq), Topic: shopTopic(dlq), Labels: shopLabels(),
			AckDeadlineSeconds: 60, ExpirationPolicy: &pb.ExpirationPolicy{},
		})
		check("subscription "+dlq, err)
		labels := shopLabels()
		if s.id == "orders-billing" {
			labels = shopLabels("team", "checkout", "consumer", "billing")
		}
		_, err = subc.CreateSubscription(ctx, &pb.Subscription{
			Name: shopSub(s.id), Topic: shopTopic("orders"), Labels: labels,
			Filter:                   s.filter,
			EnableMessageOrdering:    s.id == "orders-billing",
			AckDeadlineSeconds:       60,
			MessageRetentionDuration: secs(7 * 24 * 3600),
			ExpirationPolicy:         &pb.ExpirationPolicy{},
			RetryPolicy:              &pb.RetryPolicy{MinimumBackoff: secs(10), MaximumBackoff: secs(600)},
			DeadLetterPolicy:         &pb.DeadLetterPolicy{DeadLetterTopic: shopTopic(dlq), MaxDeliveryAttempts: 10},
		})
		check("subscription "+s.id, err)
		// IAM: members in an order other than pubsubctl's, which must not matter.
		_, err = subc.SetIamPolicy(ctx, &iampb.SetIamPolicyRequest{Resource: shopSub(s.id), Policy: &iampb.Policy{
			Bindings: []*iampb.Binding{{Role: shopRoleSub, Members: []string{shopAgent, s.member}}},
		}})
		check("IAM of subscription "+s.id, err)
		_, err = tc.SetIamPolicy(ctx, &iampb.SetIamPolicyRequest{Resource: shopTopic(dlq), Policy: &iampb.Policy{
			Bindings: []*iampb.Binding{{Role: shopRolePub, Members: []string{shopAgent}}},
		}})
		check("IAM of topic "+dlq, err)
	}
	_, err = subc.CreateSubscription(ctx, &pb.Subscription{
		Name: shopSub("orders-push"), Topic: shopTopic("orders"), Labels: shopLabels(),
		AckDeadlineSeconds:       60,
		MessageRetentionDuration: secs(7 * 24 * 3600),
		ExpirationPolicy:         &pb.ExpirationPolicy{},
		RetryPolicy:              &pb.RetryPolicy{MinimumBackoff: secs(10), MaximumBackoff: secs(600)},
		PushConfig: &pb.PushConfig{
			PushEndpoint: "https://fulfilment.example.com/pubsub",
			// Real Pub/Sub reports this attribute although nobody set it.
			Attributes: map[string]string{"x-goog-version": "v1"},
			AuthenticationMethod: &pb.PushConfig_OidcToken_{OidcToken: &pb.PushConfig_OidcToken{
				ServiceAccountEmail: "push-invoker@demo-project.iam.gserviceaccount.com",
				Audience:            "https://fulfilment.example.com",
			}},
		},
	})
	check("subscription orders-push", err)
	_, err = tc.SetIamPolicy(ctx, &iampb.SetIamPolicyRequest{Resource: shopTopic("orders"), Policy: &iampb.Policy{
		Bindings: []*iampb.Binding{{Role: shopRolePub, Members: []string{"serviceAccount:checkout@demo-project.iam.gserviceaccount.com"}}},
	}})
	check("IAM of topic orders", err)
}

// startSeededShop starts an embedded emulator holding examples/shop.
func startSeededShop(t *testing.T) *emulator.Server {
	t.Helper()
	srv, err := emulator.Start(context.Background(), emulator.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	seedShop(t, srv.Addr())
	return srv
}

// runCLI runs pubsubctl against the emulator at addr.
func runCLI(t *testing.T, addr string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	env := []string{"PUBSUB_EMULATOR_HOST=" + addr, "NO_COLOR=1"}
	code = cli.Main(context.Background(), args, env, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

// copyShop copies examples/shop into a temporary directory, applying each
// edit (in file: old → new, old must occur exactly once).
func copyShop(t *testing.T, edits ...shopEdit) string {
	t.Helper()
	src := filepath.Join("..", "..", "examples", "shop")
	dst := t.TempDir()
	files := map[string]string{}
	for _, f := range []string{"main.hcl", "schemas/order.avsc"} {
		b, err := os.ReadFile(filepath.Join(src, f))
		if err != nil {
			t.Fatal(err)
		}
		files[f] = string(b)
	}
	for _, e := range edits {
		file := e.file
		if file == "" {
			file = "main.hcl"
		}
		if n := strings.Count(files[file], e.old); n != 1 {
			t.Fatalf("edit of %s: %q occurs %d times, want once", file, e.old, n)
		}
		files[file] = strings.Replace(files[file], e.old, e.new, 1)
	}
	for f, content := range files {
		p := filepath.Join(dst, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

type shopEdit struct{ file, old, new string }

// jsonPlanOut is the part of the JSON plan the tests look at.
type jsonPlanOut struct {
	IAMSupported bool `json:"iam_supported"`
	HasChanges   bool `json:"has_changes"`
	Summary      struct {
		Unchanged int `json:"unchanged"`
	} `json:"summary"`
	Changes []struct {
		Address        string   `json:"address"`
		Action         string   `json:"action"`
		ReplaceReasons []string `json:"replace_reasons"`
		NewRevision    bool     `json:"new_revision"`
		Fields         []struct {
			Path          string `json:"path"`
			Before        any    `json:"before"`
			After         any    `json:"after"`
			ForcesReplace bool   `json:"forces_replace"`
		} `json:"fields"`
	} `json:"changes"`
	IAM []struct {
		Address string `json:"address"`
		Members []struct {
			Role   string `json:"role"`
			Member string `json:"member"`
			Action string `json:"action"`
		} `json:"members"`
	} `json:"iam"`
	Unmanaged []struct {
		Address string `json:"address"`
	} `json:"unmanaged"`
	Warnings []string `json:"warnings"`
}

// TestPlanSeededShopNoChanges: resources created through the API exactly
// as examples/shop describes give "No changes" and exit 0.
func TestPlanSeededShopNoChanges(t *testing.T) {
	srv := startSeededShop(t)
	dir := filepath.Join("..", "..", "examples", "shop")
	code, out, errOut := runCLI(t, srv.Addr(), "plan", "--detailed-exitcode", dir)
	if code != 0 || !strings.Contains(out, "No changes.") {
		t.Fatalf("exit %d, want 0 and No changes\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	code, out, errOut = runCLI(t, srv.Addr(), "plan", "--json", "--detailed-exitcode", dir)
	if code != 0 {
		t.Fatalf("--json: exit %d\n%s%s", code, out, errOut)
	}
	var p jsonPlanOut
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		t.Fatal(err)
	}
	// IAM was really compared (the embedded emulator supports it), and all
	// 12 resources were found unchanged.
	if !p.IAMSupported || p.HasChanges || p.Summary.Unchanged != 12 || len(p.Unmanaged) != 0 || len(p.Warnings) != 0 {
		t.Errorf("plan = %+v", p)
	}
}

// TestPlanSeededShopNoChangesOfficial: the same against Google's official
// emulator, where installed; it has no IAM, which the plan says once.
func TestPlanSeededShopNoChangesOfficial(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the official emulator")
	}
	if _, err := emutest.FindOfficialLauncher(); err != nil {
		t.Skipf("official emulator not installed: %v", err)
	}
	addr, stop, err := emutest.StartOfficialProcess()
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := stop(); err != nil {
			t.Error(err)
		}
	}()
	seedShop(t, addr)
	dir := filepath.Join("..", "..", "examples", "shop")
	code, out, errOut := runCLI(t, addr, "plan", "--detailed-exitcode", dir)
	if code != 0 || !strings.Contains(out, "No changes.") || !strings.Contains(out, "IAM is not supported") {
		t.Fatalf("exit %d, want 0, No changes and an IAM warning\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	// A field change still shows, with exit 2.
	code, out, _ = runCLI(t, addr, "plan", "--detailed-exitcode", copyShop(t, shopEdit{"", `message_retention = "24h"`, `message_retention = "48h"`}))
	if code != 2 || !strings.Contains(out, `message_retention = "1d" -> "2d"`) {
		t.Errorf("exit %d\n%s", code, out)
	}
}

// TestPlanSeededShopFieldChanges: every change of a field of examples/shop
// gives the matching update or replace, and exit 2.
func TestPlanSeededShopFieldChanges(t *testing.T) {
	srv := startSeededShop(t)
	type want struct {
		addr, action, path string // a resource change; path "" when any
		reason             string // for a replace: a substring of its reasons
	}
	type wantIAM struct{ addr, action, member string }
	cases := []struct {
		name  string
		edits []shopEdit
		want  []want
		iam   []wantIAM
	}{
		{name: "project variable", edits: []shopEdit{{"", `default     = "demo-project"`, `default     = "demo-project2"`}},
			want: []want{{"topic.orders", "create", "", ""}, {`subscription.orders-audit["eu"]`, "create", "", ""}}},
		{name: "project number", edits: []shopEdit{{"", `"123456789012"`, `"210987654321"`}},
			iam: []wantIAM{{"topic.orders-billing-dlq", "add", "serviceAccount:service-210987654321@gcp-sa-pubsub.iam.gserviceaccount.com"},
				{"subscription.orders-billing", "add", "serviceAccount:service-210987654321@gcp-sa-pubsub.iam.gserviceaccount.com"},
				// subscribers makes roles/pubsub.subscriber authoritative there;
				// the dead-letter topics' grants are additive (iam.Desired).
				{"subscription.orders-billing", "remove", shopAgent}}},
		{name: "defaults ack_deadline", edits: []shopEdit{{"", `ack_deadline = "60s"`, `ack_deadline = "90s"`}},
			want: []want{{"subscription.orders-billing", "update", "ack_deadline", ""}, {"subscription.orders-push", "update", "ack_deadline", ""}}},
		{name: "defaults max_delivery_attempts", edits: []shopEdit{{"", `max_delivery_attempts = 10`, `max_delivery_attempts = 7`}},
			want: []want{{"subscription.orders-billing", "update", "dead_letter.max_delivery_attempts", ""}}},
		{name: "schema type", edits: []shopEdit{{"", `type       = "AVRO"`, `type       = "PROTOCOL_BUFFER"`},
			{"schemas/order.avsc", string(mustRead(t, "schemas/order.avsc")), "syntax = \"proto3\";\nmessage Order { string order_id = 1; }\n"}},
			want: []want{{"schema.order", "replace", "type", "type cannot be changed in place"}}},
		{name: "schema definition", edits: []shopEdit{{"schemas/order.avsc", `{"name": "region", "type": "string"},`, `{"name": "region", "type": "string"}, {"name": "channel", "type": "string"},`}},
			want: []want{{"schema.order", "update", "definition", ""}}},
		{name: "topic labels", edits: []shopEdit{{"", `team     = { team = "checkout" }`, `team     = { team = "payments" }`}},
			want: []want{{"topic.orders", "update", "labels.team", ""}, {"subscription.orders-billing", "update", "labels.team", ""}}},
		{name: "topic message_retention", edits: []shopEdit{{"", `message_retention = "24h"`, `message_retention = "48h"`}},
			want: []want{{"topic.orders", "update", "message_retention", ""}}},
		{name: "topic schema encoding", edits: []shopEdit{{"", `encoding = "JSON"`, `encoding = "BINARY"`}},
			want: []want{{"topic.orders", "update", "schema.encoding", ""}}},
		{name: "topic schema name", edits: []shopEdit{
			{"", `schema "order" {`, "schema \"order2\" {\n  type       = \"AVRO\"\n  definition = file(\"schemas/order.avsc\")\n}\n\nschema \"order\" {"},
			{"", `name     = schema.order`, `name     = schema.order2`}},
			want: []want{{"schema.order2", "create", "", ""}, {"topic.orders", "update", "schema.name", ""}}},
		{name: "topic publishers", edits: []shopEdit{{"", `publishers = [local.checkout]`, `publishers = [local.billing]`}},
			iam: []wantIAM{{"topic.orders", "add", "serviceAccount:billing@demo-project.iam.gserviceaccount.com"},
				{"topic.orders", "remove", "serviceAccount:checkout@demo-project.iam.gserviceaccount.com"}}},
		{name: "subscription topic", edits: []shopEdit{
			{"", `subscription "orders-billing" {
  topic                   = topic.orders`, "topic \"orders-v2\" {}\n\nsubscription \"orders-billing\" {\n  topic                   = topic.orders-v2"}},
			want: []want{{"topic.orders-v2", "create", "", ""}, {"subscription.orders-billing", "replace", "topic", "topic cannot be changed in place"}}},
		{name: "subscription filter", edits: []shopEdit{{"", `\"order.placed\"`, `\"order.paid\"`}},
			want: []want{{"subscription.orders-billing", "replace", "filter", "filter cannot be changed in place"}}},
		{name: "subscription enable_message_ordering", edits: []shopEdit{{"", `enable_message_ordering = true`, `enable_message_ordering = false`}},
			want: []want{{"subscription.orders-billing", "replace", "enable_message_ordering", "enable_message_ordering cannot be changed in place"}}},
		{name: "subscription subscribers", edits: []shopEdit{{"", `subscribers             = [local.billing]`, `subscribers             = [local.auditor]`}},
			iam: []wantIAM{{"subscription.orders-billing", "add", "serviceAccount:auditor@demo-project.iam.gserviceaccount.com"},
				{"subscription.orders-billing", "remove", "serviceAccount:billing@demo-project.iam.gserviceaccount.com"}}},
		{name: "subscription labels", edits: []shopEdit{{"", `{ consumer = "billing" }`, `{ consumer = "invoicing" }`}},
			want: []want{{"subscription.orders-billing", "update", "labels.consumer", ""}}},
		{name: "push endpoint", edits: []shopEdit{{"", `endpoint = "https://fulfilment.example.com/pubsub"`, `endpoint = "https://fulfilment.example.com/v2/pubsub"`}},
			want: []want{{"subscription.orders-push", "update", "push.endpoint", ""}}},
		{name: "push oidc service_account", edits: []shopEdit{{"", `service_account = "push-invoker@`, `service_account = "push-caller@`}},
			want: []want{{"subscription.orders-push", "update", "push.oidc.service_account", ""}}},
		{name: "push oidc audience", edits: []shopEdit{{"", `audience        = "https://fulfilment.example.com"`, `audience        = "https://fulfilment.example.com/aud"`}},
			want: []want{{"subscription.orders-push", "update", "push.oidc.audience", ""}}},
		{name: "push dead_letter enabled", edits: []shopEdit{{"", `enabled = false
    reason  = "fulfilment retries on its side and keeps its own failure queue"`, `enabled = true`}},
			want: []want{{"subscription.orders-push", "update", "dead_letter.topic", ""}, {"topic.orders-push-dlq", "create", "", ""}, {"subscription.orders-push-dlq", "create", "", ""}}},
		{name: "regions", edits: []shopEdit{{"", `default     = ["eu", "us"]`, `default     = ["eu", "us", "ap"]`}},
			want: []want{{`subscription.orders-audit["ap"]`, "create", "", ""}, {"topic.orders-audit-ap-dlq", "create", "", ""}}},
		{name: "audit name", edits: []shopEdit{{"", `name        = "orders-audit-${each.key}"`, `name        = "audit-${each.key}"`}},
			want: []want{{`subscription.orders-audit["eu"]`, "create", "", ""}, {"subscription.orders-audit-eu", "delete", "", ""}}},
		{name: "audit filter", edits: []shopEdit{{"", `filter      = "attributes.region = \"${each.key}\""`, `filter      = "attributes.zone = \"${each.key}\""`}},
			want: []want{{`subscription.orders-audit["eu"]`, "replace", "filter", "filter cannot be changed in place"}, {`subscription.orders-audit["us"]`, "replace", "filter", ""}}},
		{name: "audit subscribers", edits: []shopEdit{{"", `subscribers = [local.auditor]`, `subscribers = [local.auditor, local.billing]`}},
			iam: []wantIAM{{`subscription.orders-audit["eu"]`, "add", "serviceAccount:billing@demo-project.iam.gserviceaccount.com"}}},
		{name: "subscription ack_deadline set", edits: []shopEdit{{"", `  topic = topic.orders
  push {`, `  topic = topic.orders
  ack_deadline = "2m"
  push {`}},
			want: []want{{"subscription.orders-push", "update", "ack_deadline", ""}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := copyShop(t, tc.edits...)
			code, out, errOut := runCLI(t, srv.Addr(), "plan", "--json", "--detailed-exitcode", dir)
			if code != 2 {
				t.Fatalf("exit %d, want 2\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
			}
			var p jsonPlanOut
			if err := json.Unmarshal([]byte(out), &p); err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			for _, w := range tc.want {
				found := false
				for _, ch := range p.Changes {
					if ch.Address != w.addr {
						continue
					}
					found = true
					if ch.Action != w.action {
						t.Errorf("%s: action %s, want %s", w.addr, ch.Action, w.action)
					}
					if w.path != "" {
						hasPath := false
						for _, f := range ch.Fields {
							hasPath = hasPath || f.Path == w.path
						}
						if !hasPath {
							t.Errorf("%s: fields %+v lack %s", w.addr, ch.Fields, w.path)
						}
					}
					if w.reason != "" && !strings.Contains(strings.Join(ch.ReplaceReasons, "\n"), w.reason) {
						t.Errorf("%s: replace reasons %q lack %q", w.addr, ch.ReplaceReasons, w.reason)
					}
					if w.path == "definition" && !ch.NewRevision {
						t.Errorf("%s: a definition change must be a new revision", w.addr)
					}
				}
				if !found {
					t.Errorf("no change of %s in\n%s", w.addr, out)
				}
			}
			for _, w := range tc.iam {
				found := false
				for _, ic := range p.IAM {
					for _, m := range ic.Members {
						found = found || (ic.Address == w.addr && m.Action == w.action && m.Member == w.member)
					}
				}
				if !found {
					t.Errorf("IAM of %s: no %s of %s in\n%s", w.addr, w.action, w.member, out)
				}
			}
			// A field update changes no IAM (creates and replaces set it).
			onlyUpdates := len(tc.iam) == 0
			for _, w := range tc.want {
				onlyUpdates = onlyUpdates && w.action == "update"
			}
			if onlyUpdates && len(p.IAM) > 0 {
				t.Errorf("unexpected IAM changes %+v", p.IAM)
			}
			// The human form shows the same, with exit 2.
			code, human, _ := runCLI(t, srv.Addr(), "plan", "--detailed-exitcode", dir)
			if code != 2 || strings.Contains(human, "No changes.") {
				t.Errorf("human plan: exit %d\n%s", code, human)
			}
		})
	}
}

// TestPlanSeededShopOtherStack: renaming the stack never takes over the
// resources of the old one: every declared resource is reported as managed
// by stack "shop" and nothing is planned (apply would change nothing, so
// --detailed-exitcode exits 0), loudly.
func TestPlanSeededShopOtherStack(t *testing.T) {
	srv := startSeededShop(t)
	dir := copyShop(t, shopEdit{"", `stack          = "shop"`, `stack          = "shop2"`})
	// Nothing can be applied, but the configuration is not in effect:
	// --detailed-exitcode says so with 2, never with 0.
	code, out, errOut := runCLI(t, srv.Addr(), "plan", "--json", "--detailed-exitcode", dir)
	if code != 2 {
		t.Fatalf("exit %d, want 2\n%s%s", code, out, errOut)
	}
	var p jsonPlanOut
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		t.Fatal(err)
	}
	if p.HasChanges || len(p.Unmanaged) != 11 || len(p.Warnings) != 11 {
		t.Fatalf("plan = %+v", p)
	}
	for _, w := range p.Warnings {
		if !strings.Contains(w, `is managed by stack "shop"`) {
			t.Errorf("warning %q", w)
		}
	}
}

func mustRead(t *testing.T, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "examples", "shop", rel))
	if err != nil {
		t.Fatal(err)
	}
	return b
}
