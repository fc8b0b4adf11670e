package render

import (
	"bytes"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pubsubctl/pubsubctl/internal/config"
	"github.com/pubsubctl/pubsubctl/model"
	"github.com/pubsubctl/pubsubctl/plan"
)

// shopGraph is the graph of examples/shop.
func shopGraph(t *testing.T) *Graph {
	t.Helper()
	res, diags := config.Load(config.Options{Dir: filepath.Join("..", "..", "examples", "shop")})
	if diags.HasErrors() {
		t.Fatalf("examples/shop: %v", diags)
	}
	return ConfigGraph(res.Config, GraphOptions{Principals: true})
}

func TestGraphGolden(t *testing.T) {
	g := shopGraph(t)
	golden(t, "graph-shop.mmd", []byte(g.Mermaid(MermaidOptions{GroupByProject: true})))
	golden(t, "graph-shop.dot", []byte(g.DOT()))
	var b bytes.Buffer
	if err := GraphJSON(&b, g); err != nil {
		t.Fatal(err)
	}
	golden(t, "graph-shop.json", b.Bytes())
}

// TestGraphDrawsWithGraphviz runs Graphviz's own dot on the DOT output of
// examples/shop: the picture must parse and lay out, not just look right.
// .ci/run installs graphviz where it is missing.
func TestGraphDrawsWithGraphviz(t *testing.T) {
	dot, err := exec.LookPath("dot")
	if err != nil {
		t.Skip("Graphviz's dot is not installed (Debian package graphviz; .ci/run installs it): the DOT output is not checked by the real tool")
	}
	src := shopGraph(t).DOT()
	cmd := exec.Command(dot, "-Tsvg")
	cmd.Stdin = strings.NewReader(src)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("dot -Tsvg: %v\n%s\n--- input\n%s", err, errb.String(), src)
	}
	if errb.Len() > 0 {
		t.Errorf("dot warned: %s", errb.String())
	}
	svg := out.String()
	for _, want := range []string{"<svg", "project demo&#45;project", "orders&#45;billing&#45;dlq", "dead letters", "fulfilment.example.com"} {
		if !strings.Contains(svg, want) {
			t.Errorf("the drawing lacks %q", want)
		}
	}
	t.Logf("drawn by %s: %d bytes of SVG", dot, len(svg))
}

func TestGraphShopShape(t *testing.T) {
	g := shopGraph(t)
	kinds := map[string]int{}
	for _, n := range g.Nodes {
		kinds[n.Kind]++
	}
	// 1 declared topic + 3 dead-letter topics; 4 subscriptions + 3
	// dead-letter ones; the schema; the push endpoint; checkout, billing,
	// auditor.
	want := map[string]int{NodeTopic: 4, NodeSubscription: 7, NodeSchema: 1, NodeEndpoint: 1, NodePrincipal: 3}
	for k, n := range want {
		if kinds[k] != n {
			t.Errorf("%d %s nodes, want %d (%v)", kinds[k], k, n, kinds)
		}
	}
	if c := g.DeadLetterCycles(); len(c) != 0 {
		t.Errorf("shop has no dead-letter cycle, got %v", c)
	}
	var b bytes.Buffer
	if err := GraphJSON(&b, g); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
}

func TestDeadLetterCycles(t *testing.T) {
	c := &model.Config{Project: "p", Stack: "s"}
	topic := func(n string) string { return model.FullName("p", model.KindTopic, n) }
	c.Topics = []*model.Topic{{Name: "a"}, {Name: "b"}, {Name: "c"}}
	c.Subscriptions = []*model.Subscription{
		{Name: "a-sub", Topic: topic("a"), DeadLetter: &model.DeadLetter{Topic: topic("b")}},
		{Name: "b-sub", Topic: topic("b"), DeadLetter: &model.DeadLetter{Topic: topic("a")}},
		{Name: "c-sub", Topic: topic("c"), DeadLetter: &model.DeadLetter{Topic: topic("a")}},
	}
	got := ConfigGraph(c, GraphOptions{}).DeadLetterCycles()
	if len(got) != 1 || strings.Join(got[0], " -> ") != "a -> b -> a" {
		t.Errorf("cycles = %v, want [[a b a]]", got)
	}
}

func TestLiveGraphMarksUnmanagedAndDrifted(t *testing.T) {
	c := &model.Config{Project: "p", Stack: "s"}
	ours := map[string]string{model.LabelManagedBy: model.ManagedByValue, model.LabelStack: "s"}
	c.Topics = []*model.Topic{{Addr: model.Address{Kind: model.KindTopic, Name: "orders"}, Name: "orders"},
		{Addr: model.Address{Kind: model.KindTopic, Name: "new"}, Name: "new"}}
	st := &model.State{Project: "p", Topics: []*model.Topic{
		{Addr: model.Address{Kind: model.KindTopic, Name: "orders"}, Name: "orders", Labels: ours},
		{Addr: model.Address{Kind: model.KindTopic, Name: "legacy"}, Name: "legacy"},
	}}
	p := &plan.Plan{Changes: []plan.Change{
		{Kind: model.KindTopic, Name: model.FullName("p", model.KindTopic, "orders"), Action: plan.ActionUpdate},
		{Kind: model.KindTopic, Name: model.FullName("p", model.KindTopic, "new"), Action: plan.ActionCreate},
	}}
	g := LiveGraph(c, st, p, GraphOptions{})
	status := map[string]string{}
	for _, n := range g.Nodes {
		status[n.Label] = n.Status
	}
	want := map[string]string{"orders": StatusDrifted, "legacy": StatusUnmanaged, "new": StatusAbsent}
	for k, v := range want {
		if status[k] != v {
			t.Errorf("%s: status %q, want %q", k, status[k], v)
		}
	}
}
