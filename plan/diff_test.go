package plan

import (
	"strings"
	"testing"
	"time"

	"github.com/pubsubctl/pubsubctl/model"
)

const project = "demo-project"

// desiredConfig is a small configuration with defaults applied: a schema, a
// topic using it, and a pull subscription (which materializes its
// dead-letter topic and subscription).
func desiredConfig() *model.Config {
	c := &model.Config{Project: project, Stack: "shop", ProjectNumber: "123"}
	c.Schemas = []*model.Schema{{Addr: model.Address{Kind: model.KindSchema, Name: "order"}, Name: "order", Type: "AVRO", Definition: `{"type":"record","name":"O","fields":[]}`}}
	c.Topics = []*model.Topic{{
		Addr: model.Address{Kind: model.KindTopic, Name: "orders"}, Name: "orders",
		Labels:           map[string]string{"team": "checkout"},
		MessageRetention: 24 * time.Hour,
		Schema:           &model.SchemaSettings{Schema: model.FullName(project, model.KindSchema, "order"), Encoding: "JSON"},
	}}
	c.Subscriptions = []*model.Subscription{{
		Addr: model.Address{Kind: model.KindSubscription, Name: "billing"}, Name: "billing",
		Topic:  model.FullName(project, model.KindTopic, "orders"),
		Filter: `attributes.type = "placed"`,
	}}
	c.Subscriptions[0].Meta.Set("filter", model.SourceUser, nil)
	c.Subscriptions[0].Meta.Set("topic", model.SourceUser, nil)
	model.ApplyDefaults(c, nil)
	return c
}

// liveOf returns what a faithful Pub/Sub would report after creating c:
// deep copies, with the service's own defaults filled in where it fills
// them.
func liveFrom(c *model.Config) *Live {
	l := &Live{Project: c.Project, IAMSupported: false, Policies: map[string]*model.Policy{}}
	for _, s := range c.Schemas {
		x := *s
		x.Meta = model.Meta{}
		x.RevisionID = "abc123"
		l.Schemas = append(l.Schemas, &x)
	}
	for _, t := range c.Topics {
		x := *t
		x.Meta, x.IAM, x.DerivedFrom = model.Meta{}, model.IAM{}, nil
		x.Labels = copyMap(t.Labels)
		if t.Schema != nil {
			s := *t.Schema
			x.Schema = &s
		}
		x.Addr = model.Address{Kind: model.KindTopic, Name: t.Name}
		l.Topics = append(l.Topics, &x)
	}
	for _, s := range c.Subscriptions {
		x := *s
		x.Meta, x.IAM, x.DerivedFrom, x.DeadLetterOptOut = model.Meta{}, model.IAM{}, nil, nil
		x.Labels = copyMap(s.Labels)
		if s.RetryPolicy != nil {
			r := *s.RetryPolicy
			x.RetryPolicy = &r
		}
		if s.DeadLetter != nil {
			d := *s.DeadLetter
			x.DeadLetter = &d
		}
		if s.Push != nil {
			p := *s.Push
			p.Attributes = copyMap(p.Attributes)
			x.Push = &p
		}
		x.Addr = model.Address{Kind: model.KindSubscription, Name: s.Name}
		l.Subscriptions = append(l.Subscriptions, &x)
	}
	return l
}

func copyMap(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	out := map[string]string{}
	for k, v := range m {
		out[k] = v
	}
	return out
}

func findTopic(l *Live, name string) *model.Topic {
	for _, t := range l.Topics {
		if t.Name == name {
			return t
		}
	}
	panic(name)
}

func findSub(l *Live, name string) *model.Subscription {
	for _, s := range l.Subscriptions {
		if s.Name == name {
			return s
		}
	}
	panic(name)
}

func TestNoChangesWhenLiveMatches(t *testing.T) {
	c := desiredConfig()
	p := Compute(c, liveFrom(c), Options{})
	if p.HasChanges() {
		t.Fatalf("want no changes, got %+v", p.Changes)
	}
	if p.Unchanged != 5 { // schema, topic, dlq topic, subscription, dlq subscription
		t.Errorf("unchanged = %d, want 5", p.Unchanged)
	}
}

func TestEmptyLiveCreatesEverythingInOrder(t *testing.T) {
	c := desiredConfig()
	p := Compute(c, &Live{Project: project}, Options{})
	var got []string
	for _, ch := range p.Changes {
		if ch.Action != ActionCreate {
			t.Errorf("%s: action %s, want create", ch.Address, ch.Action)
		}
		got = append(got, ch.Address.String())
	}
	want := "schema.order topic.orders topic.billing-dlq subscription.billing subscription.billing-dlq"
	if strings.Join(got, " ") != want {
		t.Errorf("order = %v, want %s", got, want)
	}
	sub := p.Changes[3]
	if len(sub.DependsOn) != 2 || sub.DependsOn[0].String() != "topic.orders" || sub.DependsOn[1].String() != "topic.billing-dlq" {
		t.Errorf("subscription depends on %v", sub.DependsOn)
	}
	// The built-in defaults are visible, with their provenance.
	found := false
	for _, f := range sub.Fields {
		if f.Path == "ack_deadline" {
			found = true
			if f.After != `"1m"` || f.Source != model.SourceBuiltin {
				t.Errorf("ack_deadline = %s from %s", f.After, f.Source)
			}
		}
	}
	if !found {
		t.Error("create does not show ack_deadline")
	}
}

// Each mutable field changed live yields an in-place update of that field.
func TestUpdates(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(l *Live)
		addr   string
		path   string
	}{
		{"topic labels", func(l *Live) { findTopic(l, "orders").Labels["team"] = "other" }, "topic.orders", "labels.team"},
		{"topic label removed", func(l *Live) { delete(findTopic(l, "orders").Labels, "team") }, "topic.orders", "labels.team"},
		{"topic retention", func(l *Live) { findTopic(l, "orders").MessageRetention = time.Hour }, "topic.orders", "message_retention"},
		{"topic kms", func(l *Live) { findTopic(l, "orders").KMSKeyName = "projects/p/locations/l/keyRings/r/cryptoKeys/k" }, "topic.orders", "kms_key_name"},
		{"topic schema encoding", func(l *Live) { findTopic(l, "orders").Schema.Encoding = "BINARY" }, "topic.orders", "schema.encoding"},
		{"topic schema removed", func(l *Live) { findTopic(l, "orders").Schema = nil }, "topic.orders", "schema.encoding"},
		{"ack deadline", func(l *Live) { findSub(l, "billing").AckDeadline = 20 * time.Second }, "subscription.billing", "ack_deadline"},
		{"sub retention", func(l *Live) { findSub(l, "billing").MessageRetention = 2 * model.Day }, "subscription.billing", "message_retention"},
		{"retain acked", func(l *Live) { findSub(l, "billing").RetainAckedMessages = true }, "subscription.billing", "retain_acked_messages"},
		{"expiration", func(l *Live) { findSub(l, "billing").Expiration = model.Expiration{TTL: 31 * model.Day} }, "subscription.billing", "expiration"},
		{"exactly once", func(l *Live) { findSub(l, "billing").EnableExactlyOnceDelivery = true }, "subscription.billing", "enable_exactly_once_delivery"},
		{"retry min", func(l *Live) { findSub(l, "billing").RetryPolicy.MinimumBackoff = time.Second }, "subscription.billing", "retry_policy.minimum_backoff"},
		{"retry removed", func(l *Live) { findSub(l, "billing").RetryPolicy = nil }, "subscription.billing", "retry_policy.maximum_backoff"},
		{"dead letter attempts", func(l *Live) { findSub(l, "billing").DeadLetter.MaxDeliveryAttempts = 9 }, "subscription.billing", "dead_letter.max_delivery_attempts"},
		{"dead letter removed", func(l *Live) { findSub(l, "billing").DeadLetter = nil }, "subscription.billing", "dead_letter.topic"},
		{"push added live", func(l *Live) { findSub(l, "billing").Push = &model.PushConfig{Endpoint: "https://x.example.com"} }, "subscription.billing", "push.endpoint"},
		{"bigquery added live", func(l *Live) { findSub(l, "billing").BigQuery = &model.BigQueryConfig{Table: "p.d.t"} }, "subscription.billing", "bigquery.table"},
		{"sub labels", func(l *Live) { findSub(l, "billing").Labels["extra"] = "x" }, "subscription.billing", "labels.extra"},
		{"schema definition", func(l *Live) { l.Schemas[0].Definition = `{"type":"record","name":"Old","fields":[]}` }, "schema.order", "definition"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := desiredConfig()
			l := liveFrom(c)
			tc.mutate(l)
			p := Compute(c, l, Options{})
			if len(p.Changes) != 1 {
				t.Fatalf("want 1 change, got %d: %+v", len(p.Changes), p.Changes)
			}
			ch := p.Changes[0]
			if ch.Address.String() != tc.addr || ch.Action != ActionUpdate {
				t.Fatalf("got %s %s, want update %s", ch.Action, ch.Address, tc.addr)
			}
			if !hasField(ch, tc.path) {
				t.Errorf("fields %+v lack %s", ch.Fields, tc.path)
			}
			for _, f := range ch.Fields {
				if f.ForcesReplace {
					t.Errorf("%s forces replacement", f.Path)
				}
			}
			if tc.path == "definition" && !ch.NewRevision {
				t.Error("a definition change must be a new revision")
			}
		})
	}
}

func hasField(ch Change, path string) bool {
	for _, f := range ch.Fields {
		if f.Path == path {
			return true
		}
	}
	return false
}

// Each immutable field yields a replace that names the field.
func TestReplaces(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(l *Live)
		addr   string
		reason string
	}{
		{"filter", func(l *Live) { findSub(l, "billing").Filter = `attributes.type = "old"` }, "subscription.billing", "filter cannot be changed in place"},
		{"filter removed", func(l *Live) { findSub(l, "billing").Filter = "" }, "subscription.billing", "filter cannot be changed in place ((none) →"},
		{"topic", func(l *Live) { findSub(l, "billing").Topic = model.FullName(project, model.KindTopic, "other") }, "subscription.billing", "topic cannot be changed in place"},
		{"ordering", func(l *Live) { findSub(l, "billing").EnableMessageOrdering = true }, "subscription.billing", "enable_message_ordering cannot be changed in place"},
		{"deleted topic", func(l *Live) { findSub(l, "billing").Topic = DeletedTopic }, "subscription.billing", "its topic was deleted"},
		{"detached", func(l *Live) { findSub(l, "billing").Detached = true }, "subscription.billing", "detached"},
		{"schema type", func(l *Live) { l.Schemas[0].Type = "PROTOCOL_BUFFER" }, "schema.order", "type cannot be changed in place"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := desiredConfig()
			l := liveFrom(c)
			tc.mutate(l)
			p := Compute(c, l, Options{})
			if len(p.Changes) != 1 {
				t.Fatalf("want 1 change, got %+v", p.Changes)
			}
			ch := p.Changes[0]
			if ch.Address.String() != tc.addr || ch.Action != ActionReplace {
				t.Fatalf("got %s %s, want replace %s", ch.Action, ch.Address, tc.addr)
			}
			if !strings.Contains(strings.Join(ch.ReplaceReasons, "\n"), tc.reason) {
				t.Errorf("reasons %q lack %q", ch.ReplaceReasons, tc.reason)
			}
			if !ch.Destructive || ch.RequiresFlag != "--allow-replace" {
				t.Errorf("replace not flagged destructive: %+v", ch)
			}
			if ch.Kind == model.KindSubscription && !strings.Contains(strings.Join(ch.Warnings, " "), "backlog") {
				t.Errorf("replace of a subscription does not warn about its backlog: %q", ch.Warnings)
			}
		})
	}
}

// Values the service fills in by itself never show as changes.
func TestNormalizationNoops(t *testing.T) {
	cases := []struct {
		name   string
		desire func(c *model.Config)
		mutate func(l *Live)
	}{
		{"ack deadline 0 is 10s", func(c *model.Config) { c.Subscriptions[0].AckDeadline = 10 * time.Second }, func(l *Live) { findSub(l, "billing").AckDeadline = 0 }},
		{"dead letter attempts 0 is 5", nil, func(l *Live) { findSub(l, "billing").DeadLetter.MaxDeliveryAttempts = 0 }},
		{"push x-goog-version added by the server", func(c *model.Config) {
			c.Subscriptions[0].Push = &model.PushConfig{Endpoint: "https://a.example.com/p"}
		}, func(l *Live) {
			findSub(l, "billing").Push = &model.PushConfig{Endpoint: "https://a.example.com/p", Attributes: map[string]string{"x-goog-version": "v1"}}
		}},
		{"oidc audience defaults to endpoint", func(c *model.Config) {
			c.Subscriptions[0].Push = &model.PushConfig{Endpoint: "https://a.example.com/p", OIDC: &model.OIDCToken{ServiceAccount: "sa@p.iam.gserviceaccount.com"}}
		}, func(l *Live) {
			findSub(l, "billing").Push = &model.PushConfig{Endpoint: "https://a.example.com/p", OIDC: &model.OIDCToken{ServiceAccount: "sa@p.iam.gserviceaccount.com", Audience: "https://a.example.com/p"}}
		}},
		{"storage policy inherited from org policy", nil, func(l *Live) {
			findTopic(l, "orders").StoragePolicy = &model.StoragePolicy{AllowedPersistenceRegions: []string{"europe-west1"}}
		}},
		{"schema revision ids filled", nil, func(l *Live) { findTopic(l, "orders").Schema.FirstRevisionID = "abc" }},
		{"system labels", nil, func(l *Live) { findTopic(l, "orders").Labels["goog-dataproc"] = "x" }},
		{"bigquery colon table", func(c *model.Config) {
			c.Subscriptions[0].BigQuery = &model.BigQueryConfig{Table: "p:d.t"}
		}, func(l *Live) { findSub(l, "billing").BigQuery = &model.BigQueryConfig{Table: "p.d.t"} }},
		{"cloud storage server defaults", func(c *model.Config) {
			c.Subscriptions[0].CloudStorage = &model.CloudStorageConfig{Bucket: "b", Text: true}
		}, func(l *Live) {
			findSub(l, "billing").CloudStorage = &model.CloudStorageConfig{Bucket: "b", Text: true, MaxDuration: 5 * time.Minute, MaxBytes: 0}
		}},
		{"schema definition whitespace", nil, func(l *Live) { l.Schemas[0].Definition += "\n" }},
		{"storage region order", func(c *model.Config) {
			c.Topics[0].StoragePolicy = &model.StoragePolicy{AllowedPersistenceRegions: []string{"b", "a"}}
		}, func(l *Live) {
			findTopic(l, "orders").StoragePolicy = &model.StoragePolicy{AllowedPersistenceRegions: []string{"a", "b"}}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := desiredConfig()
			if tc.desire != nil {
				tc.desire(c)
			}
			l := liveFrom(c)
			tc.mutate(l)
			p := Compute(c, l, Options{})
			if p.HasChanges() {
				t.Fatalf("want no changes, got %+v", p.Changes)
			}
		})
	}
}

func TestOwnership(t *testing.T) {
	c := desiredConfig()
	l := liveFrom(c)
	// A resource this stack manages that left the configuration: delete.
	l.Topics = append(l.Topics, &model.Topic{Addr: model.Address{Kind: model.KindTopic, Name: "old"}, Name: "old",
		Labels: map[string]string{model.LabelManagedBy: model.ManagedByValue, model.LabelStack: "shop"}})
	l.Subscriptions = append(l.Subscriptions, &model.Subscription{Addr: model.Address{Kind: model.KindSubscription, Name: "foreign"}, Name: "foreign",
		Topic: model.FullName(project, model.KindTopic, "old")})
	// Unmanaged and other-stack resources: left alone.
	l.Topics = append(l.Topics, &model.Topic{Addr: model.Address{Kind: model.KindTopic, Name: "manual"}, Name: "manual"})
	l.Topics = append(l.Topics, &model.Topic{Addr: model.Address{Kind: model.KindTopic, Name: "theirs"}, Name: "theirs",
		Labels: map[string]string{model.LabelManagedBy: model.ManagedByValue, model.LabelStack: "other"}})
	p := Compute(c, l, Options{})
	if len(p.Changes) != 1 || p.Changes[0].Action != ActionDelete || p.Changes[0].Address.String() != "topic.old" {
		t.Fatalf("want only delete topic.old, got %+v", p.Changes)
	}
	del := p.Changes[0]
	if del.RequiresFlag != "--allow-destroy" || !strings.Contains(strings.Join(del.Warnings, " "), "foreign will be orphaned") {
		t.Errorf("delete not flagged: %+v", del)
	}
	if len(p.Unmanaged) != 3 {
		t.Errorf("unmanaged = %+v, want manual, theirs, foreign", p.Unmanaged)
	}
}

func TestUnlabelledDeclaredResourceIsNotTakenOver(t *testing.T) {
	c := desiredConfig()
	l := liveFrom(c)
	delete(findTopic(l, "orders").Labels, model.LabelStack)
	p := Compute(c, l, Options{})
	if p.HasChanges() {
		t.Fatalf("an unlabelled topic was taken over: %+v", p.Changes)
	}
	if !strings.Contains(strings.Join(p.Warnings, "\n"), "topic.orders exists, not managed") {
		t.Errorf("warnings = %q", p.Warnings)
	}
	p = Compute(c, l, Options{Adopt: true})
	if len(p.Changes) != 1 || p.Changes[0].Action != ActionAdopt || !hasField(p.Changes[0], "labels.pubsubctl-stack") {
		t.Fatalf("adopt plan = %+v", p.Changes)
	}
	// Another stack's resource is never adopted.
	findTopic(l, "orders").Labels[model.LabelStack] = "billing"
	p = Compute(c, l, Options{Adopt: true})
	if p.HasChanges() || !strings.Contains(strings.Join(p.Warnings, "\n"), `managed by stack "billing"`) {
		t.Fatalf("other stack: changes %+v warnings %q", p.Changes, p.Warnings)
	}
}

func TestAdoptionNeverReplaces(t *testing.T) {
	c := desiredConfig()
	l := liveFrom(c)
	s := findSub(l, "billing")
	s.Labels = nil
	s.Filter = ""
	p := Compute(c, l, Options{Adopt: true})
	for _, ch := range p.Changes {
		if ch.Address.String() == "subscription.billing" {
			t.Fatalf("adoption planned %s", ch.Action)
		}
	}
	if !strings.Contains(strings.Join(p.Warnings, "\n"), "cannot be adopted") {
		t.Errorf("warnings = %q", p.Warnings)
	}
}

func TestIAMPlanned(t *testing.T) {
	c := desiredConfig()
	c.Topics[0].IAM.Bindings = append(c.Topics[0].IAM.Bindings, model.Binding{Role: model.RolePublisher, Members: []string{"serviceAccount:checkout@p.iam.gserviceaccount.com"}, Origin: "publishers"})
	l := liveFrom(c)
	l.IAMSupported = true
	p := Compute(c, l, Options{})
	byAddr := map[string]IAMChange{}
	for _, ic := range p.IAM {
		byAddr[ic.Address.String()] = ic
	}
	if len(byAddr["topic.orders"].Members) != 1 {
		t.Errorf("topic.orders IAM = %+v", byAddr["topic.orders"])
	}
	dl := byAddr["topic.billing-dlq"]
	if len(dl.Members) != 1 || dl.Members[0].Member != model.ServiceAgent("123") || !strings.Contains(dl.Members[0].Origin, "dead-letter grant for subscription.billing") {
		t.Errorf("dead-letter grant = %+v", dl)
	}
	if sub := byAddr["subscription.billing"]; len(sub.Members) != 1 || sub.Members[0].Role != model.RoleSubscriber {
		t.Errorf("subscription grant = %+v", sub)
	}
	// Without IAM support: one warning, no IAM changes.
	l.IAMSupported = false
	p = Compute(c, l, Options{Target: "emulator x"})
	if len(p.IAM) != 0 || !strings.Contains(strings.Join(p.Warnings, "\n"), "IAM is not supported by emulator x") {
		t.Errorf("IAM %+v warnings %q", p.IAM, p.Warnings)
	}
}

func TestTargets(t *testing.T) {
	c := desiredConfig()
	p := Compute(c, &Live{Project: project}, Options{Targets: []model.Address{{Kind: model.KindTopic, Name: "orders"}}})
	if len(p.Changes) != 1 || p.Changes[0].Address.String() != "topic.orders" {
		t.Fatalf("targeted plan = %+v", p.Changes)
	}
}

func TestDigestStable(t *testing.T) {
	c := desiredConfig()
	a, b := liveFrom(c), liveFrom(c)
	b.Topics[0], b.Topics[1] = b.Topics[1], b.Topics[0]
	if Digest(a) != Digest(b) {
		t.Error("digest depends on order")
	}
	findTopic(b, "orders").Labels["x"] = "y"
	if Digest(a) == Digest(b) {
		t.Error("digest ignores a label change")
	}
}

func TestDeterministic(t *testing.T) {
	c := desiredConfig()
	first := Compute(c, &Live{Project: project}, Options{})
	for i := 0; i < 20; i++ {
		p := Compute(desiredConfig(), &Live{Project: project}, Options{})
		for j := range p.Changes {
			if p.Changes[j].Address != first.Changes[j].Address || len(p.Changes[j].Fields) != len(first.Changes[j].Fields) {
				t.Fatal("plan order varies between runs")
			}
			for k := range p.Changes[j].Fields {
				if p.Changes[j].Fields[k] != first.Changes[j].Fields[k] {
					t.Fatal("field order varies between runs")
				}
			}
		}
	}
}
