package export

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"strings"
	"time"

	"github.com/pubsubctl/pubsubctl/internal/filter"
	"github.com/pubsubctl/pubsubctl/model"
)

// The generator builds random live states that Pub/Sub could return: every
// value within the service's limits, with the corner cases export must get
// right (IDs that are not HCL identifiers, label keys that are HCL
// keywords, filters with quotes and template sequences, Pub/Sub's own
// defaults next to pubsubctl's, IAM with broad roles, public and
// mixed-case members, conditional bindings and the service agent's
// dead-letter grants).

const (
	genProject      = "demo-project"
	genOtherProject = "other-project"
	genStack        = "shop"
	genOtherStack   = "payments"
	genNumber       = "123456789012"
)

type gen struct {
	r *rand.Rand
}

// genCase is one generated live state and the options to export it with.
type genCase struct {
	st   *model.State
	opts Options
}

func (g *gen) n(k int) int       { return g.r.IntN(k) }
func (g *gen) chance(k int) bool { return g.r.IntN(k) == 0 }
func (g *gen) pick(xs ...string) string {
	return xs[g.r.IntN(len(xs))]
}

// specialIDs are IDs that stress labels, references and file names.
var specialIDs = []string{
	"for", "null", "true", "main", "Main", "schemas", "orphans", "orders", "Orders",
	"a.b", "a_b", "a-b", "x~y", "p+q", "r%s", "orders.v2", "orders_v2", "in-flight",
	"Z9.%~+_-", "dlq",
}

func (g *gen) id(used map[string]bool) string {
	for {
		var id string
		if g.chance(4) {
			id = g.pick(specialIDs...)
		} else {
			const first = "abcdefghijklmnopqrstuvwxyzAB"
			const rest = "abcdefghijklmnopqrstuvwxyz0123456789-_.~+%AZ"
			var b strings.Builder
			b.WriteByte(first[g.n(len(first))])
			for i, n := 0, 2+g.n(14); i < n; i++ {
				b.WriteByte(rest[g.n(len(rest))])
			}
			id = b.String()
		}
		if !used[id] && model.IDProblem(id) == "" {
			used[id] = true
			return id
		}
	}
}

var labelKeys = []string{"team", "env", "cost-center", "for", "null", "true", "in", "if", "café", "a_1", "x", "tier-2"}

func (g *gen) labels() map[string]string {
	if g.chance(3) {
		return nil
	}
	m := map[string]string{}
	for i, n := 0, 1+g.n(4); i < n; i++ {
		v := g.pick("", "checkout", "prod", "é", "a-b_c", "0", strings.Repeat("x", 63))
		m[g.pick(labelKeys...)] = v
	}
	return m
}

// ownership adds ownership and system labels to a resource's labels.
func (g *gen) ownership(l map[string]string, allowOurs bool) map[string]string {
	if l == nil {
		l = map[string]string{}
	}
	switch g.n(8) {
	case 0, 1:
		if allowOurs {
			l[model.LabelManagedBy] = model.ManagedByValue
			l[model.LabelStack] = genStack
		}
	case 2:
		l[model.LabelManagedBy] = model.ManagedByValue
		l[model.LabelStack] = genOtherStack
	case 3:
		l[model.LabelManagedBy] = "terraform"
	case 4:
		l[model.LabelManagedBy] = model.ManagedByValue // no stack: adoptable
	}
	if g.chance(6) {
		l["goog-managed-by"] = "cloud-console"
	}
	if len(l) == 0 {
		return nil
	}
	return l
}

func (g *gen) filterString() string {
	strs := []string{"", "a", `"quoted"`, `back\slash`, "${x}", "%{y}", "é", "日本", "line\nbreak", "tab\t", "$", "%"}
	keys := []string{"event_type", "region", "a.b", "x-y", "日"}
	var expr func(depth int) filter.Expr
	expr = func(depth int) filter.Expr {
		k := g.n(6)
		if depth == 0 {
			k = g.n(3)
		}
		switch k {
		case 0:
			return &filter.HasAttr{Key: g.pick(keys...)}
		case 1:
			return &filter.Compare{Key: g.pick(keys...), Op: g.pick("=", "!="), Value: g.pick(strs...)}
		case 2:
			return &filter.HasPrefix{Key: g.pick(keys...), Prefix: g.pick(strs...)}
		case 3:
			return &filter.Not{X: expr(depth - 1)}
		case 4:
			return &filter.And{Terms: []filter.Expr{expr(depth - 1), expr(depth - 1)}}
		}
		return &filter.Or{Terms: []filter.Expr{expr(depth - 1), expr(depth - 1)}}
	}
	for {
		s := expr(2).String()
		if _, err := filter.Parse(s); err == nil {
			return s
		}
	}
}

func (g *gen) avro(name string) string {
	if g.chance(2) {
		return fmt.Sprintf(`{"type":"record","name":"R%d","fields":[{"name":"id","type":"string"}]}`, g.n(100))
	}
	return fmt.Sprintf("{\n  \"type\": \"record\",\n  \"name\": \"%s\",\n  \"doc\": \"with \\\"quotes\\\", ${x} and é\",\n  \"fields\": [\n    {\"name\": \"id\", \"type\": \"string\"}\n  ]\n}\n", strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
			return r
		}
		return 'X'
	}, name))
}

func (g *gen) proto() string {
	return fmt.Sprintf("syntax = \"proto3\";\n\nmessage M%d {\n  string id = 1; // ${not a template}\n}\n", g.n(100))
}

// members is a pool of members IAM stores (some in mixed case).
var members = []string{
	"user:alice@example.com",
	"user:Bob@Example.com",
	"serviceAccount:svc-1@demo-project.iam.gserviceaccount.com",
	"serviceAccount:checkout@demo-project.iam.gserviceaccount.com",
	"group:team@example.com",
	"domain:example.com",
	"allUsers",
	"allAuthenticatedUsers",
	"principal://iam.googleapis.com/locations/global/workforcePools/pool/subject/alice",
	"principalSet://iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/pool/group/g",
}

var roles = []string{
	model.RolePublisher, model.RoleSubscriber, model.RoleViewer,
	"roles/pubsub.editor", "roles/owner", "roles/pubsub.admin",
	"projects/demo-project/roles/custom.role", "organizations/123/roles/auditor",
}

func (g *gen) policy() *model.Policy {
	p := &model.Policy{Etag: "BwX", Version: 1}
	for i, n := 0, 1+g.n(3); i < n; i++ {
		b := model.PolicyBinding{Role: g.pick(roles...)}
		for j, m := 0, 1+g.n(3); j < m; j++ {
			b.Members = append(b.Members, g.pick(members...))
		}
		if g.chance(10) {
			b.Condition = "request.time < timestamp(\"2030-01-01T00:00:00Z\")"
			p.Version = 3
		}
		p.Bindings = append(p.Bindings, b)
	}
	return p
}

func (g *gen) duration(lo, hi, unit time.Duration) time.Duration {
	return lo + time.Duration(g.r.Int64N(int64((hi-lo)/unit)+1))*unit
}

// state generates a live state and export options from a seed.
func genState(seed int64) genCase {
	g := &gen{r: rand.New(rand.NewPCG(uint64(seed), 0x5eed))}
	opts := Options{Stack: genStack, Split: g.pick(SplitByTopic, SplitSingle, "")}
	if g.chance(2) {
		opts.ProjectNumber = genNumber
	}
	if g.chance(4) {
		opts.Match = regexp.MustCompile(g.pick("^[a-m]", "^[n-zA-Z]", `\.`, "o", "^(orders|main)"))
	}
	allowOurs := opts.Match == nil
	st := &model.State{Project: genProject}
	full := func(k model.Kind, id string) string { return model.FullName(genProject, k, id) }

	used := map[string]bool{}
	for i, n := 0, g.n(4); i < n; i++ {
		id := g.id(used)
		s := &model.Schema{Addr: model.Address{Kind: model.KindSchema, Name: id}, Name: id, Type: "AVRO", RevisionID: fmt.Sprintf("rev%d", i)}
		if g.chance(2) {
			s.Type, s.Definition = "PROTOCOL_BUFFER", g.proto()
		} else {
			s.Definition = g.avro(id)
		}
		st.Schemas = append(st.Schemas, s)
	}

	clear(used)
	var topicNames []string
	for i, n := 0, g.n(7); i < n; i++ {
		id := g.id(used)
		t := &model.Topic{Addr: model.Address{Kind: model.KindTopic, Name: id}, Name: id, Labels: g.ownership(g.labels(), allowOurs)}
		topicNames = append(topicNames, full(model.KindTopic, id))
		if g.chance(3) {
			t.MessageRetention = g.duration(10*time.Minute, 31*model.Day, time.Minute)
		}
		if g.chance(5) {
			t.KMSKeyName = "projects/demo-project/locations/europe-west1/keyRings/ring/cryptoKeys/key-" + id[:1]
		}
		if g.chance(5) {
			t.StoragePolicy = &model.StoragePolicy{AllowedPersistenceRegions: []string{"europe-west1"}, EnforceInTransit: g.chance(2)}
			if g.chance(2) {
				t.StoragePolicy.AllowedPersistenceRegions = append(t.StoragePolicy.AllowedPersistenceRegions, "europe-north1")
			}
		}
		if g.chance(3) {
			ss := &model.SchemaSettings{Encoding: g.pick("JSON", "BINARY")}
			if len(st.Schemas) > 0 && !g.chance(4) {
				ss.Schema = full(model.KindSchema, st.Schemas[g.n(len(st.Schemas))].Name)
			} else {
				ss.Schema = model.FullName(genOtherProject, model.KindSchema, "shared")
			}
			if g.chance(4) {
				ss.FirstRevisionID, ss.LastRevisionID = "rev0", g.pick("", "rev1")
			}
			t.Schema = ss
		}
		st.Topics = append(st.Topics, t)
	}

	clear(used)
	for i, n := 0, g.n(9); i < n; i++ {
		id := g.id(used)
		s := &model.Subscription{
			Addr:             model.Address{Kind: model.KindSubscription, Name: id},
			Name:             id,
			AckDeadline:      10 * time.Second,
			MessageRetention: model.DefaultSubscriptionRetention,
			Expiration:       model.Expiration{Never: true},
		}
		canBeOurs := allowOurs
		switch {
		case len(topicNames) > 0 && !g.chance(6):
			s.Topic = topicNames[g.n(len(topicNames))]
		case g.chance(3):
			s.Topic = deletedTopic
			canBeOurs = false
		default:
			s.Topic = model.FullName(genOtherProject, model.KindTopic, "upstream")
		}
		if g.chance(15) {
			s.Detached = true
			canBeOurs = false
		}
		s.Labels = g.ownership(g.labels(), canBeOurs)
		switch g.n(3) {
		case 0:
			s.AckDeadline = model.DefaultAckDeadline
		case 1:
			s.AckDeadline = g.duration(10*time.Second, 600*time.Second, time.Second)
		}
		if g.chance(2) {
			s.MessageRetention = g.duration(10*time.Minute, 31*model.Day, time.Minute)
		}
		s.RetainAckedMessages = g.chance(4)
		switch g.n(3) {
		case 0:
			s.Expiration = model.Expiration{TTL: 31 * model.Day}
		case 1:
			lo := max(model.Day, s.MessageRetention.Round(time.Hour)+time.Hour)
			s.Expiration = model.Expiration{TTL: g.duration(lo, 365*model.Day, time.Hour)}
		}
		if g.chance(3) {
			s.Filter = g.filterString()
		}
		s.EnableMessageOrdering = g.chance(3)
		switch g.n(4) {
		case 0:
		case 1:
			s.RetryPolicy = &model.RetryPolicy{MinimumBackoff: model.DefaultMinimumBackoff, MaximumBackoff: model.DefaultMaximumBackoff}
		default:
			lo := g.duration(0, 600*time.Second, time.Second)
			s.RetryPolicy = &model.RetryPolicy{MinimumBackoff: lo, MaximumBackoff: g.duration(max(lo, time.Second), 600*time.Second, time.Second)}
			if g.chance(3) {
				s.RetryPolicy.MinimumBackoff = model.DefaultMinimumBackoff
				s.RetryPolicy.MaximumBackoff = max(s.RetryPolicy.MaximumBackoff, model.DefaultMinimumBackoff)
			}
		}
		if g.chance(2) {
			dl := &model.DeadLetter{MaxDeliveryAttempts: 5 + g.n(96)}
			if len(topicNames) > 0 && !g.chance(5) {
				dl.Topic = topicNames[g.n(len(topicNames))]
			} else {
				dl.Topic = model.FullName(genOtherProject, model.KindTopic, "dead-letters")
			}
			s.DeadLetter = dl
		}
		switch g.n(6) {
		case 0:
			p := &model.PushConfig{Endpoint: g.pick("https://push.example.com/pubsub", "https://a.example.com:8443/x?y=z", "http://localhost:8080/push")}
			switch g.n(3) {
			case 0:
				p.Attributes = map[string]string{"x-goog-version": "v1"}
			case 1:
				p.Attributes = map[string]string{"x-goog-version": g.pick("v1beta1", "v1beta2")}
			}
			if g.chance(2) {
				p.OIDC = &model.OIDCToken{ServiceAccount: "push-invoker@demo-project.iam.gserviceaccount.com", Audience: g.pick("", p.Endpoint, "https://aud.example.com")}
			}
			if g.chance(3) {
				p.NoWrapper = &model.NoWrapper{WriteMetadata: g.chance(2)}
			}
			s.Push = p
		case 1:
			bq := &model.BigQueryConfig{Table: g.pick("demo-project.analytics.orders", "demo-project:analytics.orders_2")}
			bq.UseTopicSchema = g.chance(2)
			bq.UseTableSchema = !bq.UseTopicSchema && g.chance(2)
			bq.WriteMetadata = g.chance(2)
			bq.DropUnknownFields = g.chance(2)
			if g.chance(2) {
				bq.ServiceAccount = "bq-writer@demo-project.iam.gserviceaccount.com"
			}
			s.BigQuery = bq
		case 2:
			cs := &model.CloudStorageConfig{Bucket: g.pick("my-bucket", "logs.example.com")}
			if g.chance(2) {
				cs.FilenamePrefix, cs.FilenameSuffix = "log-", ".json"
			}
			if g.chance(3) {
				cs.FilenameDatetimeFormat = "YYYY-MM-DD/hh_mm_ssZ"
			}
			if g.chance(2) {
				cs.MaxDuration = g.duration(time.Minute, 10*time.Minute, time.Second)
			}
			if g.chance(2) {
				cs.MaxBytes = 1000 + g.r.Int64N(10<<30-1000)
			}
			if g.chance(2) {
				cs.MaxMessages = 1000 + g.r.Int64N(1e6)
			}
			if g.chance(2) {
				cs.ServiceAccount = "gcs-writer@demo-project.iam.gserviceaccount.com"
			}
			if g.chance(2) {
				cs.Avro = &model.AvroConfig{WriteMetadata: g.chance(2), UseTopicSchema: g.chance(2)}
			}
			cs.Text = cs.Avro == nil
			s.CloudStorage = cs
		default:
			s.EnableExactlyOnceDelivery = g.chance(3)
		}
		st.Subscriptions = append(st.Subscriptions, s)
	}

	if g.chance(4) {
		return genCase{st: st, opts: opts} // IAM not read
	}
	st.Policies = map[string]*model.Policy{}
	for _, s := range st.Schemas {
		if g.chance(2) {
			st.Policies[full(model.KindSchema, s.Name)] = g.policy()
		}
	}
	for _, t := range st.Topics {
		if g.chance(2) {
			st.Policies[full(model.KindTopic, t.Name)] = g.policy()
		}
	}
	for _, s := range st.Subscriptions {
		if g.chance(2) {
			st.Policies[full(model.KindSubscription, s.Name)] = g.policy()
		}
	}
	if opts.ProjectNumber != "" {
		// The service agent's dead-letter grants, as pubsubctl (or the
		// console) made them, and one grant it has for another reason.
		agent := model.ServiceAgent(opts.ProjectNumber)
		grant := func(name, role string) {
			p := st.Policies[name]
			if p == nil {
				p = &model.Policy{Etag: "BwY", Version: 1}
				st.Policies[name] = p
			}
			p.Bindings = append(p.Bindings, model.PolicyBinding{Role: role, Members: []string{agent}})
		}
		for _, s := range st.Subscriptions {
			if s.DeadLetter != nil {
				grant(full(model.KindSubscription, s.Name), model.RoleSubscriber)
				grant(s.DeadLetter.Topic, model.RolePublisher)
			}
		}
		if len(st.Topics) > 0 && g.chance(3) {
			grant(full(model.KindTopic, st.Topics[g.n(len(st.Topics))].Name), model.RoleViewer)
		}
	}
	return genCase{st: st, opts: opts}
}
