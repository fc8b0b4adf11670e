package config

import (
	"fmt"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/pubsubctl/pubsubctl/model"
)

func topicByAddr(t *testing.T, c *model.Config, addr string) *model.Topic {
	t.Helper()
	for _, x := range c.Topics {
		if x.Addr.String() == addr {
			return x
		}
	}
	t.Fatalf("no %s in %v", addr, addrs(c))
	return nil
}

func subByAddr(t *testing.T, c *model.Config, addr string) *model.Subscription {
	t.Helper()
	for _, x := range c.Subscriptions {
		if x.Addr.String() == addr {
			return x
		}
	}
	t.Fatalf("no %s in %v", addr, addrs(c))
	return nil
}

func addrs(c *model.Config) []string {
	var out []string
	for _, r := range c.Resources() {
		out = append(out, r.Address().String())
	}
	return out
}

// pos renders the start of a range as "line,col".
func pos(r hcl.Range) string { return fmt.Sprintf("%d,%d", r.Start.Line, r.Start.Column) }

// prov renders "source@line,col" for a field of m.
func prov(m *model.Meta, path string) string {
	s := m.Source(path).String()
	if m.HasRange(path) {
		return s + "@" + pos(m.Range(path))
	}
	return s
}

func eq[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s = %#v, want %#v", what, got, want)
	}
}

func TestMinimalGetsBuiltinDefaults(t *testing.T) {
	noValidate(t)
	res := mustLoad(t, header+`topic "events" {}

subscription "worker" {
  topic = topic.events
}
`, Options{})
	c := res.Config
	eq(t, "project", c.Project, "p1")
	eq(t, "stack", c.Stack, "test")
	eq(t, "addresses", addrs(c), []string{"topic.events", "topic.worker-dlq", "subscription.worker", "subscription.worker-dlq"})
	s := subByAddr(t, c, "subscription.worker")
	eq(t, "topic", s.Topic, "projects/p1/topics/events")
	eq(t, "topic provenance", prov(&s.Meta, "topic"), "configuration@8,11")
	eq(t, "decl range", pos(s.Meta.DeclRange), "7,14")
	eq(t, "ack deadline", s.AckDeadline, 60*time.Second)
	eq(t, "ack provenance", prov(&s.Meta, "ack_deadline"), "pubsubctl default")
	eq(t, "retry", *s.RetryPolicy, model.RetryPolicy{MinimumBackoff: 10 * time.Second, MaximumBackoff: 600 * time.Second})
	eq(t, "retry provenance", prov(&s.Meta, "retry_policy.minimum_backoff"), "pubsubctl default")
	eq(t, "expiration", s.Expiration, model.Expiration{Never: true})
	eq(t, "dead letter", *s.DeadLetter, model.DeadLetter{Topic: "projects/p1/topics/worker-dlq", MaxDeliveryAttempts: 5})
	eq(t, "labels", s.Labels, map[string]string{"managed-by": "pubsubctl", "pubsubctl-stack": "test"})
	tp := topicByAddr(t, c, "topic.events")
	eq(t, "topic decl range", pos(tp.Meta.DeclRange), "5,7")
	eq(t, "topic name", tp.Name, "events")
	eq(t, "defaults", *res.Defaults, model.Defaults{})
}

func TestDefaultsBlockAndProvenance(t *testing.T) {
	noValidate(t)
	res := mustLoad(t, header+`defaults {
  subscription {
    ack_deadline          = "120s"
    message_retention     = "3d"
    retain_acked_messages = true
    expiration            = "40d"
    retry_policy {
      minimum_backoff = "30s"
    }
    dead_letter {
      max_delivery_attempts = 20
    }
    labels = { team = "payments", tier = "1" }
  }
  topic {
    message_retention = "2d"
    labels            = { team = "payments" }
  }
}

topic "t" {
  labels = { team = "risk" }
}

subscription "plain" {
  topic = topic.t
}

subscription "custom" {
  topic        = topic.t
  ack_deadline = "20s"
  retry_policy {
    maximum_backoff = "1m"
  }
  labels = { tier = "2" }
}
`, Options{})
	d := res.Defaults
	eq(t, "defaults ack", *d.Subscription.AckDeadline, 120*time.Second)
	eq(t, "defaults retention", *d.Subscription.MessageRetention, 3*model.Day)
	eq(t, "defaults retain", *d.Subscription.RetainAckedMessages, true)
	eq(t, "defaults expiration", *d.Subscription.Expiration, model.Expiration{TTL: 40 * model.Day})
	eq(t, "defaults retry", *d.Subscription.RetryPolicy, model.RetryPolicy{MinimumBackoff: 30 * time.Second})
	eq(t, "defaults attempts", *d.Subscription.MaxDeliveryAttempts, 20)
	eq(t, "defaults topic retention", *d.Topic.MessageRetention, 2*model.Day)
	eq(t, "defaults meta", prov(&d.Meta, "subscription.ack_deadline"), "configuration@7,29")

	c := res.Config
	plain := subByAddr(t, c, "subscription.plain")
	eq(t, "plain ack", plain.AckDeadline, 120*time.Second)
	eq(t, "plain ack provenance", prov(&plain.Meta, "ack_deadline"), "defaults block@7,29")
	eq(t, "plain retention", plain.MessageRetention, 3*model.Day)
	eq(t, "plain retain", plain.RetainAckedMessages, true)
	eq(t, "plain expiration", plain.Expiration, model.Expiration{TTL: 40 * model.Day})
	eq(t, "plain retry", *plain.RetryPolicy, model.RetryPolicy{MinimumBackoff: 30 * time.Second, MaximumBackoff: 600 * time.Second})
	eq(t, "plain retry min provenance", prov(&plain.Meta, "retry_policy.minimum_backoff"), "defaults block@12,25")
	eq(t, "plain retry max provenance", prov(&plain.Meta, "retry_policy.maximum_backoff"), "pubsubctl default")
	eq(t, "plain attempts", plain.DeadLetter.MaxDeliveryAttempts, 20)
	eq(t, "plain attempts provenance", prov(&plain.Meta, "dead_letter.max_delivery_attempts"), "defaults block@15,31")
	eq(t, "plain labels", plain.Labels["team"]+"/"+plain.Labels["tier"], "payments/1")
	eq(t, "plain label provenance", prov(&plain.Meta, "labels.team"), "defaults block@17,16")

	custom := subByAddr(t, c, "subscription.custom")
	eq(t, "custom ack", custom.AckDeadline, 20*time.Second)
	eq(t, "custom ack provenance", prov(&custom.Meta, "ack_deadline"), "configuration@35,18")
	eq(t, "custom retry", *custom.RetryPolicy, model.RetryPolicy{MinimumBackoff: 30 * time.Second, MaximumBackoff: time.Minute})
	eq(t, "custom retry max provenance", prov(&custom.Meta, "retry_policy.maximum_backoff"), "configuration@37,23")
	eq(t, "custom labels", custom.Labels["team"]+"/"+custom.Labels["tier"], "payments/2")
	eq(t, "custom tier provenance", prov(&custom.Meta, "labels.tier"), "configuration@39,14")

	tp := topicByAddr(t, c, "topic.t")
	eq(t, "topic retention", tp.MessageRetention, 2*model.Day)
	eq(t, "topic retention provenance", prov(&tp.Meta, "message_retention"), "defaults block@20,25")
	eq(t, "topic team", tp.Labels["team"], "risk")
	eq(t, "topic team provenance", prov(&tp.Meta, "labels.team"), "configuration@26,14")
}

func TestDefaultsOptOuts(t *testing.T) {
	noValidate(t)
	res := mustLoad(t, header+`defaults {
  subscription {
    retry_policy = false
    dead_letter {
      enabled = false
      reason  = "consumers handle poison messages"
    }
  }
}

topic "t" {}

subscription "s" {
  topic = topic.t
}

subscription "opted-in" {
  topic = topic.t
  dead_letter {}
  retry_policy {}
}
`, Options{})
	d := res.Defaults.Subscription
	eq(t, "retry off", d.RetryPolicyOff, true)
	eq(t, "dead letter off", *d.DeadLetterOff, model.OptOut{Reason: "consumers handle poison messages"})
	s := subByAddr(t, res.Config, "subscription.s")
	if s.RetryPolicy != nil || s.DeadLetter != nil {
		t.Errorf("retry %+v, dead letter %+v: want both off", s.RetryPolicy, s.DeadLetter)
	}
	eq(t, "opt-out", *s.DeadLetterOptOut, model.OptOut{Reason: "consumers handle poison messages"})
	eq(t, "dead_letter provenance", prov(&s.Meta, "dead_letter"), "defaults block@8,5")
	in := subByAddr(t, res.Config, "subscription.opted-in")
	eq(t, "opted-in dead letter", *in.DeadLetter, model.DeadLetter{Topic: "projects/p1/topics/opted-in-dlq", MaxDeliveryAttempts: 5})
	eq(t, "opted-in retry", *in.RetryPolicy, model.RetryPolicy{MinimumBackoff: 10 * time.Second, MaximumBackoff: 600 * time.Second})
	eq(t, "addresses", addrs(res.Config), []string{"topic.t", "topic.opted-in-dlq", "subscription.s", "subscription.opted-in", "subscription.opted-in-dlq"})
}

func TestForEach(t *testing.T) {
	noValidate(t)
	res := mustLoad(t, header+`variable "teams" {
  default = {
    eu = { retention = "1h", owner = "alice" }
    us = { retention = "2h", owner = "bob" }
  }
}

topic "regional" {
  for_each          = var.teams
  name              = "orders-${each.key}"
  message_retention = each.value.retention
  labels            = { owner = each.value.owner }
}

subscription "audit" {
  for_each = toset(["eu", "us"])
  name     = "orders-audit-${each.key}"
  topic    = topic.regional[each.key]
  filter   = "attributes.region = \"${each.value}\""
}

subscription "all-eu" {
  topic = topic.regional["eu"]
}
`, Options{})
	c := res.Config
	eu := topicByAddr(t, c, `topic.regional["eu"]`)
	eq(t, "eu addr", eu.Addr, model.Address{Kind: model.KindTopic, Name: "regional", Key: "eu", HasKey: true})
	eq(t, "eu name", eu.Name, "orders-eu")
	eq(t, "eu retention", eu.MessageRetention, time.Hour)
	eq(t, "eu owner", eu.Labels["owner"], "alice")
	eq(t, "eu name provenance", prov(&eu.Meta, "name"), "configuration@14,23")
	us := topicByAddr(t, c, `topic.regional["us"]`)
	eq(t, "us name", us.Name, "orders-us")
	eq(t, "us retention", us.MessageRetention, 2*time.Hour)
	a := subByAddr(t, c, `subscription.audit["us"]`)
	eq(t, "audit name", a.Name, "orders-audit-us")
	eq(t, "audit topic", a.Topic, "projects/p1/topics/orders-us")
	eq(t, "audit filter", a.Filter, `attributes.region = "us"`)
	eq(t, "all-eu topic", subByAddr(t, c, "subscription.all-eu").Topic, "projects/p1/topics/orders-eu")
	var got []string
	for _, s := range c.Subscriptions {
		if s.DerivedFrom == nil {
			got = append(got, s.Addr.String())
		}
	}
	eq(t, "subscriptions", got, []string{`subscription.audit["eu"]`, `subscription.audit["us"]`, "subscription.all-eu"})
}

func TestForEachEmptyAndWholeMap(t *testing.T) {
	noValidate(t)
	res := mustLoad(t, header+`topic "none" {
  for_each = toset([])
  name     = each.key
}

topic "pair" {
  for_each = toset(["a1x", "b2x"])
  name     = "pair-${each.key}"
}

locals {
  pair_names = topic.pair
  nones      = length(topic.none)
}

topic "summary" {
  labels = {
    count = tostring(length(local.pair_names))
    nones = tostring(local.nones)
    first = replace(local.pair_names["a1x"], "/", "_")
  }
}
`, Options{})
	tp := topicByAddr(t, res.Config, "topic.summary")
	eq(t, "labels", tp.Labels["count"]+" "+tp.Labels["nones"]+" "+tp.Labels["first"], "2 0 projects_p1_topics_pair-a1x")
}

func TestReferences(t *testing.T) {
	noValidate(t)
	res := mustLoad(t, header+`schema "order" {
  type       = "AVRO"
  definition = "{}"
}

topic "orders" {
  name = "orders-v2"
  schema {
    name     = schema.order
    encoding = "BINARY"
  }
}

topic "short" {
  schema {
    name = "order"
  }
}

subscription "by-ref" {
  topic = topic.orders
  dead_letter {
    topic = "projects/other-project/topics/shared-dlq"
  }
}

subscription "by-id" {
  topic = "orders-v2"
  dead_letter {
    topic = topic.short
  }
}

subscription "by-full-name" {
  topic = "projects/p1/topics/orders-v2"
}
`, Options{Project: "p1"})
	c := res.Config
	o := topicByAddr(t, c, "topic.orders")
	eq(t, "schema", *o.Schema, model.SchemaSettings{Schema: "projects/p1/schemas/order", Encoding: "BINARY"})
	eq(t, "short schema", topicByAddr(t, c, "topic.short").Schema.Schema, "projects/p1/schemas/order")
	r := subByAddr(t, c, "subscription.by-ref")
	eq(t, "by-ref topic", r.Topic, "projects/p1/topics/orders-v2")
	eq(t, "by-ref dlq", r.DeadLetter.Topic, "projects/other-project/topics/shared-dlq")
	eq(t, "by-ref dlq provenance", prov(&r.Meta, "dead_letter.topic"), "configuration@27,13")
	eq(t, "by-id topic", subByAddr(t, c, "subscription.by-id").Topic, "projects/p1/topics/orders-v2")
	eq(t, "by-id dlq", subByAddr(t, c, "subscription.by-id").DeadLetter.Topic, "projects/p1/topics/short")
	eq(t, "by-full-name", subByAddr(t, c, "subscription.by-full-name").Topic, "projects/p1/topics/orders-v2")
	// No project number: no service-agent grants.
	if len(c.ExternalBindings) != 0 {
		t.Errorf("external bindings without project number: %+v", c.ExternalBindings)
	}
}

func TestCrossProjectDeadLetterGrant(t *testing.T) {
	noValidate(t)
	res := mustLoad(t, `pubsubctl {
  project        = "p1"
  stack          = "x"
  project_number = 123456789012
}
topic "t" {}
subscription "s" {
  topic = topic.t
  dead_letter {
    topic = "projects/other/topics/dlq"
  }
}
`, Options{})
	c := res.Config
	eq(t, "project number", c.ProjectNumber, "123456789012")
	eq(t, "project number provenance", prov(&c.Meta, "project_number"), "configuration@4,20")
	if len(c.ExternalBindings) != 1 || c.ExternalBindings[0].Resource != "projects/other/topics/dlq" {
		t.Fatalf("external bindings = %+v", c.ExternalBindings)
	}
}

func TestProjectPrecedence(t *testing.T) {
	noValidate(t)
	withBlock := `pubsubctl {
  project = "from-block"
  stack   = "s"
}
`
	without := `pubsubctl {
  stack = "s"
}
topic "t" {}
`
	env := []string{"PUBSUBCTL_PROJECT=from-env", "GOOGLE_CLOUD_PROJECT=from-google"}
	tests := []struct {
		name, src string
		opts      Options
		want      string
	}{
		{"flag wins", withBlock, Options{Project: "from-flag", Env: env}, "from-flag"},
		{"block", withBlock, Options{Env: env}, "from-block"},
		{"PUBSUBCTL_PROJECT", without, Options{Env: env}, "from-env"},
		{"GOOGLE_CLOUD_PROJECT", without, Options{Env: env[1:]}, "from-google"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := mustLoad(t, tt.src, tt.opts)
			eq(t, "project", res.Config.Project, tt.want)
		})
	}
	res := mustLoad(t, without, Options{Env: env})
	eq(t, "topic name", topicByAddr(t, res.Config, "topic.t").Labels["managed-by"], "pubsubctl")
	if res.Config.Meta.IsSet("project") {
		t.Error("project from the environment recorded as configuration")
	}
}

func TestLocals(t *testing.T) {
	noValidate(t)
	res := mustLoad(t, header+`variable "env" {
  default = "prod"
}

locals {
  # Locals may be declared in any order and across blocks.
  full   = "${local.prefix}-${var.env}"
  prefix = "shop"
}

locals {
  orders_topic = topic.orders
  labels       = { env = var.env, prefix = local.prefix }
}

topic "orders" {
  name   = "${local.full}-orders"
  labels = local.labels
}

subscription "s" {
  topic = local.orders_topic
}
`, Options{})
	c := res.Config
	o := topicByAddr(t, c, "topic.orders")
	eq(t, "name", o.Name, "shop-prod-orders")
	eq(t, "labels", o.Labels["env"]+"/"+o.Labels["prefix"], "prod/shop")
	eq(t, "topic", subByAddr(t, c, "subscription.s").Topic, "projects/p1/topics/shop-prod-orders")
}

func TestIAM(t *testing.T) {
	noValidate(t)
	res := mustLoad(t, header+`topic "t" {
  publishers = [
    "serviceAccount:a@p1.iam.gserviceaccount.com",
    "group:pub@example.com",
  ]
  viewers    = ["domain:example.com"]
  iam_policy = "authoritative"
  iam {
    role        = "roles/pubsub.editor"
    members     = ["user:ops@example.com"]
    allow_broad = true
  }
  iam {
    role    = "roles/pubsub.viewer"
    members = toset(["user:x@example.com"])
    condition {
      title      = "until 2030"
      expression = "request.time < timestamp(\"2030-01-01T00:00:00Z\")"
    }
  }
}

subscription "s" {
  topic       = topic.t
  subscribers = ["user:sub@example.com"]
}

schema "sc" {
  type       = "AVRO"
  definition = "{}"
  viewers    = ["user:v@example.com"]
}
`, Options{})
	c := res.Config
	p := topicByAddr(t, c, "topic.t").IAM
	eq(t, "authoritative", p.Authoritative, true)
	if len(p.Bindings) != 4 {
		t.Fatalf("bindings = %+v", p.Bindings)
	}
	b := p.Bindings[0]
	eq(t, "publishers", b.Role+" "+b.Origin+" "+strings.Join(b.Members, ","), "roles/pubsub.publisher publishers serviceAccount:a@p1.iam.gserviceaccount.com,group:pub@example.com")
	eq(t, "publishers range", pos(b.Range), "6,16")
	eq(t, "member ranges", []string{pos(b.MemberRanges[0]), pos(b.MemberRanges[1])}, []string{"7,5", "8,5"})
	eq(t, "viewers", p.Bindings[1].Role+" "+p.Bindings[1].Origin, "roles/pubsub.viewer viewers")
	e := p.Bindings[2]
	eq(t, "iam block", fmt.Sprint(e.Role, " ", e.Origin, " ", e.AllowBroad, " ", e.Members), "roles/pubsub.editor iam true [user:ops@example.com]")
	eq(t, "iam block range", pos(e.Range), "13,19")
	eq(t, "condition", p.Bindings[3].Condition, `request.time < timestamp("2030-01-01T00:00:00Z")`)
	s := subByAddr(t, c, "subscription.s").IAM.Bindings
	eq(t, "subscribers", s[0].Role+" "+s[0].Origin, "roles/pubsub.subscriber subscribers")
	sc := c.Schemas[0].IAM.Bindings
	eq(t, "schema viewers", sc[0].Role+" "+sc[0].Members[0], "roles/pubsub.viewer user:v@example.com")
}

func TestSubscriptionFields(t *testing.T) {
	noValidate(t)
	res := mustLoad(t, header+`topic "t" {}

subscription "pull" {
  topic                        = topic.t
  ack_deadline                 = "90s"
  message_retention            = "10d"
  retain_acked_messages        = true
  expiration                   = "never"
  filter                       = "attributes:env"
  enable_message_ordering      = true
  enable_exactly_once_delivery = true
  retry_policy                 = false
  dead_letter                  = false
  labels                       = { team = "a" }
  lifecycle {
    prevent_destroy = true
  }
}

subscription "push" {
  topic      = topic.t
  expiration = "45d"
  push {
    endpoint   = "https://example.com/push"
    attributes = { x-goog-version = "v1" }
    oidc {
      service_account = "sa@p1.iam.gserviceaccount.com"
      audience        = "aud"
    }
    no_wrapper {
      write_metadata = true
    }
  }
  dead_letter {
    enabled = false
    reason  = "the endpoint dead-letters itself"
  }
}

subscription "bq" {
  topic = topic.t
  bigquery {
    table               = "p1.ds.tbl"
    use_table_schema    = true
    write_metadata      = true
    drop_unknown_fields = true
    service_account     = "bq@p1.iam.gserviceaccount.com"
  }
  retry_policy {
    minimum_backoff = "1s"
    maximum_backoff = "2m"
  }
}

subscription "gcs" {
  topic = topic.t
  cloud_storage {
    bucket                   = "bkt"
    filename_prefix          = "pre/"
    filename_suffix          = ".avro"
    filename_datetime_format = "YYYY-MM-DD"
    max_duration             = "5m"
    max_bytes                = 1000000
    max_messages             = 5000
    service_account          = "gcs@p1.iam.gserviceaccount.com"
    avro {
      write_metadata   = true
      use_topic_schema = true
    }
  }
}

subscription "gcs-text" {
  topic = topic.t
  cloud_storage {
    bucket = "bkt"
    text {}
  }
}
`, Options{})
	c := res.Config
	p := subByAddr(t, c, "subscription.pull")
	eq(t, "pull", fmt.Sprintf("%v %v %v %v %v %v %v", p.AckDeadline, p.MessageRetention, p.RetainAckedMessages, p.Expiration, p.Filter, p.EnableMessageOrdering, p.EnableExactlyOnceDelivery),
		"1m30s 240h0m0s true never attributes:env true true")
	if p.RetryPolicy != nil || p.DeadLetter != nil || p.DeadLetterOptOut == nil || p.DeadLetterOptOut.Reason != "" {
		t.Errorf("pull: retry %+v, dead letter %+v, opt-out %+v", p.RetryPolicy, p.DeadLetter, p.DeadLetterOptOut)
	}
	eq(t, "retry provenance", prov(&p.Meta, "retry_policy"), "configuration@16,34")
	eq(t, "dead_letter provenance", prov(&p.Meta, "dead_letter"), "configuration@17,34")
	eq(t, "prevent destroy", p.Lifecycle.PreventDestroy, true)
	eq(t, "lifecycle provenance", prov(&p.Meta, "lifecycle.prevent_destroy"), "configuration@20,23")
	eq(t, "delivery", p.DeliveryType(), "pull")

	ps := subByAddr(t, c, "subscription.push")
	eq(t, "expiration", ps.Expiration, model.Expiration{TTL: 45 * model.Day})
	eq(t, "push", *ps.Push, model.PushConfig{
		Endpoint:   "https://example.com/push",
		Attributes: map[string]string{"x-goog-version": "v1"},
		OIDC:       &model.OIDCToken{ServiceAccount: "sa@p1.iam.gserviceaccount.com", Audience: "aud"},
		NoWrapper:  &model.NoWrapper{WriteMetadata: true},
	})
	eq(t, "push endpoint provenance", prov(&ps.Meta, "push.endpoint"), "configuration@28,18")
	eq(t, "oidc provenance", prov(&ps.Meta, "push.oidc.audience"), "configuration@32,25")
	eq(t, "opt-out", *ps.DeadLetterOptOut, model.OptOut{Reason: "the endpoint dead-letters itself"})
	eq(t, "dead letter", ps.DeadLetter, (*model.DeadLetter)(nil))

	bq := subByAddr(t, c, "subscription.bq")
	eq(t, "bigquery", *bq.BigQuery, model.BigQueryConfig{Table: "p1.ds.tbl", UseTableSchema: true, WriteMetadata: true, DropUnknownFields: true, ServiceAccount: "bq@p1.iam.gserviceaccount.com"})
	eq(t, "retry", *bq.RetryPolicy, model.RetryPolicy{MinimumBackoff: time.Second, MaximumBackoff: 2 * time.Minute})
	eq(t, "retry provenance", prov(&bq.Meta, "retry_policy.minimum_backoff"), "configuration@54,23")

	gcs := subByAddr(t, c, "subscription.gcs")
	eq(t, "cloud storage", *gcs.CloudStorage, model.CloudStorageConfig{
		Bucket: "bkt", FilenamePrefix: "pre/", FilenameSuffix: ".avro", FilenameDatetimeFormat: "YYYY-MM-DD",
		MaxDuration: 5 * time.Minute, MaxBytes: 1000000, MaxMessages: 5000, ServiceAccount: "gcs@p1.iam.gserviceaccount.com",
		Avro: &model.AvroConfig{WriteMetadata: true, UseTopicSchema: true},
	})
	eq(t, "text", *subByAddr(t, c, "subscription.gcs-text").CloudStorage, model.CloudStorageConfig{Bucket: "bkt", Text: true})
}

func TestTopicFields(t *testing.T) {
	noValidate(t)
	res := mustLoad(t, header+`topic "t" {
  kms_key_name      = "projects/p1/locations/europe-west1/keyRings/r/cryptoKeys/k"
  message_retention = "31d"
  message_storage_policy {
    allowed_persistence_regions = ["europe-west1", "europe-west4"]
    enforce_in_transit          = true
  }
  schema {
    name              = "projects/other/schemas/shared"
    encoding          = "JSON"
    first_revision_id = "a1b2c3d4"
    last_revision_id  = "e5f6a7b8"
  }
  lifecycle {
    prevent_destroy = true
  }
}
`, Options{})
	tp := topicByAddr(t, res.Config, "topic.t")
	eq(t, "kms", tp.KMSKeyName, "projects/p1/locations/europe-west1/keyRings/r/cryptoKeys/k")
	eq(t, "retention", tp.MessageRetention, 31*model.Day)
	eq(t, "storage policy", *tp.StoragePolicy, model.StoragePolicy{AllowedPersistenceRegions: []string{"europe-west1", "europe-west4"}, EnforceInTransit: true})
	eq(t, "schema", *tp.Schema, model.SchemaSettings{Schema: "projects/other/schemas/shared", Encoding: "JSON", FirstRevisionID: "a1b2c3d4", LastRevisionID: "e5f6a7b8"})
	eq(t, "lifecycle", tp.Lifecycle.PreventDestroy, true)
	eq(t, "regions provenance", prov(&tp.Meta, "message_storage_policy.allowed_persistence_regions"), "configuration@9,35")
	eq(t, "schema provenance", prov(&tp.Meta, "schema.first_revision_id"), "configuration@15,25")
}

func TestNullMeansUnset(t *testing.T) {
	noValidate(t)
	res := mustLoad(t, header+`variable "ack" {
  type    = string
  default = null
}
topic "t" {
  name = null
}
subscription "s" {
  topic        = topic.t
  ack_deadline = var.ack
  dead_letter  = null
}
`, Options{})
	s := subByAddr(t, res.Config, "subscription.s")
	eq(t, "ack", prov(&s.Meta, "ack_deadline"), "pubsubctl default")
	eq(t, "topic", s.Topic, "projects/p1/topics/t")
	if s.DeadLetter == nil {
		t.Error("dead_letter = null should keep the default")
	}
}

func TestMultipleFiles(t *testing.T) {
	noValidate(t)
	dir := writeDir(t, map[string]string{
		"b-subs.hcl":  "subscription \"s\" {\n  topic = topic.t\n}\n",
		"a-main.hcl":  header,
		"c-topic.hcl": "topic \"t\" {}\n",
		"notes.txt":   "not configuration",
		".hidden.hcl": "garbage {",
	})
	res, diags := Load(Options{Dir: dir})
	if diags.HasErrors() {
		t.Fatal(diagLines(diags))
	}
	var names []string
	for name := range res.Files {
		names = append(names, filepath.Base(name))
	}
	sort.Strings(names)
	eq(t, "files", names, []string{"a-main.hcl", "b-subs.hcl", "c-topic.hcl"})
	s := subByAddr(t, res.Config, "subscription.s")
	eq(t, "decl file", filepath.Base(s.Meta.DeclRange.Filename), "b-subs.hcl")
	eq(t, "topic", s.Topic, "projects/p1/topics/t")
}

func TestParseErrorsReturnFiles(t *testing.T) {
	res, diags := loadSrc(t, header+"topic \"t\" {\n", Options{})
	if !diags.HasErrors() {
		t.Fatal("want a syntax error")
	}
	if res == nil || len(res.Files) != 1 || res.Config != nil {
		t.Fatalf("result = %+v", res)
	}
}

func TestNoFiles(t *testing.T) {
	dir := t.TempDir()
	res, diags := Load(Options{Dir: dir})
	if res != nil {
		t.Errorf("result = %+v", res)
	}
	if len(diags) != 1 || diags[0].Summary != "No configuration files" || diags[0].Subject == nil {
		t.Fatalf("diags = %s", diagLines(diags))
	}
	_, diags = Load(Options{Dir: filepath.Join(dir, "missing")})
	if len(diags) != 1 || diags[0].Summary != "Cannot read configuration directory" {
		t.Fatalf("diags = %s", diagLines(diags))
	}
}

func TestResultOnSemanticErrors(t *testing.T) {
	noValidate(t)
	res, diags := loadSrc(t, header+`topic "t" {
  labels = { a = 1 }
}
subscription "s" {
  topic = topic.t
}
`, Options{})
	if !diags.HasErrors() || res == nil || res.Config == nil || len(res.Files) != 1 {
		t.Fatalf("res = %+v, diags = %s", res, diagLines(diags))
	}
	eq(t, "topic", subByAddr(t, res.Config, "subscription.s").Topic, "projects/p1/topics/t")
}

func TestFormat(t *testing.T) {
	src := "topic \"t\" {\nlabels = {a=\"b\"}\n   message_retention=\"1h\"\n}\n"
	want := "topic \"t\" {\n  labels            = { a = \"b\" }\n  message_retention = \"1h\"\n}\n"
	got := string(Format([]byte(src)))
	eq(t, "formatted", got, want)
	eq(t, "idempotent", string(Format([]byte(got))), want)
}

func TestVariableTypes(t *testing.T) {
	noValidate(t)
	res := mustLoad(t, header+`variable "s" {
  type = string
}
variable "n" {
  type    = number
  default = 3
}
variable "b" {
  type = bool
}
variable "l" {
  type = list(string)
}
variable "m" {
  type = map(number)
}
variable "o" {
  type = object({ name = string, size = optional(number, 7) })
}
variable "a" {}
variable "a2" {
  type = any
}
`, Options{Vars: map[string]string{
		"s":  "hello world",
		"n":  "42",
		"b":  "true",
		"l":  `["x", "y"]`,
		"m":  `{ a = 1, b = 2 }`,
		"o":  `{ name = "n" }`,
		"a":  "plain text",
		"a2": `[1, 2]`,
	}})
	got := map[string]cty.Value{}
	for _, v := range res.Variables {
		got[v.Name] = v.Value
		eq(t, v.Name+" source", v.Source, SourceFlag)
	}
	want := map[string]cty.Value{
		"s":  cty.StringVal("hello world"),
		"n":  cty.NumberIntVal(42),
		"b":  cty.True,
		"l":  cty.ListVal([]cty.Value{cty.StringVal("x"), cty.StringVal("y")}),
		"m":  cty.MapVal(map[string]cty.Value{"a": cty.NumberIntVal(1), "b": cty.NumberIntVal(2)}),
		"o":  cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal("n"), "size": cty.NumberIntVal(7)}),
		"a":  cty.StringVal("plain text"),
		"a2": cty.TupleVal([]cty.Value{cty.NumberIntVal(1), cty.NumberIntVal(2)}),
	}
	for name, w := range want {
		if g, ok := got[name]; !ok || !g.RawEquals(w) {
			t.Errorf("var.%s = %#v, want %#v", name, g, w)
		}
	}
	var names []string
	for _, v := range res.Variables {
		names = append(names, v.Name)
	}
	eq(t, "sorted names", names, []string{"a", "a2", "b", "l", "m", "n", "o", "s"})
}
