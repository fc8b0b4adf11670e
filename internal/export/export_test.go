package export

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/pubsubctl/pubsubctl/model"
	"github.com/pubsubctl/pubsubctl/plan"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

const shopProject = "shop-prod"

func topicName(id string) string  { return model.FullName(shopProject, model.KindTopic, id) }
func subName(id string) string    { return model.FullName(shopProject, model.KindSubscription, id) }
func schemaName(id string) string { return model.FullName(shopProject, model.KindSchema, id) }

func liveTopic(id string) *model.Topic {
	return &model.Topic{Addr: model.Address{Kind: model.KindTopic, Name: id}, Name: id}
}

// liveSub is a subscription as the console creates it: Pub/Sub's defaults
// everywhere.
func liveSub(id, topic string) *model.Subscription {
	return &model.Subscription{
		Addr:             model.Address{Kind: model.KindSubscription, Name: id},
		Name:             id,
		Topic:            topicName(topic),
		AckDeadline:      10 * time.Second,
		MessageRetention: 7 * model.Day,
		Expiration:       model.Expiration{TTL: 31 * model.Day},
	}
}

// shopState is a project built by hand over the years.
func shopState() *model.State {
	order := &model.Schema{Addr: model.Address{Kind: model.KindSchema, Name: "order"}, Name: "order", Type: "AVRO",
		Definition: "{\"type\": \"record\", \"name\": \"Order\", \"fields\": [{\"name\": \"id\", \"type\": \"string\"}]}\n"}
	invoice := &model.Schema{Addr: model.Address{Kind: model.KindSchema, Name: "invoice.v1"}, Name: "invoice.v1", Type: "PROTOCOL_BUFFER",
		Definition: "syntax = \"proto3\";\n\nmessage Invoice {\n  string id = 1;\n}\n"}

	orders := liveTopic("orders")
	orders.Labels = map[string]string{"team": "checkout", "goog-dataplex": "x"}
	orders.MessageRetention = 24 * time.Hour
	orders.Schema = &model.SchemaSettings{Schema: schemaName("order"), Encoding: "JSON"}
	invoices := liveTopic("invoices.v1")
	invoices.Schema = &model.SchemaSettings{Schema: schemaName("invoice.v1"), Encoding: "BINARY"}
	invoices.StoragePolicy = &model.StoragePolicy{AllowedPersistenceRegions: []string{"europe-west1", "europe-west4"}}
	failed := liveTopic("orders-failed")
	legacy := liveTopic("legacy")
	legacy.Labels = map[string]string{"managed-by": "terraform"}

	audit := liveSub("orders-audit", "orders")

	billing := liveSub("orders-billing", "orders")
	billing.AckDeadline = 30 * time.Second
	billing.Filter = `attributes.event_type = "order.placed"`
	billing.EnableMessageOrdering = true
	billing.Expiration = model.Expiration{Never: true}
	billing.RetryPolicy = &model.RetryPolicy{MinimumBackoff: 5 * time.Second, MaximumBackoff: 600 * time.Second}
	billing.DeadLetter = &model.DeadLetter{Topic: topicName("orders-failed"), MaxDeliveryAttempts: 10}
	billing.Labels = map[string]string{"consumer": "billing"}

	push := liveSub("orders-push", "orders")
	push.AckDeadline = 60 * time.Second
	push.MessageRetention = 3 * model.Day
	push.Expiration = model.Expiration{TTL: 14 * model.Day}
	push.RetryPolicy = &model.RetryPolicy{MinimumBackoff: 10 * time.Second, MaximumBackoff: 600 * time.Second}
	push.Push = &model.PushConfig{
		Endpoint:   "https://fulfilment.example.com/pubsub",
		Attributes: map[string]string{"x-goog-version": "v1"},
		OIDC:       &model.OIDCToken{ServiceAccount: "push-invoker@shop-prod.iam.gserviceaccount.com", Audience: "https://fulfilment.example.com"},
	}

	bq := liveSub("invoices.v1-bq", "invoices.v1")
	bq.BigQuery = &model.BigQueryConfig{Table: "shop-prod.analytics.invoices", UseTopicSchema: true, WriteMetadata: true}
	bq.DeadLetter = &model.DeadLetter{Topic: topicName("orders-failed")} // 0: Pub/Sub's default of 5

	archive := liveSub("orders-archive", "orders")
	archive.CloudStorage = &model.CloudStorageConfig{Bucket: "shop-archive", FilenamePrefix: "orders/", MaxDuration: 5 * time.Minute,
		Avro: &model.AvroConfig{WriteMetadata: true}}

	failedSub := liveSub("orders-failed", "orders-failed")
	failedSub.RetainAckedMessages = true
	failedSub.Expiration = model.Expiration{Never: true}

	upstream := liveSub("partner-feed", "feed")
	upstream.Topic = "projects/partner-project/topics/feed"
	upstream.EnableExactlyOnceDelivery = true

	legacySub := liveSub("legacy-sub", "legacy")

	return &model.State{
		Project:       shopProject,
		Schemas:       []*model.Schema{order, invoice},
		Topics:        []*model.Topic{orders, invoices, failed, legacy},
		Subscriptions: []*model.Subscription{audit, billing, push, bq, archive, failedSub, upstream, legacySub},
		Policies: map[string]*model.Policy{
			topicName("orders"): {Bindings: []model.PolicyBinding{
				{Role: model.RolePublisher, Members: []string{"serviceAccount:checkout@shop-prod.iam.gserviceaccount.com"}},
				{Role: "roles/pubsub.editor", Members: []string{"group:platform@example.com"}},
			}},
			topicName("orders-failed"): {Bindings: []model.PolicyBinding{
				{Role: model.RolePublisher, Members: []string{model.ServiceAgent("123456789012")}},
			}},
			subName("orders-billing"): {Bindings: []model.PolicyBinding{
				{Role: model.RoleSubscriber, Members: []string{
					"serviceAccount:billing@shop-prod.iam.gserviceaccount.com",
					model.ServiceAgent("123456789012"),
					"deleted:serviceAccount:old-billing@shop-prod.iam.gserviceaccount.com?uid=123",
				}},
				{Role: model.RoleViewer, Members: []string{"user:auditor@example.com"}},
			}},
			subName("orders-push"): {Bindings: []model.PolicyBinding{
				{Role: model.RoleViewer, Members: []string{"allAuthenticatedUsers"}},
				{Role: model.RoleSubscriber, Members: []string{"user:ops@example.com"}, Condition: "request.time < timestamp(\"2030-01-01T00:00:00Z\")"},
			}},
			schemaName("order"): {Bindings: []model.PolicyBinding{
				{Role: model.RoleViewer, Members: []string{"domain:example.com"}},
			}},
			subName("invoices.v1-bq"): {}, // dead-letters, but the agent was never granted
		},
	}
}

// TestGolden pins what export writes for a realistic project, in both
// layouts (testdata/<layout>/, regenerate with -update).
func TestGolden(t *testing.T) {
	for _, split := range []string{SplitByTopic, SplitSingle} {
		t.Run(split, func(t *testing.T) {
			files, warnings, err := Generate(shopState(), Options{Stack: "shop", Split: split, ProjectNumber: "123456789012"})
			if err != nil {
				t.Fatal(err)
			}
			files["warnings.txt"] = []byte(strings.Join(warnings, "\n") + "\n")
			dir := filepath.Join("testdata", split)
			if *update {
				if err := os.RemoveAll(dir); err != nil {
					t.Fatal(err)
				}
				if err := WriteFiles(dir, files, false); err != nil {
					t.Fatal(err)
				}
			}
			var have []string
			err = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
				if err == nil && !d.IsDir() {
					rel, _ := filepath.Rel(dir, p)
					have = append(have, filepath.ToSlash(rel))
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			slices.Sort(have)
			if d := cmp.Diff(have, sortedKeys(files)); d != "" {
				t.Errorf("files (-golden +got):\n%s", d)
			}
			for name, got := range files {
				want, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
				if err != nil {
					continue
				}
				if d := cmp.Diff(string(want), string(got)); d != "" {
					t.Errorf("%s (-golden +got):\n%s", name, d)
				}
			}
			// The golden export loads and adopts cleanly.
			delete(files, "warnings.txt")
			res := load(t, 0, files)
			if res == nil {
				return
			}
			st := shopState()
			p := plan.Compute(res.Config, liveOf(st), plan.Options{Adopt: true})
			for _, ch := range p.Changes {
				if ch.Action != plan.ActionAdopt {
					t.Errorf("%s %s", ch.Action, ch.Address)
				}
				for _, f := range ch.Fields {
					if !strings.HasPrefix(f.Path, "labels.") {
						t.Errorf("adopting %s changes %s", ch.Address, f.Path)
					}
				}
			}
			// The IAM changes: the deleted principal leaves its role, and
			// the service agent gets the dead-letter grant it lacked.
			var changes []string
			for _, ic := range p.IAM {
				for _, m := range ic.Members {
					changes = append(changes, ic.Address.String()+" "+m.String())
				}
			}
			if len(changes) != 2 || !strings.Contains(changes[0], "invoices_v1-bq") || !strings.Contains(changes[0], "service-123456789012@") ||
				!strings.Contains(changes[1], "orders-billing") || !strings.Contains(changes[1], "deleted:") {
				t.Errorf("IAM changes: %q", changes)
			}
		})
	}
}

func TestGenerateErrors(t *testing.T) {
	st := &model.State{Project: "p-123456"}
	for _, tc := range []struct {
		st   *model.State
		opts Options
		want string
	}{
		{nil, Options{Stack: "s"}, "no live state"},
		{&model.State{}, Options{Stack: "s"}, "no project"},
		{st, Options{}, "no stack name"},
		{st, Options{Stack: "s", Split: "by-file"}, `unknown split "by-file"`},
		{st, Options{Stack: "Shop"}, `"Shop" cannot be a stack name`},
		{st, Options{Stack: "s", ProjectNumber: "shop-prod"}, `"shop-prod" is not a project number`},
	} {
		_, _, err := Generate(tc.st, tc.opts)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Generate(%+v, %+v) = %v, want an error containing %q", tc.st, tc.opts, err, tc.want)
		}
	}
	files, warnings, err := Generate(st, Options{Stack: "s"})
	if err != nil || len(warnings) != 0 || len(files) != 1 || files[MainFile] == nil {
		t.Errorf("empty project: %v %q %v", sortedKeys(files), warnings, err)
	}
}

// TestDeterministic: the output does not depend on the order of the input.
func TestDeterministic(t *testing.T) {
	a, wa, _ := Generate(shopState(), Options{Stack: "shop", ProjectNumber: "123456789012"})
	st := shopState()
	slices.Reverse(st.Topics)
	slices.Reverse(st.Subscriptions)
	slices.Reverse(st.Schemas)
	for _, p := range st.Policies {
		slices.Reverse(p.Bindings)
		for i := range p.Bindings {
			slices.Reverse(p.Bindings[i].Members)
		}
	}
	b, wb, _ := Generate(st, Options{Stack: "shop", ProjectNumber: "123456789012"})
	if dump(a) != dump(b) || !slices.Equal(wa, wb) {
		t.Errorf("output depends on input order:\n%s\n%s", dump(a), dump(b))
	}
}

func genWith(t *testing.T, st *model.State, opts Options) (map[string][]byte, []string) {
	t.Helper()
	if opts.Stack == "" {
		opts.Stack = "shop"
	}
	files, warnings, err := Generate(st, opts)
	if err != nil {
		t.Fatal(err)
	}
	return files, warnings
}

// flat joins all HCL output with runs of white space collapsed, for
// substring checks that do not depend on alignment.
func flat(files map[string][]byte) string {
	var b strings.Builder
	for _, n := range sortedKeys(files) {
		if strings.HasSuffix(n, ".hcl") {
			b.WriteString(strings.Join(strings.Fields(string(files[n])), " "))
			b.WriteString("\n")
		}
	}
	return b.String()
}

func contains(t *testing.T, haystack string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(haystack, w) {
			t.Errorf("missing %q in:\n%s", w, haystack)
		}
	}
}

func lacks(t *testing.T, haystack string, nots ...string) {
	t.Helper()
	for _, w := range nots {
		if strings.Contains(haystack, w) {
			t.Errorf("unexpected %q in:\n%s", w, haystack)
		}
	}
}

func warned(t *testing.T, warnings []string, pattern string) {
	t.Helper()
	re := regexp.MustCompile(pattern)
	for _, w := range warnings {
		if re.MatchString(w) {
			return
		}
	}
	t.Errorf("no warning matches %q; warnings:\n%s", pattern, strings.Join(warnings, "\n"))
}

// TestExplicitValues: values that differ from pubsubctl's defaults are
// written, values equal to them are not.
func TestExplicitValues(t *testing.T) {
	def := liveSub("defaults", "t1")
	def.AckDeadline = model.DefaultAckDeadline
	def.Expiration = model.Expiration{Never: true}
	def.RetryPolicy = &model.RetryPolicy{MinimumBackoff: 10 * time.Second, MaximumBackoff: 10 * time.Minute}
	def.DeadLetter = &model.DeadLetter{Topic: topicName("t1"), MaxDeliveryAttempts: 5}

	console := liveSub("console", "t2")

	tuned := liveSub("tuned", "t3")
	tuned.AckDeadline = 45 * time.Second
	tuned.MessageRetention = 90 * time.Minute
	tuned.Expiration = model.Expiration{TTL: 48 * time.Hour}
	tuned.RetryPolicy = &model.RetryPolicy{MinimumBackoff: 10 * time.Second, MaximumBackoff: 120 * time.Second}

	files, _ := genWith(t, &model.State{Project: shopProject, Topics: []*model.Topic{liveTopic("t1"), liveTopic("t2"), liveTopic("t3")},
		Subscriptions: []*model.Subscription{def, console, tuned}}, Options{})
	file := func(name string) string { return flat(map[string][]byte{name: files[name]}) }
	def_, console_, tuned_ := file("t1.hcl"), file("t2.hcl"), file("t3.hcl")
	contains(t, def_, `dead_letter { topic = topic.t1 max_delivery_attempts = 5 }`)
	lacks(t, def_, "ack_deadline", "expiration", "retry_policy", "message_retention", "enabled")
	contains(t, console_,
		`ack_deadline = "10s"`, `expiration = "31d"`, `retry_policy = false`,
		`dead_letter { enabled = false reason = "exported: no dead-letter policy live" }`,
		`# Pub/Sub's default. Delete this line for pubsubctl's default, "60s".`)
	lacks(t, console_, "message_retention")
	contains(t, tuned_, `ack_deadline = "45s"`, `message_retention = "90m"`, `expiration = "2d"`,
		`retry_policy { maximum_backoff = "2m" }`)
	lacks(t, tuned_, "minimum_backoff", "Pub/Sub's default")
}

func TestPushAttributes(t *testing.T) {
	mk := func(id string, attrs map[string]string) *model.Subscription {
		s := liveSub(id, "t")
		s.Push = &model.PushConfig{Endpoint: "https://e.example.com/", Attributes: attrs, NoWrapper: &model.NoWrapper{}}
		return s
	}
	files, warnings := genWith(t, &model.State{Project: shopProject, Topics: []*model.Topic{liveTopic("t")},
		Subscriptions: []*model.Subscription{
			mk("plain", map[string]string{"x-goog-version": "v1"}),
			mk("beta", map[string]string{"x-goog-version": "v1beta1", "custom": "x"}),
		}}, Options{})
	out := flat(files)
	contains(t, out, `attributes = { x-goog-version = "v1beta1" }`, `no_wrapper {}`)
	lacks(t, out, `"v1"`, "custom")
	warned(t, warnings, `^subscription beta: push attribute custom is not exported`)
}

func TestLabels(t *testing.T) {
	tp := liveTopic("t")
	tp.Labels = map[string]string{"team": "a", "null": "b", "for": "", "goog-x": "y", "managed-by": "terraform", "pubsubctl-stack": "old"}
	files, warnings := genWith(t, &model.State{Project: shopProject, Topics: []*model.Topic{tp}}, Options{})
	out := flat(files)
	contains(t, out, `labels = { "for" = "" "null" = "b" team = "a" }`)
	lacks(t, out, "goog-x", "terraform", "old")
	many := liveTopic("many")
	many.Labels = map[string]string{}
	for i := range 63 {
		many.Labels[fmt.Sprintf("l%d", i)] = ""
	}
	_, w := genWith(t, &model.State{Project: shopProject, Topics: []*model.Topic{many}}, Options{})
	warned(t, w, `^topic many has 63 labels: with pubsubctl's two ownership labels that is 65, more than Pub/Sub's limit of 64`)
	warned(t, warnings, `^topic t has the label managed-by = "terraform": adoption replaces it with managed-by = "pubsubctl"$`)
	warned(t, warnings, `^topic t has the label pubsubctl-stack = "old": adoption replaces it with pubsubctl-stack = "shop"$`)
}

// TestReferences: block labels are HCL identifiers; IDs that are not get a
// sanitized label and a name argument, and references use the labels.
// Targets outside the export are written as full names.
func TestReferences(t *testing.T) {
	dotted := liveTopic("a.b")
	dotted.Schema = &model.SchemaSettings{Schema: schemaName("s+1"), Encoding: "JSON"}
	other := liveTopic("a_b")
	other.Schema = &model.SchemaSettings{Schema: model.FullName("elsewhere", model.KindSchema, "shared"), Encoding: "JSON"}
	tilde := liveTopic("a~b")
	s1 := liveSub("sub.1", "a.b")
	s1.DeadLetter = &model.DeadLetter{Topic: topicName("a~b"), MaxDeliveryAttempts: 7}
	s2 := liveSub("sub2", "a_b")
	s2.DeadLetter = &model.DeadLetter{Topic: model.FullName("elsewhere", model.KindTopic, "dlq"), MaxDeliveryAttempts: 7}
	s3 := liveSub("sub3", "gone")
	s3.DeadLetter = &model.DeadLetter{Topic: topicName("not-exported"), MaxDeliveryAttempts: 7}
	files, _ := genWith(t, &model.State{Project: shopProject,
		Schemas:       []*model.Schema{{Name: "s+1", Type: "AVRO", Definition: `"string"`}},
		Topics:        []*model.Topic{dotted, other, tilde},
		Subscriptions: []*model.Subscription{s1, s2, s3}}, Options{})
	contains(t, flat(map[string][]byte{"x.hcl": files["a.b.hcl"]}),
		`topic "a_b_2" { name = "a.b" schema { name = schema.s_1 encoding = "JSON" } }`,
		`subscription "sub_1" { name = "sub.1" topic = topic.a_b_2`,
		`dead_letter { topic = topic.a_b_3 max_delivery_attempts = 7 }`)
	contains(t, flat(map[string][]byte{"x.hcl": files["a_b.hcl"]}),
		`topic "a_b" { schema { name = "projects/elsewhere/schemas/shared"`,
		`topic = topic.a_b`, `dead_letter { topic = "projects/elsewhere/topics/dlq"`)
	contains(t, flat(map[string][]byte{"x.hcl": files[OrphansFile]}),
		`subscription "sub3" { topic = "projects/shop-prod/topics/gone"`,
		`dead_letter { topic = "projects/shop-prod/topics/not-exported"`)
	contains(t, flat(map[string][]byte{"x.hcl": files[SchemasFile]}),
		`schema "s_1" { name = "s+1" type = "AVRO" definition = file("schemas/s+1.avsc") }`)
	if string(files["schemas/s+1.avsc"]) != `"string"` {
		t.Errorf("definition file: %q", files["schemas/s+1.avsc"])
	}
}

func TestFileNames(t *testing.T) {
	var topics []*model.Topic
	for _, id := range []string{"main", "Main", "schemas", "orphans", "Orders", "orders"} {
		topics = append(topics, liveTopic(id))
	}
	files, _ := genWith(t, &model.State{Project: shopProject, Topics: topics,
		Schemas: []*model.Schema{
			{Name: "Order", Type: "AVRO", Definition: `"string"`},
			{Name: "order", Type: "AVRO", Definition: `"int"`},
			{Name: "bin", Type: "PROTOCOL_BUFFER", Definition: "\xff"},
		}}, Options{})
	want := []string{
		"Main-topic.hcl", "Orders.hcl", "main-topic-2.hcl", "main.hcl", "orders-topic.hcl",
		"orphans-topic.hcl", "schemas-topic.hcl", "schemas.hcl", "schemas/Order.avsc", "schemas/order-2.avsc",
	}
	if d := cmp.Diff(want, sortedKeys(files)); d != "" {
		t.Errorf("files (-want +got):\n%s", d)
	}
	// A definition file() could not read back stays inline.
	contains(t, string(files[SchemasFile]), `schema "bin"`)
	lacks(t, string(files[SchemasFile]), `schemas/bin`)
}

// TestSelection: other stacks, deleted topics, detached subscriptions and
// --match.
func TestSelection(t *testing.T) {
	owned := func(l map[string]string, stack string) map[string]string {
		l[model.LabelManagedBy] = model.ManagedByValue
		l[model.LabelStack] = stack
		return l
	}
	payments := liveTopic("payments")
	payments.Labels = owned(map[string]string{}, "payments")
	paySub := liveSub("payments-sub", "payments")
	paySub.Labels = owned(map[string]string{}, "payments")
	mine := liveTopic("mine")
	mine.Labels = owned(map[string]string{}, "shop")
	orphan := liveSub("orphan", "deleted")
	orphan.Topic = "_deleted-topic_"
	detached := liveSub("detached", "orders")
	detached.Detached = true
	detached.Labels = owned(map[string]string{}, "shop")
	ordersSub := liveSub("billing", "orders")
	onPayments := liveSub("on-payments", "payments")
	orders := liveTopic("orders")
	orders.Schema = &model.SchemaSettings{Schema: schemaName("unmatched-schema"), Encoding: "JSON"}
	st := &model.State{Project: shopProject,
		Schemas: []*model.Schema{
			{Name: "unmatched-schema", Type: "AVRO", Definition: `"string"`},
			{Name: "other-schema", Type: "AVRO", Definition: `"string"`},
		},
		Topics:        []*model.Topic{payments, mine, orders},
		Subscriptions: []*model.Subscription{paySub, orphan, detached, ordersSub, onPayments},
	}

	files, warnings := genWith(t, st, Options{})
	out := flat(files)
	contains(t, out, `topic "mine" {}`, `subscription "on-payments" { topic = "projects/shop-prod/topics/payments"`)
	lacks(t, out, `topic "payments"`, `"payments-sub"`, `"orphan"`, `"detached"`)
	warned(t, warnings, `^topic payments is managed by stack "payments": not exported`)
	warned(t, warnings, `^subscription payments-sub is managed by stack "payments": not exported`)
	warned(t, warnings, `^subscription orphan is skipped: its topic was deleted`)
	warned(t, warnings, `^subscription detached is skipped: it is detached from its topic, which cannot be undone, so pubsubctl cannot adopt it; recreate it or delete it \(it carries the labels of stack "shop", so planning the export would delete it\)$`)

	// --match: a subscription matches through its topic; a schema through
	// a topic that uses it; an unmatched resource of this stack is flagged.
	files, warnings = genWith(t, st, Options{Match: regexp.MustCompile("^ord")})
	contains(t, flat(files), `topic "orders"`, `subscription "billing"`, `schema "unmatched-schema"`)
	lacks(t, flat(files), `"mine"`, `"other-schema"`, `"on-payments"`)
	warned(t, warnings, `^topic mine carries the labels of stack "shop" but does not match the selection: .*would delete it$`)
}

func TestIAM(t *testing.T) {
	const number = "123456789012"
	agent := model.ServiceAgent(number)
	dl := liveSub("dl", "t")
	dl.DeadLetter = &model.DeadLetter{Topic: topicName("dlq"), MaxDeliveryAttempts: 5}
	plain := liveSub("plain", "t")
	st := &model.State{Project: shopProject,
		Topics:        []*model.Topic{liveTopic("t"), liveTopic("dlq")},
		Subscriptions: []*model.Subscription{dl, plain},
		Policies: map[string]*model.Policy{
			subName("dl"): {Bindings: []model.PolicyBinding{
				{Role: model.RoleSubscriber, Members: []string{agent, "user:a@example.com"}},
				{Role: model.RoleViewer, Members: []string{"deleted:user:gone@example.com?uid=1"}},
			}},
			subName("plain"): {Bindings: []model.PolicyBinding{
				{Role: model.RoleSubscriber, Members: []string{agent}}, // not explained: no dead-letter policy
				{Role: "roles/owner", Members: []string{"user:boss@example.com"}},
				{Role: "roles/pubsub.viewer", Members: []string{"allUsers", "user:x@example.com"}},
				{Role: "roles/pubsub.publisher", Members: []string{"projectOwner:shop-prod"}},
				{Role: "roles/custom", Members: []string{"user:c@example.com"}, Condition: "true"},
			}},
			topicName("dlq"): {Bindings: []model.PolicyBinding{{Role: model.RoleViewer, Members: []string{"user:v@example.com"}}}},
			topicName("t"):   {},
		},
	}
	files, warnings := genWith(t, st, Options{ProjectNumber: number})
	out := flat(files)
	contains(t, out,
		`subscription "dl" {`, `subscribers = ["user:a@example.com"]`,
		`subscribers = ["`+agent+`"]`,
		`iam { role = "roles/owner" members = ["user:boss@example.com"] allow_broad = true }`,
		`iam { role = "roles/pubsub.viewer" members = [ "allUsers", "user:x@example.com", ] allow_broad = true }`,
		`project_number = "123456789012"`)
	lacks(t, out, "deleted:", "projectOwner", "roles/custom", "roles/pubsub.publisher")
	warned(t, warnings, `^subscription dl: roles/pubsub.subscriber serviceAccount:service-123456789012@.* is not exported: it is the Pub/Sub service agent's dead-letter grant`)
	warned(t, warnings, `^subscription dl: roles/pubsub.viewer deleted:user:gone@example.com\?uid=1 is not exported: it is a deleted principal \(the role is left as it is\)$`)
	warned(t, warnings, `^subscription plain: role roles/pubsub.publisher is not exported because a member cannot be written`)
	warned(t, warnings, `^subscription plain: the conditional binding of roles/custom \(condition "true"\) is not exported`)
	warned(t, warnings, `^topic dlq receives dead letters, but the Pub/Sub service agent .* lacks roles/pubsub.publisher on it`)

	// Without the project number, the agent is an ordinary member.
	files, warnings = genWith(t, st, Options{})
	contains(t, flat(files), `subscribers = [ "serviceAccount:service-123456789012@gcp-sa-pubsub.iam.gserviceaccount.com", "user:a@example.com", ]`)
	lacks(t, flat(files), "project_number")
	for _, w := range warnings {
		if strings.Contains(w, "dead letters") {
			t.Errorf("unexpected warning without a project number: %s", w)
		}
	}

	// IAM not read: nothing exported, nothing warned.
	st.Policies = nil
	files, warnings = genWith(t, st, Options{ProjectNumber: number})
	lacks(t, flat(files), "subscribers", "iam {")
	if len(warnings) != 0 {
		t.Errorf("warnings: %q", warnings)
	}
}

func TestDeletedSchemaAndMissingEncoding(t *testing.T) {
	a := liveTopic("a")
	a.Schema = &model.SchemaSettings{Schema: DeletedSchema, Encoding: "JSON"}
	b := liveTopic("b")
	b.Schema = &model.SchemaSettings{Schema: schemaName("s")}
	files, warnings := genWith(t, &model.State{Project: shopProject, Topics: []*model.Topic{a, b}}, Options{})
	contains(t, flat(files), `topic "a" {}`, `schema { name = "projects/shop-prod/schemas/s" encoding = "JSON" }`)
	warned(t, warnings, `^topic a refers to a deleted schema`)
	warned(t, warnings, `^topic b has a schema without a message encoding`)
}

func TestWriteFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "infra")
	files := map[string][]byte{"main.hcl": []byte("x\n"), "schemas/a.avsc": []byte("{}")}
	if err := WriteFiles(dir, files, false); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "schemas", "a.avsc")); err != nil || string(b) != "{}" {
		t.Errorf("schemas/a.avsc: %q %v", b, err)
	}
	err := WriteFiles(dir, files, false)
	if err == nil || !strings.Contains(err.Error(), "main.hcl, schemas/a.avsc") {
		t.Errorf("second write: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "other.hcl"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteFiles(dir, map[string][]byte{"new.hcl": nil}, false); err == nil || !strings.Contains(err.Error(), "other.hcl") {
		t.Errorf("stray .hcl file: %v", err)
	}
	if err := WriteFiles(dir, files, true); err != nil {
		t.Errorf("overwrite: %v", err)
	}
	for _, bad := range []string{"../x.hcl", "/abs.hcl", "a/../b.hcl", ""} {
		if err := WriteFiles(dir, map[string][]byte{bad: nil}, true); err == nil {
			t.Errorf("WriteFiles accepted %q", bad)
		}
	}
}
