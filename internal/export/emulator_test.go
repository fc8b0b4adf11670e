package export

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/pubsubctl/pubsubctl/internal/config"
	"github.com/pubsubctl/pubsubctl/internal/emulator"
	"github.com/pubsubctl/pubsubctl/internal/live"
	"github.com/pubsubctl/pubsubctl/model"
	"github.com/pubsubctl/pubsubctl/plan"
)

const emuProject = "emu-project"

// TestEmulatorExport seeds the embedded emulator with a project the way a
// team without pubsubctl would have built it (console defaults, a few
// tuned subscriptions, IAM), reads it with the live client, exports it, and
// checks that the export loads cleanly and plans to adopt-only label
// changes, and to nothing once the labels are there.
func TestEmulatorExport(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the embedded emulator")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	srv, err := emulator.Start(ctx, emulator.Options{Seed: 1})
	if err != nil {
		t.Fatalf("emulator.Start: %v", err)
	}
	defer srv.Close()
	c, err := live.New(ctx, live.Options{Project: emuProject, Emulator: srv.Addr(), BaseBackoff: time.Millisecond})
	if err != nil {
		t.Fatalf("live.New: %v", err)
	}
	defer c.Close()

	topic := func(id string) string { return model.FullName(emuProject, model.KindTopic, id) }
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	_, err = c.CreateSchema(ctx, &model.Schema{Name: "order", Type: "AVRO",
		Definition: `{"type":"record","name":"Order","fields":[{"name":"id","type":"string"}]}`})
	must("create schema", err)
	_, err = c.CreateSchema(ctx, &model.Schema{Name: "invoice.v1", Type: "PROTOCOL_BUFFER",
		Definition: "syntax = \"proto3\";\nmessage Invoice {\n  string id = 1;\n}\n"})
	must("create schema", err)

	for _, tp := range []*model.Topic{
		{Name: "orders", Labels: map[string]string{"team": "checkout"}, MessageRetention: 24 * time.Hour,
			Schema: &model.SchemaSettings{Schema: model.FullName(emuProject, model.KindSchema, "order"), Encoding: "JSON"}},
		{Name: "invoices.v1", Schema: &model.SchemaSettings{Schema: model.FullName(emuProject, model.KindSchema, "invoice.v1"), Encoding: "BINARY"}},
		{Name: "orders-failed"},
		{Name: "legacy", Labels: map[string]string{"managed-by": "terraform"}},
	} {
		_, err := c.CreateTopic(ctx, tp)
		must("create topic "+tp.Name, err)
	}
	subs := []*model.Subscription{
		// Console defaults: 10s ack deadline, 31d expiration, no retry
		// policy, no dead-letter policy.
		{Name: "orders-audit", Topic: topic("orders")},
		{Name: "orders-billing", Topic: topic("orders"), AckDeadline: 30 * time.Second,
			Filter:                `attributes.event_type = "order.placed"`,
			EnableMessageOrdering: true, Expiration: model.Expiration{Never: true},
			RetryPolicy: &model.RetryPolicy{MinimumBackoff: 5 * time.Second, MaximumBackoff: 300 * time.Second},
			DeadLetter:  &model.DeadLetter{Topic: topic("orders-failed"), MaxDeliveryAttempts: 10},
			Labels:      map[string]string{"consumer": "billing"}},
		{Name: "orders-push", Topic: topic("orders"), AckDeadline: 60 * time.Second,
			Push: &model.PushConfig{Endpoint: "https://fulfilment.example.com/pubsub",
				OIDC: &model.OIDCToken{ServiceAccount: "push-invoker@emu-project.iam.gserviceaccount.com", Audience: "https://fulfilment.example.com"}},
			RetryPolicy:      &model.RetryPolicy{MinimumBackoff: 10 * time.Second, MaximumBackoff: 600 * time.Second},
			MessageRetention: 3 * model.Day, Expiration: model.Expiration{TTL: 14 * model.Day}},
		{Name: "invoices.v1-bq", Topic: topic("invoices.v1"),
			BigQuery: &model.BigQueryConfig{Table: "emu-project.analytics.invoices", UseTopicSchema: true, WriteMetadata: true}},
		{Name: "orders-failed", Topic: topic("orders-failed"), RetainAckedMessages: true, Expiration: model.Expiration{Never: true}},
		{Name: "legacy-sub", Topic: topic("legacy"), EnableExactlyOnceDelivery: true},
	}
	for _, s := range subs {
		_, err := c.CreateSubscription(ctx, s)
		must("create subscription "+s.Name, err)
	}
	policies := map[string]*model.Policy{
		topic("orders"): {Bindings: []model.PolicyBinding{
			{Role: model.RolePublisher, Members: []string{"serviceAccount:checkout@emu-project.iam.gserviceaccount.com"}},
			{Role: "roles/pubsub.editor", Members: []string{"group:platform@example.com"}},
		}},
		model.FullName(emuProject, model.KindSubscription, "orders-billing"): {Bindings: []model.PolicyBinding{
			{Role: model.RoleSubscriber, Members: []string{"serviceAccount:billing@emu-project.iam.gserviceaccount.com"}},
			{Role: model.RoleViewer, Members: []string{"user:auditor@example.com"}},
		}},
		model.FullName(emuProject, model.KindSchema, "order"): {Bindings: []model.PolicyBinding{
			{Role: model.RoleViewer, Members: []string{"domain:example.com"}},
		}},
	}
	for name, p := range policies {
		kind := model.KindTopic
		switch {
		case strings.Contains(name, "/subscriptions/"):
			kind = model.KindSubscription
		case strings.Contains(name, "/schemas/"):
			kind = model.KindSchema
		}
		_, err := c.SetPolicy(ctx, kind, name, p)
		must("set policy of "+name, err)
	}

	read := func() *model.State {
		st, err := c.Read(ctx, live.ReadOptions{IAMFor: func(model.Kind, string) bool { return true }})
		must("read", err)
		if !st.IAMSupported {
			t.Fatal("the embedded emulator reports no IAM support")
		}
		return st
	}
	st := read()
	files, warnings, err := Generate(&model.State{
		Project: st.Project, Schemas: st.Schemas, Topics: st.Topics,
		Subscriptions: st.Subscriptions, Policies: st.Policies,
	}, Options{Stack: "shop", Split: SplitByTopic})
	must("Generate", err)
	for _, w := range warnings {
		t.Logf("warning: %s", w)
	}
	for _, name := range []string{"main.hcl", "schemas.hcl", "orders.hcl", "invoices.v1.hcl", "orders-failed.hcl", "legacy.hcl", "schemas/order.avsc", "schemas/invoice.v1.proto"} {
		if files[name] == nil {
			t.Errorf("no %s in the export; files: %v", name, sortedKeys(files))
		}
	}
	orders := string(files["orders.hcl"])
	for _, want := range []string{
		`topic = topic.orders`,
		`ack_deadline = "10s"`,
		`expiration = "31d"`,
		`retry_policy = false`,
		`reason  = "exported: no dead-letter policy live"`,
		`topic                 = topic.orders-failed`,
		`max_delivery_attempts = 10`,
		`name     = schema.order`,
		`allow_broad = true`,
	} {
		if !strings.Contains(strings.Join(strings.Fields(orders), " "), strings.Join(strings.Fields(want), " ")) {
			t.Errorf("orders.hcl lacks %q:\n%s", want, orders)
		}
	}

	dir := t.TempDir()
	must("WriteFiles", WriteFiles(dir, files, false))
	res, diags := config.Load(config.Options{Dir: dir})
	if diags.HasErrors() {
		t.Fatalf("config.Load: %s\n%s", diagText(diags), dump(files))
	}
	lv := &model.State{Project: st.Project, Schemas: st.Schemas, Topics: st.Topics, Subscriptions: st.Subscriptions, Policies: st.Policies, IAMSupported: st.IAMSupported}
	p := plan.Compute(res.Config, lv, plan.Options{Adopt: true})
	adopted := 0
	for _, ch := range p.Changes {
		if ch.Action != plan.ActionAdopt {
			t.Errorf("plan --adopt: %s %s, want adopt only", ch.Action, ch.Address)
		}
		adopted++
		for _, f := range ch.Fields {
			if f.Path != "labels."+model.LabelManagedBy && f.Path != "labels."+model.LabelStack {
				t.Errorf("adopting %s changes %s: %s → %s", ch.Address, f.Path, f.Before, f.After)
			}
		}
	}
	if want := 4 + len(subs); adopted != want {
		t.Errorf("plan --adopt adopts %d resources, want %d: %+v", adopted, want, p.Changes)
	}
	if len(p.IAM) != 0 {
		t.Errorf("plan --adopt changes IAM: %+v", p.IAM)
	}

	// Adopt: write the ownership labels, then the plan is empty.
	for _, tp := range st.Topics {
		tp.Labels = withOwnership(withoutOwnership(tp.Labels))
		_, err := c.UpdateTopic(ctx, tp, []string{"labels"})
		must("label topic "+tp.Name, err)
	}
	for _, s := range st.Subscriptions {
		s.Labels = withOwnership(withoutOwnership(s.Labels))
		_, err := c.UpdateSubscription(ctx, s, []string{"labels"})
		must("label subscription "+s.Name, err)
	}
	st = read()
	lv = &model.State{Project: st.Project, Schemas: st.Schemas, Topics: st.Topics, Subscriptions: st.Subscriptions, Policies: st.Policies, IAMSupported: st.IAMSupported}
	if p := plan.Compute(res.Config, lv, plan.Options{}); p.HasChanges() {
		t.Errorf("plan after adoption: %+v %+v", p.Changes, p.IAM)
	}

	// A re-export of the adopted project is the same configuration.
	again, _, err := Generate(&model.State{
		Project: st.Project, Schemas: st.Schemas, Topics: st.Topics,
		Subscriptions: st.Subscriptions, Policies: st.Policies,
	}, Options{Stack: "shop", Split: SplitByTopic})
	must("Generate", err)
	if dump(again) != dump(files) {
		t.Errorf("re-export differs:\n%s\nfirst:\n%s", dump(again), dump(files))
	}
}

func withoutOwnership(l map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range l {
		if k != model.LabelManagedBy && k != model.LabelStack {
			out[k] = v
		}
	}
	return out
}
