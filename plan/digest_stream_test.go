package plan

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/pubsubctl/pubsubctl/internal/config"
	"github.com/pubsubctl/pubsubctl/model"
)

// referenceDigest is Digest as it was before it streamed: the whole
// snapshot marshalled at once. The streaming Digest must hash the same
// bytes, so that saved plans keep their digests.
func referenceDigest(l *model.State) string {
	type snapshot struct {
		Schemas       []*model.Schema
		Topics        []*model.Topic
		Subscriptions []*model.Subscription
		Policies      map[string]*model.Policy
	}
	s := snapshot{Policies: map[string]*model.Policy{}}
	s.Schemas = append(s.Schemas, l.Schemas...)
	s.Topics = append(s.Topics, l.Topics...)
	s.Subscriptions = append(s.Subscriptions, l.Subscriptions...)
	sort.Slice(s.Schemas, func(i, j int) bool { return s.Schemas[i].Name < s.Schemas[j].Name })
	sort.Slice(s.Topics, func(i, j int) bool { return s.Topics[i].Name < s.Topics[j].Name })
	sort.Slice(s.Subscriptions, func(i, j int) bool { return s.Subscriptions[i].Name < s.Subscriptions[j].Name })
	for n, pol := range l.Policies {
		if pol == nil {
			continue
		}
		c := *pol
		c.Bindings = append([]model.PolicyBinding(nil), pol.Bindings...)
		c.Normalize()
		s.Policies[n] = &c
	}
	b, err := json.Marshal(s)
	if err != nil {
		panic(err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// referenceConfigDigest is ConfigDigest as it was: the canonical JSON of
// the whole configuration at once.
func referenceConfigDigest(c *model.Config) string {
	sum := sha256.Sum256(Canonical(c))
	return hex.EncodeToString(sum[:])
}

// awkwardConfig has what JSON escapes (HTML characters, U+2028, quotes),
// unsorted resources, external bindings and an empty slice.
func awkwardConfig() *model.Config {
	c := desiredConfig()
	c.Topics = append(c.Topics, &model.Topic{
		Addr: model.Address{Kind: model.KindTopic, Name: "a<b>&c"}, Name: "a<b>&c",
		Labels: map[string]string{"z": "\u2028\"quoted\"", "a": "<script>"},
	})
	c.Subscriptions[0].Filter = `attributes.x = "<&>" AND hasPrefix(attributes.y, "é")`
	c.ExternalBindings = append(c.ExternalBindings, model.ExternalBinding{
		Kind: model.KindTopic, Resource: "projects/other/topics/dlq",
		IAM: model.IAM{Bindings: []model.Binding{{Role: model.RolePublisher, Members: []string{"serviceAccount:x@y.iam.gserviceaccount.com"}}}},
	})
	c.Schemas = []*model.Schema{}
	return c
}

func TestConfigDigestStreamsTheSameBytes(t *testing.T) {
	cases := map[string]*model.Config{
		"desired":  desiredConfig(),
		"awkward":  awkwardConfig(),
		"empty":    {Project: "p", Stack: "s"},
		"no-slice": {Project: "p", Stack: "s", ExternalBindings: []model.ExternalBinding{}},
	}
	// Every example, loaded as the CLI loads it (Meta, ranges, defaults,
	// derived dead-letter resources, grants).
	dirs, err := filepath.Glob("../examples/*")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		if fi, err := os.Stat(d); err != nil || !fi.IsDir() {
			continue
		}
		if hcl, _ := filepath.Glob(filepath.Join(d, "*.hcl")); len(hcl) == 0 {
			continue
		}
		res, diags := config.Load(config.Options{Dir: d, Project: "example-project"})
		if diags.HasErrors() || res == nil {
			continue
		}
		cases["examples/"+filepath.Base(d)] = res.Config
	}
	if len(cases) < 6 {
		t.Fatalf("only %d configurations to compare; the examples did not load", len(cases))
	}
	for name, c := range cases {
		if got, want := ConfigDigest(c), referenceConfigDigest(c); got != want {
			t.Errorf("%s: ConfigDigest = %s, the whole canonical JSON hashes to %s", name, got, want)
		}
	}
}

func TestDigestStreamsTheSameBytes(t *testing.T) {
	c := awkwardConfig()
	full := liveFrom(c)
	full.Policies = map[string]*model.Policy{
		"projects/shop-prod/topics/orders": {Etag: "BwX<>", Version: 3, Bindings: []model.PolicyBinding{
			{Role: model.RoleSubscriber, Members: []string{"user:b@x.com", "user:a@x.com"}},
			{Role: model.RolePublisher, Members: []string{"group:g@x.com"}, Condition: "request.time < x"},
		}},
		"projects/shop-prod/subscriptions/billing": {},
		"projects/shop-prod/topics/gone":           nil,
	}
	// Reversed, so that the digest has to sort.
	rev := liveFrom(c)
	for i, j := 0, len(rev.Topics)-1; i < j; i, j = i+1, j-1 {
		rev.Topics[i], rev.Topics[j] = rev.Topics[j], rev.Topics[i]
	}
	many := &model.State{Project: "p", IAMSupported: true, Policies: map[string]*model.Policy{}}
	for i := range 500 {
		id := fmt.Sprintf("t%04d", 499-i)
		many.Topics = append(many.Topics, &model.Topic{Addr: model.Address{Kind: model.KindTopic, Name: id}, Name: id, Labels: map[string]string{"n": id}})
		many.Policies[model.FullName("p", model.KindTopic, id)] = &model.Policy{Etag: id, Bindings: []model.PolicyBinding{{Role: model.RolePublisher, Members: []string{"user:" + id + "@x.com"}}}}
	}
	order := func(l *model.State) (names []string) {
		for _, t := range l.Topics {
			names = append(names, t.Name)
		}
		return names
	}
	before := order(rev)
	for name, l := range map[string]*model.State{
		"empty":           {Project: "p"},
		"empty policies":  {Project: "p", Policies: map[string]*model.Policy{}},
		"full":            full,
		"reversed topics": rev,
		"500 topics":      many,
	} {
		if got, want := Digest(l), referenceDigest(l); got != want {
			t.Errorf("%s: Digest = %s, the whole snapshot hashes to %s", name, got, want)
		}
	}
	// Digest sorts a copy: the state's own order is left alone.
	if after := order(rev); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("Digest reordered the state's topics: %v, was %v", after, before)
	}
}

// BenchmarkDigests measures the allocations of both digests of 10,000
// topics and 10,000 subscriptions with their policies: streamed, they
// never hold the JSON of the whole state.
func BenchmarkDigests(b *testing.B) {
	c := &model.Config{Project: "bench-project", Stack: "bench"}
	l := &model.State{Project: "bench-project", IAMSupported: true, Policies: map[string]*model.Policy{}}
	for i := range 10_000 {
		id := fmt.Sprintf("t%05d", i)
		t := &model.Topic{Addr: model.Address{Kind: model.KindTopic, Name: id}, Name: id, Labels: map[string]string{model.LabelManagedBy: model.ManagedByValue, model.LabelStack: "bench"}}
		s := &model.Subscription{Addr: model.Address{Kind: model.KindSubscription, Name: "s" + id}, Name: "s" + id, Topic: model.FullName(c.Project, model.KindTopic, id)}
		s.Meta.Set("topic", model.SourceUser, nil)
		c.Topics, c.Subscriptions = append(c.Topics, t), append(c.Subscriptions, s)
		l.Topics, l.Subscriptions = append(l.Topics, t), append(l.Subscriptions, s)
		l.Policies[model.FullName(c.Project, model.KindTopic, id)] = &model.Policy{Etag: "e", Bindings: []model.PolicyBinding{{Role: model.RolePublisher, Members: []string{"user:" + id + "@x.com"}}}}
	}
	model.ApplyDefaults(c, nil)
	b.Run("config", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			ConfigDigest(c)
		}
	})
	b.Run("live", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			Digest(l)
		}
	})
}
