package plan

import (
	"strings"
	"testing"
	"time"

	"github.com/pubsubctl/pubsubctl/iam"
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
	if c.ProjectNumber != "" {
		iam.AddDeadLetterGrants(c, c.ProjectNumber) // what the loader does
	}
	return c
}

// liveOf returns what a faithful Pub/Sub would report after creating c:
// deep copies, with the service's own defaults filled in where it fills
// them.
func liveFrom(c *model.Config) *model.State {
	l := &model.State{Project: c.Project, IAMSupported: false, Policies: map[string]*model.Policy{}}
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
		if t.StoragePolicy != nil {
			sp := *t.StoragePolicy
			sp.AllowedPersistenceRegions = append([]string(nil), sp.AllowedPersistenceRegions...)
			x.StoragePolicy = &sp
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
			if p.OIDC != nil {
				o := *p.OIDC
				p.OIDC = &o
			}
			if p.NoWrapper != nil {
				nw := *p.NoWrapper
				p.NoWrapper = &nw
			}
			x.Push = &p
		}
		if s.BigQuery != nil {
			b := *s.BigQuery
			x.BigQuery = &b
		}
		if s.CloudStorage != nil {
			cs := *s.CloudStorage
			if cs.Avro != nil {
				a := *cs.Avro
				cs.Avro = &a
			}
			x.CloudStorage = &cs
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

func findTopic(l *model.State, name string) *model.Topic {
	for _, t := range l.Topics {
		if t.Name == name {
			return t
		}
	}
	panic(name)
}

func findSub(l *model.State, name string) *model.Subscription {
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
	p := Compute(c, &model.State{Project: project}, Options{})
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
		mutate func(l *model.State)
		addr   string
		path   string
		desire func(c *model.Config) // optional: what the configuration sets first
	}{
		{"topic labels", func(l *model.State) { findTopic(l, "orders").Labels["team"] = "other" }, "topic.orders", "labels.team", nil},
		{"topic label removed", func(l *model.State) { delete(findTopic(l, "orders").Labels, "team") }, "topic.orders", "labels.team", nil},
		{"topic retention", func(l *model.State) { findTopic(l, "orders").MessageRetention = time.Hour }, "topic.orders", "message_retention", nil},
		{"topic kms", func(l *model.State) {
			findTopic(l, "orders").KMSKeyName = "projects/p/locations/l/keyRings/r/cryptoKeys/k"
		}, "topic.orders", "kms_key_name", nil},
		{"topic schema encoding", func(l *model.State) { findTopic(l, "orders").Schema.Encoding = "BINARY" }, "topic.orders", "schema.encoding", nil},
		{"topic schema removed", func(l *model.State) { findTopic(l, "orders").Schema = nil }, "topic.orders", "schema.encoding", nil},
		{"ack deadline", func(l *model.State) { findSub(l, "billing").AckDeadline = 20 * time.Second }, "subscription.billing", "ack_deadline", nil},
		{"sub retention", func(l *model.State) { findSub(l, "billing").MessageRetention = 2 * model.Day }, "subscription.billing", "message_retention", nil},
		{"retain acked", func(l *model.State) { findSub(l, "billing").RetainAckedMessages = true }, "subscription.billing", "retain_acked_messages", nil},
		{"expiration", func(l *model.State) { findSub(l, "billing").Expiration = model.Expiration{TTL: 31 * model.Day} }, "subscription.billing", "expiration", nil},
		{"exactly once", func(l *model.State) { findSub(l, "billing").EnableExactlyOnceDelivery = true }, "subscription.billing", "enable_exactly_once_delivery", nil},
		{"retry min", func(l *model.State) { findSub(l, "billing").RetryPolicy.MinimumBackoff = time.Second }, "subscription.billing", "retry_policy.minimum_backoff", nil},
		{"retry removed", func(l *model.State) { findSub(l, "billing").RetryPolicy = nil }, "subscription.billing", "retry_policy.maximum_backoff", nil},
		{"dead letter attempts", func(l *model.State) { findSub(l, "billing").DeadLetter.MaxDeliveryAttempts = 9 }, "subscription.billing", "dead_letter.max_delivery_attempts", nil},
		{"dead letter removed", func(l *model.State) { findSub(l, "billing").DeadLetter = nil }, "subscription.billing", "dead_letter.topic", nil},
		{"push added live", func(l *model.State) {
			findSub(l, "billing").Push = &model.PushConfig{Endpoint: "https://x.example.com"}
		}, "subscription.billing", "push.endpoint", nil},
		{"bigquery added live", func(l *model.State) { findSub(l, "billing").BigQuery = &model.BigQueryConfig{Table: "p.d.t"} }, "subscription.billing", "bigquery.table", nil},
		{"sub labels", func(l *model.State) { findSub(l, "billing").Labels["extra"] = "x" }, "subscription.billing", "labels.extra", nil},
		{"schema definition", func(l *model.State) { l.Schemas[0].Definition = `{"type":"record","name":"Old","fields":[]}` }, "schema.order", "definition", nil},
		{"topic label added live", func(l *model.State) { findTopic(l, "orders").Labels["extra"] = "x" }, "topic.orders", "labels.extra", nil},
		{"topic schema name", func(l *model.State) {
			findTopic(l, "orders").Schema.Schema = model.FullName(project, model.KindSchema, "old")
		}, "topic.orders", "schema.name", nil},
		{"topic schema added live", func(l *model.State) {
			findTopic(l, "billing-dlq").Schema = &model.SchemaSettings{Schema: model.FullName(project, model.KindSchema, "order"), Encoding: "JSON"}
		}, "topic.billing-dlq", "schema.name", nil},
		{"topic schema first revision", func(l *model.State) { findTopic(l, "orders").Schema.FirstRevisionID = "r0" }, "topic.orders", "schema.first_revision_id",
			func(c *model.Config) { c.Topics[0].Schema.FirstRevisionID = "r1" }},
		{"topic schema last revision", func(l *model.State) { findTopic(l, "orders").Schema.LastRevisionID = "" }, "topic.orders", "schema.last_revision_id",
			func(c *model.Config) { c.Topics[0].Schema.LastRevisionID = "r9" }},
		{"topic storage regions", func(l *model.State) {
			findTopic(l, "orders").StoragePolicy.AllowedPersistenceRegions = []string{"us-east1"}
		}, "topic.orders", "message_storage_policy.allowed_persistence_regions",
			func(c *model.Config) {
				c.Topics[0].StoragePolicy = &model.StoragePolicy{AllowedPersistenceRegions: []string{"europe-west1"}}
			}},
		{"topic storage enforce in transit", func(l *model.State) { findTopic(l, "orders").StoragePolicy.EnforceInTransit = false }, "topic.orders", "message_storage_policy.enforce_in_transit",
			func(c *model.Config) {
				c.Topics[0].StoragePolicy = &model.StoragePolicy{AllowedPersistenceRegions: []string{"europe-west1"}, EnforceInTransit: true}
			}},
		{"retry max", func(l *model.State) { findSub(l, "billing").RetryPolicy.MaximumBackoff = time.Minute }, "subscription.billing", "retry_policy.maximum_backoff", nil},
		{"dead letter topic", func(l *model.State) {
			findSub(l, "billing").DeadLetter.Topic = model.FullName(project, model.KindTopic, "other-dlq")
		}, "subscription.billing", "dead_letter.topic", nil},
		{"dead letter added live", func(l *model.State) {
			findSub(l, "billing-dlq").DeadLetter = &model.DeadLetter{Topic: model.FullName(project, model.KindTopic, "x"), MaxDeliveryAttempts: 5}
		}, "subscription.billing-dlq", "dead_letter.topic", nil},
		{"sub label removed", func(l *model.State) { delete(findSub(l, "billing").Labels, "team") }, "subscription.billing", "labels.team",
			func(c *model.Config) { c.Subscriptions[0].Labels["team"] = "checkout" }},
		{"sub label value", func(l *model.State) { findSub(l, "billing").Labels["team"] = "x" }, "subscription.billing", "labels.team",
			func(c *model.Config) { c.Subscriptions[0].Labels["team"] = "checkout" }},
		{"push removed live (now pull)", func(l *model.State) { findSub(l, "billing").Push = nil }, "subscription.billing", "push.endpoint", withPush},
		{"push endpoint", func(l *model.State) { findSub(l, "billing").Push.Endpoint = "https://old.example.com/p" }, "subscription.billing", "push.endpoint", withPush},
		{"push attribute", func(l *model.State) { findSub(l, "billing").Push.Attributes["k"] = "old" }, "subscription.billing", "push.attributes.k", withPush},
		{"push oidc service account", func(l *model.State) { findSub(l, "billing").Push.OIDC.ServiceAccount = "old@p.iam.gserviceaccount.com" }, "subscription.billing", "push.oidc.service_account", withPush},
		{"push oidc audience", func(l *model.State) { findSub(l, "billing").Push.OIDC.Audience = "https://old" }, "subscription.billing", "push.oidc.audience", withPush},
		{"push oidc removed live", func(l *model.State) { findSub(l, "billing").Push.OIDC = nil }, "subscription.billing", "push.oidc.service_account", withPush},
		{"push no wrapper", func(l *model.State) { findSub(l, "billing").Push.NoWrapper = nil }, "subscription.billing", "push.no_wrapper.write_metadata", withPush},
		{"bigquery table", func(l *model.State) { findSub(l, "billing").BigQuery.Table = "p.d.old" }, "subscription.billing", "bigquery.table", withBigQuery},
		{"bigquery use topic schema", func(l *model.State) { findSub(l, "billing").BigQuery.UseTopicSchema = false }, "subscription.billing", "bigquery.use_topic_schema", withBigQuery},
		{"bigquery use table schema", func(l *model.State) { findSub(l, "billing").BigQuery.UseTableSchema = true }, "subscription.billing", "bigquery.use_table_schema", withBigQuery},
		{"bigquery write metadata", func(l *model.State) { findSub(l, "billing").BigQuery.WriteMetadata = false }, "subscription.billing", "bigquery.write_metadata", withBigQuery},
		{"bigquery drop unknown fields", func(l *model.State) { findSub(l, "billing").BigQuery.DropUnknownFields = false }, "subscription.billing", "bigquery.drop_unknown_fields", withBigQuery},
		{"bigquery service account", func(l *model.State) { findSub(l, "billing").BigQuery.ServiceAccount = "" }, "subscription.billing", "bigquery.service_account", withBigQuery},
		{"bigquery removed live", func(l *model.State) { findSub(l, "billing").BigQuery = nil }, "subscription.billing", "bigquery.table", withBigQuery},
		{"cloud storage bucket", func(l *model.State) { findSub(l, "billing").CloudStorage.Bucket = "old" }, "subscription.billing", "cloud_storage.bucket", withGCS},
		{"cloud storage prefix", func(l *model.State) { findSub(l, "billing").CloudStorage.FilenamePrefix = "old/" }, "subscription.billing", "cloud_storage.filename_prefix", withGCS},
		{"cloud storage suffix", func(l *model.State) { findSub(l, "billing").CloudStorage.FilenameSuffix = ".txt" }, "subscription.billing", "cloud_storage.filename_suffix", withGCS},
		{"cloud storage datetime format", func(l *model.State) { findSub(l, "billing").CloudStorage.FilenameDatetimeFormat = "YYYY" }, "subscription.billing", "cloud_storage.filename_datetime_format", withGCS},
		{"cloud storage format", func(l *model.State) {
			findSub(l, "billing").CloudStorage.Avro = nil
			findSub(l, "billing").CloudStorage.Text = true
		}, "subscription.billing", "cloud_storage.format", withGCS},
		{"cloud storage avro write metadata", func(l *model.State) { findSub(l, "billing").CloudStorage.Avro.WriteMetadata = false }, "subscription.billing", "cloud_storage.avro.write_metadata", withGCS},
		{"cloud storage avro use topic schema", func(l *model.State) { findSub(l, "billing").CloudStorage.Avro.UseTopicSchema = true }, "subscription.billing", "cloud_storage.avro.use_topic_schema", withGCS},
		{"cloud storage max duration", func(l *model.State) { findSub(l, "billing").CloudStorage.MaxDuration = 5 * time.Minute }, "subscription.billing", "cloud_storage.max_duration", withGCS},
		{"cloud storage max bytes", func(l *model.State) { findSub(l, "billing").CloudStorage.MaxBytes = 1000 }, "subscription.billing", "cloud_storage.max_bytes", withGCS},
		{"cloud storage max messages", func(l *model.State) { findSub(l, "billing").CloudStorage.MaxMessages = 1000 }, "subscription.billing", "cloud_storage.max_messages", withGCS},
		{"cloud storage service account", func(l *model.State) { findSub(l, "billing").CloudStorage.ServiceAccount = "" }, "subscription.billing", "cloud_storage.service_account", withGCS},
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

func withPush(c *model.Config) {
	c.Subscriptions[0].Push = &model.PushConfig{
		Endpoint:   "https://a.example.com/p",
		Attributes: map[string]string{"k": "v"},
		OIDC:       &model.OIDCToken{ServiceAccount: "sa@p.iam.gserviceaccount.com", Audience: "aud"},
		NoWrapper:  &model.NoWrapper{WriteMetadata: true},
	}
}

func withBigQuery(c *model.Config) {
	c.Subscriptions[0].BigQuery = &model.BigQueryConfig{Table: "p.d.t", UseTopicSchema: true, WriteMetadata: true, DropUnknownFields: true, ServiceAccount: "bq@p.iam.gserviceaccount.com"}
}

func withGCS(c *model.Config) {
	c.Subscriptions[0].CloudStorage = &model.CloudStorageConfig{
		Bucket: "b", FilenamePrefix: "p/", FilenameSuffix: ".avro", FilenameDatetimeFormat: "YYYY-MM-DD",
		Avro:        &model.AvroConfig{WriteMetadata: true},
		MaxDuration: 2 * time.Minute, MaxBytes: 2000, MaxMessages: 2000, ServiceAccount: "gcs@p.iam.gserviceaccount.com",
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
		mutate func(l *model.State)
		addr   string
		reason string
	}{
		{"filter", func(l *model.State) { findSub(l, "billing").Filter = `attributes.type = "old"` }, "subscription.billing", "filter cannot be changed in place"},
		{"filter removed", func(l *model.State) { findSub(l, "billing").Filter = "" }, "subscription.billing", "filter cannot be changed in place ((none) →"},
		{"topic", func(l *model.State) { findSub(l, "billing").Topic = model.FullName(project, model.KindTopic, "other") }, "subscription.billing", "topic cannot be changed in place"},
		{"ordering", func(l *model.State) { findSub(l, "billing").EnableMessageOrdering = true }, "subscription.billing", "enable_message_ordering cannot be changed in place"},
		{"deleted topic", func(l *model.State) { findSub(l, "billing").Topic = DeletedTopic }, "subscription.billing", "its topic was deleted"},
		{"detached", func(l *model.State) { findSub(l, "billing").Detached = true }, "subscription.billing", "detached"},
		{"schema type", func(l *model.State) { l.Schemas[0].Type = "PROTOCOL_BUFFER" }, "schema.order", "type cannot be changed in place"},
		{"filter added live", func(l *model.State) { findSub(l, "billing-dlq").Filter = `attributes.x = "y"` }, "subscription.billing-dlq", "filter cannot be changed in place"},
		{"ordering turned off live", func(l *model.State) {
			findSub(l, "billing-dlq").EnableMessageOrdering = true
		}, "subscription.billing-dlq", "enable_message_ordering cannot be changed in place (true → false)"},
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
			if tc.name == "deleted topic" && len(ch.ReplaceReasons) != 1 {
				t.Errorf("the deleted topic is one reason, got %q", ch.ReplaceReasons)
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
		mutate func(l *model.State)
	}{
		{"ack deadline 0 is 10s", func(c *model.Config) { c.Subscriptions[0].AckDeadline = 10 * time.Second }, func(l *model.State) { findSub(l, "billing").AckDeadline = 0 }},
		{"dead letter attempts 0 is 5", nil, func(l *model.State) { findSub(l, "billing").DeadLetter.MaxDeliveryAttempts = 0 }},
		{"push x-goog-version added by the server", func(c *model.Config) {
			c.Subscriptions[0].Push = &model.PushConfig{Endpoint: "https://a.example.com/p"}
		}, func(l *model.State) {
			findSub(l, "billing").Push = &model.PushConfig{Endpoint: "https://a.example.com/p", Attributes: map[string]string{"x-goog-version": "v1"}}
		}},
		{"oidc audience defaults to endpoint", func(c *model.Config) {
			c.Subscriptions[0].Push = &model.PushConfig{Endpoint: "https://a.example.com/p", OIDC: &model.OIDCToken{ServiceAccount: "sa@p.iam.gserviceaccount.com"}}
		}, func(l *model.State) {
			findSub(l, "billing").Push = &model.PushConfig{Endpoint: "https://a.example.com/p", OIDC: &model.OIDCToken{ServiceAccount: "sa@p.iam.gserviceaccount.com", Audience: "https://a.example.com/p"}}
		}},
		{"storage policy inherited from org policy", nil, func(l *model.State) {
			findTopic(l, "orders").StoragePolicy = &model.StoragePolicy{AllowedPersistenceRegions: []string{"europe-west1"}}
		}},
		{"schema revision ids filled", nil, func(l *model.State) { findTopic(l, "orders").Schema.FirstRevisionID = "abc" }},
		{"system labels", nil, func(l *model.State) { findTopic(l, "orders").Labels["goog-dataproc"] = "x" }},
		{"bigquery colon table", func(c *model.Config) {
			c.Subscriptions[0].BigQuery = &model.BigQueryConfig{Table: "p:d.t"}
		}, func(l *model.State) { findSub(l, "billing").BigQuery = &model.BigQueryConfig{Table: "p.d.t"} }},
		{"cloud storage server defaults", func(c *model.Config) {
			c.Subscriptions[0].CloudStorage = &model.CloudStorageConfig{Bucket: "b", Text: true}
		}, func(l *model.State) {
			findSub(l, "billing").CloudStorage = &model.CloudStorageConfig{Bucket: "b", Text: true, MaxDuration: 5 * time.Minute, MaxBytes: 0}
		}},
		{"schema definition whitespace", nil, func(l *model.State) { l.Schemas[0].Definition += "\n" }},
		{"durations 600s = 10m", func(c *model.Config) {
			c.Subscriptions[0].RetryPolicy.MaximumBackoff = mustDuration(t, "600s")
		}, func(l *model.State) { findSub(l, "billing").RetryPolicy.MaximumBackoff = mustDuration(t, "10m") }},
		{"durations 24h = 1d", nil, func(l *model.State) { findTopic(l, "orders").MessageRetention = mustDuration(t, "1d") }},
		{"short topic name in the configuration", func(c *model.Config) { c.Subscriptions[0].Topic = "orders" }, func(l *model.State) {
			findSub(l, "billing").Topic = model.FullName(project, model.KindTopic, "orders")
		}},
		{"short dead-letter topic name", func(c *model.Config) { c.Subscriptions[0].DeadLetter.Topic = "billing-dlq" }, func(l *model.State) {
			findSub(l, "billing").DeadLetter.Topic = model.FullName(project, model.KindTopic, "billing-dlq")
		}},
		{"short schema name", func(c *model.Config) { c.Topics[0].Schema.Schema = "order" }, func(l *model.State) {
			findTopic(l, "orders").Schema.Schema = model.FullName(project, model.KindSchema, "order")
		}},
		{"retry bounds filled by the server", func(c *model.Config) {
			c.Subscriptions[0].RetryPolicy = &model.RetryPolicy{MinimumBackoff: 10 * time.Second, MaximumBackoff: 600 * time.Second}
		}, func(l *model.State) { findSub(l, "billing").RetryPolicy = &model.RetryPolicy{} }},
		{"retry maximum filled by the server", func(c *model.Config) {
			c.Subscriptions[0].RetryPolicy = &model.RetryPolicy{MinimumBackoff: time.Second, MaximumBackoff: 600 * time.Second}
		}, func(l *model.State) {
			findSub(l, "billing").RetryPolicy = &model.RetryPolicy{MinimumBackoff: time.Second}
		}},
		{"expiration default is 31 days", func(c *model.Config) {
			c.Subscriptions[0].Expiration = model.Expiration{TTL: 31 * model.Day}
		}, func(l *model.State) { findSub(l, "billing").Expiration = model.Expiration{} }},
		{"no expiration policy on either side", func(c *model.Config) {
			c.Subscriptions[0].Expiration = model.Expiration{}
		}, func(l *model.State) { findSub(l, "billing").Expiration = model.Expiration{TTL: 31 * model.Day} }},
		{"subscription retention unset in the configuration", func(c *model.Config) {
			c.Subscriptions[0].MessageRetention = 0
		}, func(l *model.State) { findSub(l, "billing").MessageRetention = 7 * model.Day }},
		{"retry bounds unset in the configuration", func(c *model.Config) {
			c.Subscriptions[0].RetryPolicy = &model.RetryPolicy{}
		}, func(l *model.State) {
			findSub(l, "billing").RetryPolicy = &model.RetryPolicy{MinimumBackoff: 10 * time.Second, MaximumBackoff: 10 * time.Minute}
		}},
		{"subscription retention default is 7 days", func(c *model.Config) {
			c.Subscriptions[0].MessageRetention = 7 * model.Day
		}, func(l *model.State) { findSub(l, "billing").MessageRetention = 0 }},
		{"nil and empty label maps", func(c *model.Config) { c.Topics[0].Labels = nil }, func(l *model.State) { findTopic(l, "orders").Labels = map[string]string{} }},
		{"nil and empty push attributes", func(c *model.Config) {
			c.Subscriptions[0].Push = &model.PushConfig{Endpoint: "https://a.example.com/p", Attributes: map[string]string{}}
		}, func(l *model.State) { findSub(l, "billing").Push.Attributes = nil }},
		{"label map order", func(c *model.Config) {
			c.Topics[0].Labels = map[string]string{"a": "1", "b": "2", "c": "3", "d": "4"}
		}, func(l *model.State) {
			findTopic(l, "orders").Labels = map[string]string{"d": "4", "c": "3", "b": "2", "a": "1"}
		}},
		{"storage region order", func(c *model.Config) {
			c.Topics[0].StoragePolicy = &model.StoragePolicy{AllowedPersistenceRegions: []string{"b", "a"}}
		}, func(l *model.State) {
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

func mustDuration(t *testing.T, s string) time.Duration {
	t.Helper()
	d, err := model.ParseDuration(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// IAM members compare as sets per role, whatever their order, spelling of
// the member type or the split of a role over several bindings.
func TestIAMNormalizationNoops(t *testing.T) {
	a, b := "serviceAccount:a@p.iam.gserviceaccount.com", "serviceAccount:b@p.iam.gserviceaccount.com"
	cases := []struct {
		name     string
		bindings []model.PolicyBinding
	}{
		{"same order", []model.PolicyBinding{{Role: model.RolePublisher, Members: []string{a, b}}}},
		{"member order", []model.PolicyBinding{{Role: model.RolePublisher, Members: []string{b, a}}}},
		{"role split over bindings", []model.PolicyBinding{{Role: model.RolePublisher, Members: []string{b}}, {Role: model.RolePublisher, Members: []string{a}}}},
		{"duplicate member", []model.PolicyBinding{{Role: model.RolePublisher, Members: []string{a, b, a}}}},
		{"unrelated roles untouched", []model.PolicyBinding{{Role: model.RolePublisher, Members: []string{a, b}}, {Role: "roles/pubsub.viewer", Members: []string{"user:x@example.com"}}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := desiredConfig()
			c.Topics[0].IAM.Bindings = []model.Binding{{Role: model.RolePublisher, Members: []string{a, b}, Origin: "publishers"}}
			for _, tp := range c.Topics {
				tp.IAM.Bindings = append([]model.Binding(nil), tp.IAM.Bindings...)
			}
			l := liveFrom(c)
			l.IAMSupported = true
			for _, r := range c.Resources() {
				if pol := r.Policy(); !pol.Empty() {
					lp := &model.Policy{}
					for _, bd := range pol.Bindings {
						lp.Bindings = append(lp.Bindings, model.PolicyBinding{Role: bd.Role, Members: bd.Members})
					}
					l.Policies[model.FullName(project, r.Address().Kind, r.ID())] = lp
				}
			}
			l.Policies[model.FullName(project, model.KindTopic, "orders")] = &model.Policy{Bindings: tc.bindings}
			p := Compute(c, l, Options{})
			if p.HasChanges() {
				t.Fatalf("want no changes, got changes %+v IAM %+v", p.Changes, p.IAM)
			}
		})
	}
	// A member added or removed behind our back is planned.
	c := desiredConfig()
	c.Topics[0].IAM.Bindings = []model.Binding{{Role: model.RolePublisher, Members: []string{a}, Origin: "publishers"}}
	l := liveFrom(c)
	l.IAMSupported = true
	l.Policies[model.FullName(project, model.KindTopic, "orders")] = &model.Policy{Bindings: []model.PolicyBinding{{Role: model.RolePublisher, Members: []string{b}}}}
	p := Compute(c, l, Options{Targets: []model.Address{{Kind: model.KindTopic, Name: "orders"}}})
	if len(p.IAM) != 1 || len(p.IAM[0].Members) != 2 {
		t.Fatalf("IAM = %+v", p.IAM)
	}
	if m := p.IAM[0].Members; m[0].Action != "remove" || m[0].Member != b || m[1].Action != "add" || m[1].Member != a {
		t.Errorf("members = %+v", m)
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
	// foreign is not this stack's: deleting its topic detaches it, so the
	// delete also needs --allow-orphan.
	if del.RequiresFlag != "--allow-destroy --allow-orphan" || !strings.Contains(strings.Join(del.Warnings, " "), "foreign will be orphaned") ||
		len(del.Orphans) != 1 || del.Orphans[0] != "foreign" {
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
	p := Compute(c, &model.State{Project: project}, Options{Targets: []model.Address{{Kind: model.KindTopic, Name: "orders"}}})
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
	first := Compute(c, &model.State{Project: project}, Options{})
	for i := 0; i < 20; i++ {
		p := Compute(desiredConfig(), &model.State{Project: project}, Options{})
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

// TestSensitiveFields: a field whose configured value derives from a
// sensitive variable is marked in the diff, and the replace reason built
// from it shows "(sensitive)" instead of either value.
func TestSensitiveFields(t *testing.T) {
	c := desiredConfig()
	l := liveFrom(c)
	var sub *model.Subscription
	for _, s := range c.Subscriptions {
		if s.DerivedFrom == nil {
			sub = s
			break
		}
	}
	for _, s := range l.Subscriptions {
		if s.Name == sub.Name {
			s.Filter = `attributes.token = "old-s3cret"`
		}
	}
	sub.Filter = `attributes.token = "new-s3cret"`
	sub.Meta.MarkSensitive("filter")
	p := Compute(c, l, Options{})
	var ch *Change
	for i := range p.Changes {
		if p.Changes[i].ID == sub.Name {
			ch = &p.Changes[i]
		}
	}
	if ch == nil || ch.Action != ActionReplace {
		t.Fatalf("want a replace of %s, got %+v", sub.Name, p.Changes)
	}
	if len(ch.Fields) != 1 || !ch.Fields[0].Sensitive {
		t.Fatalf("filter not marked sensitive: %+v", ch.Fields)
	}
	if b, a := ch.Fields[0].Display(); b != SensitiveValue || a != SensitiveValue {
		t.Errorf("Display = %q, %q", b, a)
	}
	if r := strings.Join(ch.ReplaceReasons, " "); strings.Contains(r, "s3cret") || !strings.Contains(r, "(sensitive)") {
		t.Errorf("replace reason shows the value: %s", r)
	}
}

// TestEveryPlannedFieldHasARow: every path plan compares belongs to a row
// of the field table, and plan's immutability is the table's.
func TestEveryPlannedFieldHasARow(t *testing.T) {
	c := desiredConfig()
	for _, r := range c.Resources() {
		for _, f := range fieldsOf(project, r) {
			row := model.LookupField(r.Address().Kind, f.path)
			if row == nil {
				t.Errorf("%s %s: no row in model.Fields", r.Address().Kind, f.path)
				continue
			}
			if f.immutable != (row.Immutable != "") {
				t.Errorf("%s %s: immutable %v, the table says %q", r.Address().Kind, f.path, f.immutable, row.Immutable)
			}
		}
	}
}
