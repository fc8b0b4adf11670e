package model

import (
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"
)

// line returns a one-line range on line n of main.hcl, columns 10..20.
func line(n int) hcl.Range {
	return hcl.Range{
		Filename: "main.hcl",
		Start:    hcl.Pos{Line: n, Column: 10, Byte: n * 100},
		End:      hcl.Pos{Line: n, Column: 20, Byte: n*100 + 10},
	}
}

// userSet records a user-written field on line n, the way the loader does.
func userSet(m *Meta, path string, n int) {
	r := line(n)
	m.Set(path, SourceUser, &r)
}

// baseConfig is a small valid configuration (before ApplyDefaults): one
// schema, one topic with a publisher, one pull subscription with a
// subscriber.
func baseConfig() *Config {
	c := &Config{Project: "demo-project", Stack: "test", ProjectNumber: "123456789012"}
	c.Meta.DeclRange = line(1)
	userSet(&c.Meta, "project", 2)
	userSet(&c.Meta, "stack", 3)
	sc := &Schema{
		Addr:       Address{Kind: KindSchema, Name: "order"},
		Name:       "order",
		Type:       "AVRO",
		Definition: `{"type": "record", "name": "Order", "fields": [{"name": "id", "type": "string"}]}`,
		Meta:       Meta{DeclRange: line(10)},
	}
	userSet(&sc.Meta, "name", 10)
	userSet(&sc.Meta, "type", 11)
	userSet(&sc.Meta, "definition", 12)
	t := &Topic{
		Addr:   Address{Kind: KindTopic, Name: "orders"},
		Name:   "orders",
		Labels: map[string]string{"team": "checkout"},
		Schema: &SchemaSettings{Schema: "projects/demo-project/schemas/order", Encoding: "JSON"},
		IAM: IAM{Bindings: []Binding{{
			Role: RolePublisher, Members: []string{"serviceAccount:checkout@demo-project.iam.gserviceaccount.com"},
			Origin: "publishers", Range: line(24), MemberRanges: []hcl.Range{line(24)},
		}}},
		Meta: Meta{DeclRange: line(20)},
	}
	userSet(&t.Meta, "name", 20)
	userSet(&t.Meta, "labels.team", 21)
	userSet(&t.Meta, "schema.name", 22)
	userSet(&t.Meta, "schema.encoding", 23)
	s := &Subscription{
		Addr:   Address{Kind: KindSubscription, Name: "orders-billing"},
		Name:   "orders-billing",
		Topic:  "projects/demo-project/topics/orders",
		Labels: map[string]string{"team": "billing"},
		IAM: IAM{Bindings: []Binding{{
			Role: RoleSubscriber, Members: []string{"serviceAccount:billing@demo-project.iam.gserviceaccount.com"},
			Origin: "subscribers", Range: line(34), MemberRanges: []hcl.Range{line(34)},
		}}},
		Meta: Meta{DeclRange: line(30)},
	}
	userSet(&s.Meta, "name", 30)
	userSet(&s.Meta, "topic", 31)
	userSet(&s.Meta, "labels.team", 32)
	c.Schemas = []*Schema{sc}
	c.Topics = []*Topic{t}
	c.Subscriptions = []*Subscription{s}
	return c
}

func topic0(c *Config) *Topic      { return c.Topics[0] }
func sub0(c *Config) *Subscription { return c.Subscriptions[0] }
func schema0(c *Config) *Schema    { return c.Schemas[0] }
func dur(s string) time.Duration   { d, err := ParseDuration(s); must(err); return d }
func must(err error) {
	if err != nil {
		panic(err)
	}
}
func addSub(c *Config, name string) *Subscription {
	s := &Subscription{
		Addr:  Address{Kind: KindSubscription, Name: name},
		Name:  name,
		Topic: "projects/demo-project/topics/orders",
		Meta:  Meta{DeclRange: line(40)},
	}
	userSet(&s.Meta, "name", 40)
	c.Subscriptions = append(c.Subscriptions, s)
	return s
}

func pushSub(c *Config, endpoint string) *Subscription {
	s := sub0(c)
	s.Push = &PushConfig{Endpoint: endpoint}
	userSet(&s.Meta, "push", 35)
	userSet(&s.Meta, "push.endpoint", 35)
	return s
}

func bind(role string, members ...string) Binding {
	b := Binding{Role: role, Members: members, Origin: "iam", Range: line(50)}
	for i := range members {
		b.MemberRanges = append(b.MemberRanges, line(51+i))
	}
	return b
}

type vcase struct {
	name    string
	mutate  func(c *Config)
	summary string // "" means: no diagnostics at all
	sev     hcl.DiagnosticSeverity
	line    int // expected subject line, when not 0
}

const (
	E = hcl.DiagError
	W = hcl.DiagWarning
)

var validateCases = []vcase{
	{name: "valid base", mutate: func(c *Config) {}},

	// pubsubctl block
	{"project missing", func(c *Config) { c.Project = "" }, "Missing project ID", E, 2},
	{"project too short", func(c *Config) { c.Project = "demo" }, "Invalid project ID", E, 2},
	{"project upper case", func(c *Config) { c.Project = "Demo-Project" }, "Invalid project ID", E, 2},
	{"project trailing hyphen", func(c *Config) { c.Project = "demo-project-" }, "Invalid project ID", E, 2},
	{"project domain scoped ok", func(c *Config) {
		c.Project = "example.com:demo-project"
		topic0(c).Schema.Schema = "projects/example.com:demo-project/schemas/order"
		sub0(c).Topic = "projects/example.com:demo-project/topics/orders"
	}, "", 0, 0},
	{"stack missing", func(c *Config) { c.Stack = "" }, "Missing stack name", E, 3},
	{"stack not a label value", func(c *Config) { c.Stack = "Shop" }, "Invalid stack name", E, 3},
	{"project number not digits", func(c *Config) { c.ProjectNumber = "demo-project" }, "Invalid project number", E, 1},

	// names
	{"topic name goog", func(c *Config) { topic0(c).Name = "goog-x" }, "Invalid topic name", E, 20},
	{"topic name GOOG upper", func(c *Config) { topic0(c).Name = "Google-x" }, "Invalid topic name", E, 20},
	{"topic name too short", func(c *Config) { topic0(c).Name = "ab" }, "Invalid topic name", E, 20},
	{"topic name starts with digit", func(c *Config) { topic0(c).Name = "1abc" }, "Invalid topic name", E, 20},
	{"topic name bad char", func(c *Config) { topic0(c).Name = "a/bc" }, "Invalid topic name", E, 20},
	{"topic name 256", func(c *Config) { topic0(c).Name = "a" + strings.Repeat("b", 255) }, "Invalid topic name", E, 20},
	{"topic name all special chars ok", func(c *Config) {
		topic0(c).Name = "a-_.~+%b"
		sub0(c).Topic = "projects/demo-project/topics/a-_.~+%b"
	}, "", 0, 0},
	{"subscription name bad", func(c *Config) { sub0(c).Name = "_x" }, "Invalid subscription name", E, 30},
	{"schema name bad", func(c *Config) { schema0(c).Name = "x" }, "Invalid schema name", E, 10},
	{"derived dead-letter name too long", func(c *Config) {
		sub0(c).Name = "s" + strings.Repeat("x", 252) // 253: valid; +"-dlq" is 257
	}, "Invalid dead-letter name", E, 30},
	{"duplicate topic", func(c *Config) {
		t := &Topic{Addr: Address{Kind: KindTopic, Name: "orders2"}, Name: "orders", Meta: Meta{DeclRange: line(60)}}
		c.Topics = append(c.Topics, t)
	}, "Duplicate topic name", E, 60},
	{"duplicate subscription for_each", func(c *Config) {
		a := addSub(c, "audit")
		a.Addr.Key, a.Addr.HasKey = "eu", true
		b := addSub(c, "audit")
		b.Addr.Key, b.Addr.HasKey = "us", true
		userSet(&b.Meta, "name", 41)
	}, "Duplicate subscription name", E, 41},
	{"derived dead-letter topic collides with user topic", func(c *Config) {
		t := &Topic{Addr: Address{Kind: KindTopic, Name: "dlq"}, Name: "orders-billing-dlq", Meta: Meta{DeclRange: line(60)}}
		c.Topics = append(c.Topics, t)
	}, "Duplicate topic name", E, 30},

	// labels
	{"label key upper", func(c *Config) { topic0(c).Labels["Team"] = "x" }, "Invalid label key", E, 20},
	{"label key digit first", func(c *Config) { topic0(c).Labels["1team"] = "x" }, "Invalid label key", E, 20},
	{"label key international ok", func(c *Config) { topic0(c).Labels["équipe"] = "caisse" }, "", 0, 0},
	{"label value upper", func(c *Config) { topic0(c).Labels["team"] = "Checkout" }, "Invalid label value", E, 21},
	{"label value too long", func(c *Config) { sub0(c).Labels["team"] = strings.Repeat("a", 64) }, "Invalid label value", E, 32},
	{"label value empty ok", func(c *Config) { sub0(c).Labels["team"] = "" }, "", 0, 0},
	{"reserved label", func(c *Config) {
		topic0(c).Labels[LabelManagedBy] = "terraform"
		userSet(&topic0(c).Meta, "labels."+LabelManagedBy, 25)
	}, "Reserved label key", E, 25},
	{"too many labels", func(c *Config) {
		for i := range 63 {
			topic0(c).Labels["k"+string(rune('a'+i%26))+strings.Repeat("x", i/26)] = "v"
		}
	}, "Too many labels", E, 20},
	{"62 user labels ok", func(c *Config) {
		clear(topic0(c).Labels)
		for i := range 62 {
			topic0(c).Labels["k"+string(rune('a'+i%26))+strings.Repeat("x", i/26)] = "v"
		}
	}, "", 0, 0},

	// topics
	{"topic retention too short", func(c *Config) {
		topic0(c).MessageRetention = dur("5m")
		userSet(&topic0(c).Meta, "message_retention", 26)
	}, "Invalid message retention", E, 26},
	{"topic retention 32d", func(c *Config) { topic0(c).MessageRetention = dur("32d") }, "Invalid message retention", E, 20},
	{"topic retention 31d ok", func(c *Config) { topic0(c).MessageRetention = dur("31d") }, "", 0, 0},
	{"topic retention 10m ok", func(c *Config) {
		topic0(c).MessageRetention = dur("10m")
		userSet(&topic0(c).Meta, "message_retention", 26)
	}, "", 0, 0},
	{"topic retention explicit 0s", func(c *Config) {
		topic0(c).MessageRetention = 0
		userSet(&topic0(c).Meta, "message_retention", 26)
	}, "Invalid message retention", E, 26},
	{"topic retention 0s from defaults", func(c *Config) {
		topic0(c).MessageRetention = 0
		topic0(c).Meta.Set("message_retention", SourceDefaults, nil)
	}, "Invalid message retention", E, 20},
	{"topic retention unset ok", func(c *Config) { topic0(c).MessageRetention = 0 }, "", 0, 0},
	{"kms key bad", func(c *Config) { topic0(c).KMSKeyName = "my-key" }, "Invalid KMS key name", E, 20},
	{"kms key ok", func(c *Config) {
		topic0(c).KMSKeyName = "projects/p/locations/europe-west1/keyRings/r/cryptoKeys/k"
	}, "", 0, 0},
	{"storage policy empty", func(c *Config) { topic0(c).StoragePolicy = &StoragePolicy{} }, "Empty message storage policy", E, 20},
	{"storage policy ok", func(c *Config) {
		topic0(c).StoragePolicy = &StoragePolicy{AllowedPersistenceRegions: []string{"europe-west1"}}
	}, "", 0, 0},
	{"schema encoding missing", func(c *Config) { topic0(c).Schema.Encoding = "" }, "Missing schema encoding", E, 23},
	{"schema encoding bad", func(c *Config) { topic0(c).Schema.Encoding = "XML" }, "Invalid schema encoding", E, 23},
	{"schema reference bad", func(c *Config) { topic0(c).Schema.Schema = "order" }, "Invalid schema reference", E, 22},

	// schemas (definitions are compiled by internal/config)
	{"schema type bad", func(c *Config) { schema0(c).Type = "JSON" }, "Invalid schema type", E, 11},
	{"schema definition empty", func(c *Config) { schema0(c).Definition = " " }, "Missing schema definition", E, 12},
	{"avro primitive ok", func(c *Config) { schema0(c).Definition = `"string"` }, "", 0, 0},
	{"proto ok", func(c *Config) {
		schema0(c).Type = "PROTOCOL_BUFFER"
		schema0(c).Definition = "syntax = \"proto3\";\nmessage Order { string id = 1; }"
	}, "", 0, 0},

	// subscriptions
	{"topic missing", func(c *Config) { sub0(c).Topic = "" }, "Missing topic", E, 31},
	{"topic reference bad", func(c *Config) { sub0(c).Topic = "orders" }, "Invalid topic reference", E, 31},
	{"topic in other project ok", func(c *Config) { sub0(c).Topic = "projects/other-project/topics/orders" }, "", 0, 0},
	{"ack deadline 5s", func(c *Config) {
		sub0(c).AckDeadline = dur("5s")
		userSet(&sub0(c).Meta, "ack_deadline", 36)
	}, "Invalid ack deadline", E, 36},
	{"ack deadline 601s", func(c *Config) {
		sub0(c).AckDeadline = dur("601s")
		userSet(&sub0(c).Meta, "ack_deadline", 36)
	}, "Invalid ack deadline", E, 36},
	{"ack deadline 0s", func(c *Config) {
		sub0(c).AckDeadline = 0
		userSet(&sub0(c).Meta, "ack_deadline", 36)
	}, "Invalid ack deadline", E, 36},
	{"ack deadline fraction", func(c *Config) {
		sub0(c).AckDeadline = 10500 * time.Millisecond
		userSet(&sub0(c).Meta, "ack_deadline", 36)
	}, "Invalid ack deadline", E, 36},
	{"ack deadline 10m ok", func(c *Config) {
		sub0(c).AckDeadline = dur("10m")
		userSet(&sub0(c).Meta, "ack_deadline", 36)
	}, "", 0, 0},
	{"sub retention 5m", func(c *Config) {
		sub0(c).MessageRetention = dur("5m")
		userSet(&sub0(c).Meta, "message_retention", 37)
	}, "Invalid message retention", E, 37},
	{"sub retention 31d ok", func(c *Config) {
		sub0(c).MessageRetention = dur("31d")
		userSet(&sub0(c).Meta, "message_retention", 37)
	}, "", 0, 0},
	{"expiration 12h", func(c *Config) {
		sub0(c).Expiration = Expiration{TTL: dur("12h")}
		userSet(&sub0(c).Meta, "expiration", 38)
	}, "Invalid expiration", E, 38},
	{"expiration shorter than retention", func(c *Config) {
		sub0(c).Expiration = Expiration{TTL: dur("2d")}
		userSet(&sub0(c).Meta, "expiration", 38)
	}, "Expiration shorter than message retention", E, 38},
	{"expiration 400d warns", func(c *Config) {
		sub0(c).Expiration = Expiration{TTL: dur("400d")}
		userSet(&sub0(c).Meta, "expiration", 38)
	}, "Long expiration", W, 38},
	{"expiration 30d ok", func(c *Config) {
		sub0(c).Expiration = Expiration{TTL: dur("30d")}
		userSet(&sub0(c).Meta, "expiration", 38)
	}, "", 0, 0},
	{"min backoff 601s", func(c *Config) {
		userSet(&sub0(c).Meta, "retry_policy", 39)
		sub0(c).RetryPolicy = &RetryPolicy{MinimumBackoff: dur("601s")}
		userSet(&sub0(c).Meta, "retry_policy.minimum_backoff", 39)
	}, "Invalid minimum backoff", E, 39},
	{"max backoff 11m", func(c *Config) {
		userSet(&sub0(c).Meta, "retry_policy", 39)
		sub0(c).RetryPolicy = &RetryPolicy{MaximumBackoff: dur("11m")}
		userSet(&sub0(c).Meta, "retry_policy.maximum_backoff", 39)
	}, "Invalid maximum backoff", E, 39},
	{"min backoff above max", func(c *Config) {
		userSet(&sub0(c).Meta, "retry_policy", 39)
		sub0(c).RetryPolicy = &RetryPolicy{MinimumBackoff: dur("60s"), MaximumBackoff: dur("30s")}
		userSet(&sub0(c).Meta, "retry_policy.minimum_backoff", 39)
		userSet(&sub0(c).Meta, "retry_policy.maximum_backoff", 40)
	}, "Minimum backoff exceeds maximum backoff", E, 39},
	{"max delivery attempts 3", func(c *Config) {
		userSet(&sub0(c).Meta, "dead_letter", 41)
		sub0(c).DeadLetter = &DeadLetter{MaxDeliveryAttempts: 3}
		userSet(&sub0(c).Meta, "dead_letter.max_delivery_attempts", 41)
	}, "Invalid max delivery attempts", E, 41},
	{"max delivery attempts 101", func(c *Config) {
		userSet(&sub0(c).Meta, "dead_letter", 41)
		sub0(c).DeadLetter = &DeadLetter{MaxDeliveryAttempts: 101}
		userSet(&sub0(c).Meta, "dead_letter.max_delivery_attempts", 41)
	}, "Invalid max delivery attempts", E, 41},
	{"dead letter to own topic", func(c *Config) {
		userSet(&sub0(c).Meta, "dead_letter", 41)
		sub0(c).DeadLetter = &DeadLetter{Topic: "projects/demo-project/topics/orders"}
		userSet(&sub0(c).Meta, "dead_letter.topic", 42)
	}, "Dead-letter topic is the subscription's topic", W, 42},
	{"dead letter topic bad", func(c *Config) {
		userSet(&sub0(c).Meta, "dead_letter", 41)
		sub0(c).DeadLetter = &DeadLetter{Topic: "failed"}
		userSet(&sub0(c).Meta, "dead_letter.topic", 42)
	}, "Invalid dead-letter topic", E, 42},
	{"dead letter opt-out without reason", func(c *Config) {
		sub0(c).DeadLetterOptOut = &OptOut{}
		userSet(&sub0(c).Meta, "dead_letter", 43)
	}, "Dead-lettering disabled", W, 43},
	{"dead letter opt-out with reason ok", func(c *Config) {
		sub0(c).DeadLetterOptOut = &OptOut{Reason: "idempotent consumer, replays from source"}
		userSet(&sub0(c).Meta, "dead_letter", 43)
	}, "", 0, 0},
	{"push and bigquery", func(c *Config) {
		s := pushSub(c, "https://example.com/push")
		s.BigQuery = &BigQueryConfig{Table: "demo-project.ds.t"}
		userSet(&s.Meta, "bigquery", 44)
	}, "Conflicting delivery types", E, 44},
	{"exactly once on push", func(c *Config) {
		s := pushSub(c, "https://example.com/push")
		s.EnableExactlyOnceDelivery = true
		userSet(&s.Meta, "enable_exactly_once_delivery", 45)
	}, "Exactly-once delivery not supported", E, 45},
	{"exactly once on pull ok", func(c *Config) { sub0(c).EnableExactlyOnceDelivery = true }, "", 0, 0},
	{"push http", func(c *Config) { pushSub(c, "http://example.com/push") }, "Invalid push endpoint", E, 35},
	{"push http localhost ok", func(c *Config) { pushSub(c, "http://localhost:8080/push") }, "", 0, 0},
	{"push http ipv6 loopback ok", func(c *Config) { pushSub(c, "http://[::1]:8080/push") }, "", 0, 0},
	{"push no host", func(c *Config) { pushSub(c, "https:///push") }, "Invalid push endpoint", E, 35},
	{"push relative", func(c *Config) { pushSub(c, "example.com/push") }, "Invalid push endpoint", E, 35},
	{"push empty", func(c *Config) { pushSub(c, "") }, "Invalid push endpoint", E, 35},
	{"push attribute unknown", func(c *Config) {
		pushSub(c, "https://example.com").Push.Attributes = map[string]string{"x-custom": "1"}
	}, "Invalid push attribute", E, 35},
	{"push attribute version bad", func(c *Config) {
		pushSub(c, "https://example.com").Push.Attributes = map[string]string{"x-goog-version": "v2"}
	}, "Invalid push attribute", E, 35},
	{"push attribute version ok", func(c *Config) {
		pushSub(c, "https://example.com").Push.Attributes = map[string]string{"x-goog-version": "v1beta1"}
	}, "", 0, 0},
	{"oidc member prefix", func(c *Config) {
		pushSub(c, "https://example.com").Push.OIDC = &OIDCToken{ServiceAccount: "serviceAccount:inv@demo-project.iam.gserviceaccount.com"}
	}, "Invalid OIDC service account", E, 35},
	{"oidc missing", func(c *Config) { pushSub(c, "https://example.com").Push.OIDC = &OIDCToken{Audience: "x"} }, "Invalid OIDC service account", E, 35},
	{"oidc and no wrapper ok", func(c *Config) {
		s := pushSub(c, "https://example.com")
		s.Push.OIDC = &OIDCToken{ServiceAccount: "inv@demo-project.iam.gserviceaccount.com"}
		s.Push.NoWrapper = &NoWrapper{WriteMetadata: true}
	}, "", 0, 0},
	{"bigquery table bad", func(c *Config) { sub0(c).BigQuery = &BigQueryConfig{Table: "ds.t"} }, "Invalid BigQuery table", E, 30},
	{"bigquery table colon ok", func(c *Config) { sub0(c).BigQuery = &BigQueryConfig{Table: "demo-project:ds.t"} }, "", 0, 0},
	{"bigquery table dots ok", func(c *Config) { sub0(c).BigQuery = &BigQueryConfig{Table: "demo-project.ds.t"} }, "", 0, 0},
	{"bigquery both schemas", func(c *Config) {
		sub0(c).BigQuery = &BigQueryConfig{Table: "demo-project.ds.t", UseTopicSchema: true, UseTableSchema: true}
	}, "Conflicting BigQuery schema options", E, 30},
	{"bigquery service account bad", func(c *Config) {
		sub0(c).BigQuery = &BigQueryConfig{Table: "demo-project.ds.t", ServiceAccount: "writer"}
	}, "Invalid service account", E, 30},
	{"cloud storage ok", func(c *Config) {
		sub0(c).CloudStorage = &CloudStorageConfig{Bucket: "my-bucket", FilenameSuffix: ".json", MaxDuration: dur("5m"), MaxBytes: 1 << 20, MaxMessages: 1000, Text: true}
	}, "", 0, 0},
	{"cloud storage no bucket", func(c *Config) { sub0(c).CloudStorage = &CloudStorageConfig{} }, "Missing Cloud Storage bucket", E, 30},
	{"cloud storage gs bucket", func(c *Config) { sub0(c).CloudStorage = &CloudStorageConfig{Bucket: "gs://b"} }, "Invalid Cloud Storage bucket", E, 30},
	{"cloud storage bucket with path", func(c *Config) { sub0(c).CloudStorage = &CloudStorageConfig{Bucket: "bkt/path"} }, "Invalid Cloud Storage bucket", E, 30},
	{"cloud storage suffix slash", func(c *Config) {
		sub0(c).CloudStorage = &CloudStorageConfig{Bucket: "bkt", FilenameSuffix: "out/"}
	}, "Invalid filename suffix", E, 30},
	{"cloud storage max duration 30s", func(c *Config) {
		sub0(c).CloudStorage = &CloudStorageConfig{Bucket: "bkt", MaxDuration: dur("30s")}
	}, "Invalid max duration", E, 30},
	{"cloud storage max duration 11m", func(c *Config) {
		sub0(c).CloudStorage = &CloudStorageConfig{Bucket: "bkt", MaxDuration: dur("11m")}
	}, "Invalid max duration", E, 30},
	{"cloud storage max bytes 999", func(c *Config) {
		sub0(c).CloudStorage = &CloudStorageConfig{Bucket: "bkt", MaxBytes: 999}
	}, "Invalid max bytes", E, 30},
	{"cloud storage max bytes 10GiB+1", func(c *Config) {
		sub0(c).CloudStorage = &CloudStorageConfig{Bucket: "bkt", MaxBytes: 10<<30 + 1}
	}, "Invalid max bytes", E, 30},
	{"cloud storage max messages 999", func(c *Config) {
		sub0(c).CloudStorage = &CloudStorageConfig{Bucket: "bkt", MaxMessages: 999}
	}, "Invalid max messages", E, 30},
	{"cloud storage text and avro", func(c *Config) {
		sub0(c).CloudStorage = &CloudStorageConfig{Bucket: "bkt", Text: true, Avro: &AvroConfig{}}
	}, "Conflicting Cloud Storage output formats", E, 30},
	{"filter ok", func(c *Config) { sub0(c).Filter = `attributes.env = "prod" AND attributes:tenant` }, "", 0, 0},
	{"filter mixes AND OR", func(c *Config) {
		sub0(c).Filter = `attributes.a = "1" AND attributes.b = "2" OR attributes:c`
		userSet(&sub0(c).Meta, "filter", 46)
	}, "Invalid subscription filter", E, 46},
	{"filter too long", func(c *Config) {
		sub0(c).Filter = `attributes.k = "` + strings.Repeat("x", 260) + `"`
	}, "Invalid subscription filter", E, 30},
}

func TestValidate(t *testing.T) {
	for _, tc := range validateCases {
		t.Run(tc.name, func(t *testing.T) {
			c := baseConfig()
			tc.mutate(c)
			ApplyDefaults(c, nil)
			diags := Validate(c)
			if tc.summary == "" {
				if len(diags) != 0 {
					t.Fatalf("want no diagnostics, got:\n%s", dump(diags))
				}
				return
			}
			if len(diags) != 1 {
				t.Fatalf("want exactly one diagnostic %q, got %d:\n%s", tc.summary, len(diags), dump(diags))
			}
			d := diags[0]
			if d.Summary != tc.summary || d.Severity != tc.sev {
				t.Fatalf("want %s %q, got:\n%s", sevName(tc.sev), tc.summary, dump(diags))
			}
			if d.Detail == "" {
				t.Errorf("diagnostic %q has no detail", d.Summary)
			}
			if d.Subject == nil {
				t.Fatalf("diagnostic %q has no subject", d.Summary)
			}
			if tc.line != 0 && d.Subject.Start.Line != tc.line {
				t.Errorf("subject on line %d, want line %d:\n%s", d.Subject.Start.Line, tc.line, dump(diags))
			}
		})
	}
}

func TestValidateBareConfig(t *testing.T) {
	// Validate works without ApplyDefaults: unset fields are not checked.
	c := baseConfig()
	if diags := Validate(c); len(diags) != 0 {
		t.Fatalf("want no diagnostics, got:\n%s", dump(diags))
	}
	if diags := Validate(nil); diags != nil {
		t.Fatalf("Validate(nil) = %v", diags)
	}
}

func TestValidateDefaultsReportedOnce(t *testing.T) {
	c := baseConfig()
	addSub(c, "orders-audit")
	bad := 5 * time.Second
	ApplyDefaults(c, &Defaults{Subscription: SubscriptionDefaults{AckDeadline: &bad}})
	diags := Validate(c)
	if len(diags) != 1 || diags[0].Summary != "Invalid ack deadline" || !strings.Contains(diags[0].Detail, "defaults block") {
		t.Fatalf("want one ack deadline error naming the defaults block, got:\n%s", dump(diags))
	}
}

func TestValidateSortsByPosition(t *testing.T) {
	c := baseConfig()
	sub0(c).Filter = "foo"
	userSet(&sub0(c).Meta, "filter", 46)
	topic0(c).Name = "goog-x"
	c.Project = "X"
	sub0(c).Topic = "projects/X/topics/goog-x"
	topic0(c).Schema.Schema = "projects/X/schemas/order"
	ApplyDefaults(c, nil)
	diags := Validate(c)
	var got []string
	for _, d := range diags {
		got = append(got, d.Summary)
	}
	want := []string{"Invalid project ID", "Invalid topic name", "Invalid subscription filter"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestFilterErrorRange(t *testing.T) {
	// expr starts at column 12 (the opening quote) on line 7, byte 100.
	mk := func(srcLen int) hcl.Range {
		return hcl.Range{Filename: "main.hcl",
			Start: hcl.Pos{Line: 7, Column: 12, Byte: 100},
			End:   hcl.Pos{Line: 7, Column: 12 + srcLen, Byte: 100 + srcLen}}
	}
	tests := []struct {
		name    string
		value   string
		srcLen  int // length of the HCL source of the string, quotes included
		off     int
		wantCol int // 0: the whole expression
	}{
		{"plain", `attributes:a OR x`, 19, 16, 12 + 1 + 16},
		{"escaped quotes before", `attributes.a = "1" AND x`, 26 + 2, 23, 12 + 1 + 23 + 2},
		{"at end", `attributes:a AND`, 18, 16, 12 + 1 + 16},
		{"interpolated", `attributes.region = "eu"`, 50, 5, 0},
		{"unicode", `attributes:"é" x`, 21, 16, 12 + 1 + 17},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			expr := mk(tt.srcLen)
			got := filterErrorRange(expr, tt.value, tt.off)
			if tt.wantCol == 0 {
				if got != expr {
					t.Fatalf("got %v, want the whole expression %v", got, expr)
				}
				return
			}
			if got.Start.Column != tt.wantCol || got.Start.Line != 7 {
				t.Fatalf("got start %d,%d, want 7,%d", got.Start.Line, got.Start.Column, tt.wantCol)
			}
			if got.End.Byte <= got.Start.Byte || got.End.Byte > expr.End.Byte {
				t.Fatalf("bad end %v (expr %v)", got, expr)
			}
		})
	}
}

func dump(diags hcl.Diagnostics) string {
	var b strings.Builder
	for _, d := range diags {
		pos := "-"
		if d.Subject != nil {
			pos = d.Subject.String()
		}
		b.WriteString("  " + pos + ": " + sevName(d.Severity) + ": " + d.Summary + ": " + d.Detail + "\n")
	}
	return b.String()
}

func sevName(s hcl.DiagnosticSeverity) string {
	if s == hcl.DiagWarning {
		return "warning"
	}
	return "error"
}
