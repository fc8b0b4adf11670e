package render

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/pubsubctl/pubsubctl/iam"
	"github.com/pubsubctl/pubsubctl/model"
	"github.com/pubsubctl/pubsubctl/plan"
)

// The topology graph: topics, subscriptions, schemas, delivery targets
// (push endpoints, BigQuery tables, Cloud Storage buckets) and principals
// (publishers, subscribers), with the edges between them. `pubsubctl graph`
// draws a configuration's or a project's graph; the PR comment's picture
// (Topology) draws the part a plan changes. Both build a Graph here and
// render it with the same Mermaid, DOT or JSON code.

// Node kinds.
const (
	NodeTopic        = "topic"
	NodeSubscription = "subscription"
	NodeSchema       = "schema"
	NodeEndpoint     = "endpoint" // push endpoint, BigQuery table, Cloud Storage bucket
	NodePrincipal    = "principal"
)

// Edge kinds.
const (
	EdgeDelivers   = "delivers"     // topic -> subscription
	EdgeDeadLetter = "dead-letters" // subscription -> dead-letter topic
	EdgeSchema     = "validates"    // schema -> topic
	EdgePush       = "pushes"       // subscription -> endpoint
	EdgePublishes  = "publishes"    // principal -> topic
	EdgeSubscribes = "subscribes"   // subscription -> principal
)

// Node statuses besides plan actions (create, update, ...).
const (
	StatusUnmanaged = "unmanaged" // live, not managed by this stack
	StatusDrifted   = "drifted"   // live, managed, differs from the configuration
	StatusAbsent    = "absent"    // declared, does not exist live
)

// GraphNode is one node of the graph.
type GraphNode struct {
	ID      string `json:"id"`
	Kind    string `json:"kind"`
	Name    string `json:"name"` // full resource name, member or URL
	Label   string `json:"label"`
	Project string `json:"project,omitempty"`
	Address string `json:"address,omitempty"` // in the configuration
	// Status is a plan action (create, update, replace, delete, adopt),
	// or unmanaged, drifted or absent; empty for nothing to say.
	Status string `json:"status,omitempty"`
	// DerivedFrom names the subscription a dead-letter resource was made
	// for.
	DerivedFrom string `json:"derived_from,omitempty"`
}

// GraphEdge is one edge.
type GraphEdge struct {
	From string `json:"from"`
	To   string `json:"to"`
	Kind string `json:"kind"`
}

// Graph is a topology.
type Graph struct {
	Nodes []*GraphNode `json:"nodes"`
	Edges []GraphEdge  `json:"edges"`

	byKey map[string]*GraphNode
	seen  map[GraphEdge]bool
}

// NewGraph returns an empty graph.
func NewGraph() *Graph {
	return &Graph{Nodes: []*GraphNode{}, Edges: []GraphEdge{}, byKey: map[string]*GraphNode{}, seen: map[GraphEdge]bool{}}
}

// Node returns the node of kind and name, adding it the first time.
func (g *Graph) Node(kind, name string) *GraphNode {
	key := kind + " " + name
	if n, ok := g.byKey[key]; ok {
		return n
	}
	n := &GraphNode{ID: fmt.Sprintf("n%d", len(g.Nodes)), Kind: kind, Name: name, Label: name}
	switch kind {
	case NodeTopic, NodeSubscription, NodeSchema:
		n.Label = name[strings.LastIndexByte(name, '/')+1:]
		if p, _, ok := model.SplitName(name, kindOf(kind)); ok {
			n.Project = p
		}
	}
	g.byKey[key] = n
	g.Nodes = append(g.Nodes, n)
	return n
}

// Resource returns the node of a Pub/Sub resource by full name.
func (g *Graph) Resource(kind model.Kind, fullName string) *GraphNode {
	return g.Node(kind.String(), fullName)
}

// Edge adds an edge once.
func (g *Graph) Edge(from, to *GraphNode, kind string) {
	e := GraphEdge{From: from.ID, To: to.ID, Kind: kind}
	if !g.seen[e] {
		g.seen[e] = true
		g.Edges = append(g.Edges, e)
	}
}

func kindOf(s string) model.Kind {
	k, _ := model.ParseKind(s)
	return k
}

// GraphOptions say what a graph shows.
type GraphOptions struct {
	// Principals adds the members granted publish on topics and
	// subscribe on subscriptions (not the service agent's dead-letter
	// grants, which the dead-letter edges already show).
	Principals bool
}

// ConfigGraph is the graph of a configuration: every resource, derived
// ones included.
func ConfigGraph(c *model.Config, opts GraphOptions) *Graph {
	g := NewGraph()
	for _, r := range c.Resources() {
		n := g.Resource(r.Address().Kind, model.FullName(c.Project, r.Address().Kind, r.ID()))
		n.Address = r.Address().String()
		if d := model.DerivedFrom(r); d != nil {
			n.DerivedFrom = d.String()
		}
	}
	for _, r := range c.Resources() {
		addResourceEdges(g, c.Project, r, &policyOf{decl: r.Policy()}, opts)
	}
	return g
}

// LiveGraph is the graph of what exists in a project: every live
// resource, those this stack does not manage marked unmanaged and those
// the plan would change marked drifted (with their IAM from the policies
// that were read). Declared resources that do not exist are added,
// marked absent.
func LiveGraph(c *model.Config, st *model.State, p *plan.Plan, opts GraphOptions) *Graph {
	g := NewGraph()
	declared := map[string]model.Resource{}
	for _, r := range c.Resources() {
		declared[model.FullName(c.Project, r.Address().Kind, r.ID())] = r
	}
	changed := map[string]plan.Action{}
	for _, ch := range p.Changes {
		changed[ch.Name] = ch.Action
	}
	for _, ic := range p.IAM {
		if _, ok := changed[ic.Name]; !ok {
			changed[ic.Name] = plan.ActionUpdate
		}
	}
	for _, r := range st.Resources() {
		full := model.FullName(st.Project, r.Address().Kind, r.ID())
		n := g.Resource(r.Address().Kind, full)
		if d, ok := declared[full]; ok {
			n.Address = d.Address().String()
		}
		switch a, ok := changed[full]; {
		case model.Owner(r) != c.Stack && r.Address().Kind != model.KindSchema:
			n.Status = StatusUnmanaged
		case ok && a != plan.ActionCreate:
			n.Status = StatusDrifted
		}
	}
	for _, r := range c.Resources() {
		full := model.FullName(c.Project, r.Address().Kind, r.ID())
		if _, ok := g.byKey[r.Address().Kind.String()+" "+full]; !ok {
			n := g.Resource(r.Address().Kind, full)
			n.Address, n.Status = r.Address().String(), StatusAbsent
		}
	}
	for _, r := range st.Resources() {
		full := model.FullName(st.Project, r.Address().Kind, r.ID())
		addResourceEdges(g, st.Project, r, &policyOf{live: st.Policies[full]}, opts)
	}
	return g
}

// policyOf is a declared or a live policy.
type policyOf struct {
	decl *model.IAM
	live *model.Policy
}

// members returns the members of role, without pubsubctl's dead-letter
// grants.
func (p *policyOf) members(role string) []string {
	var out []string
	if p.decl != nil {
		for _, b := range p.decl.Bindings {
			if b.Role == role && !strings.HasPrefix(b.Origin, "dead-letter grant") {
				out = append(out, b.Members...)
			}
		}
	}
	if p.live != nil {
		for _, b := range p.live.Bindings {
			if b.Role == role {
				for _, m := range b.Members {
					if !strings.HasSuffix(m, "@gcp-sa-pubsub.iam.gserviceaccount.com") {
						out = append(out, m)
					}
				}
			}
		}
	}
	return out
}

func addResourceEdges(g *Graph, project string, r model.Resource, pol *policyOf, opts GraphOptions) {
	switch r := r.(type) {
	case *model.Topic:
		t := g.Resource(model.KindTopic, model.FullName(project, model.KindTopic, r.Name))
		if r.Schema != nil && r.Schema.Schema != "" {
			g.Edge(g.Resource(model.KindSchema, r.Schema.Schema), t, EdgeSchema)
		}
		if opts.Principals {
			for _, m := range pol.members(model.RolePublisher) {
				g.Edge(g.Node(NodePrincipal, m), t, EdgePublishes)
			}
		}
	case *model.Subscription:
		s := g.Resource(model.KindSubscription, model.FullName(project, model.KindSubscription, r.Name))
		addSubscriptionEdges(g, s, r)
		if opts.Principals {
			for _, m := range pol.members(model.RoleSubscriber) {
				g.Edge(s, g.Node(NodePrincipal, m), EdgeSubscribes)
			}
		}
	}
}

// addSubscriptionEdges adds a subscription's topic, dead-letter topic and
// delivery target.
func addSubscriptionEdges(g *Graph, s *GraphNode, r *model.Subscription) {
	if r.Topic != "" && r.Topic != plan.DeletedTopic {
		g.Edge(g.Resource(model.KindTopic, r.Topic), s, EdgeDelivers)
	}
	if r.DeadLetter != nil && r.DeadLetter.Topic != "" {
		g.Edge(s, g.Resource(model.KindTopic, r.DeadLetter.Topic), EdgeDeadLetter)
	}
	switch {
	case r.Push != nil && r.Push.Endpoint != "":
		g.Edge(s, g.Node(NodeEndpoint, r.Push.Endpoint), EdgePush)
	case r.BigQuery != nil:
		g.Edge(s, g.Node(NodeEndpoint, "bigquery:"+r.BigQuery.Table), EdgePush)
	case r.CloudStorage != nil:
		g.Edge(s, g.Node(NodeEndpoint, "gs://"+r.CloudStorage.Bucket), EdgePush)
	}
}

// PlanGraph is the graph of what a plan changes: the changed topics and
// subscriptions (Status: the action), the topics and dead-letter topics
// they refer to, and the principals the IAM changes grant publish or
// subscribe to.
func PlanGraph(p *plan.Plan) *Graph {
	g := NewGraph()
	for _, ch := range p.Changes {
		if ch.Kind == model.KindSchema {
			continue
		}
		n := g.Resource(ch.Kind, ch.Name)
		n.Status, n.Address = string(ch.Action), ch.Address.String()
		r := ch.After.Get()
		if r == nil {
			r = ch.Before.Get()
		}
		if s, ok := r.(*model.Subscription); ok {
			if s.Topic != "" && s.Topic != plan.DeletedTopic {
				g.Edge(g.Resource(model.KindTopic, s.Topic), n, EdgeDelivers)
			}
			if s.DeadLetter != nil && s.DeadLetter.Topic != "" {
				g.Edge(n, g.Resource(model.KindTopic, s.DeadLetter.Topic), EdgeDeadLetter)
			}
		}
	}
	for _, ic := range p.IAM {
		if ic.Kind == model.KindSchema {
			continue
		}
		for _, m := range ic.Members {
			if m.Action != iam.ActionAdd || strings.HasPrefix(m.Origin, "dead-letter grant") {
				continue
			}
			switch m.Role {
			case model.RolePublisher:
				g.Edge(g.Node(NodePrincipal, m.Member), g.Resource(ic.Kind, ic.Name), EdgePublishes)
			case model.RoleSubscriber:
				g.Edge(g.Resource(ic.Kind, ic.Name), g.Node(NodePrincipal, m.Member), EdgeSubscribes)
			}
		}
	}
	return g
}

// DeadLetterCycles returns the loops of dead-lettering: a topic whose
// subscription dead-letters to a topic whose subscription ... dead-letters
// back to it. Each cycle is the topics' names in order, the first
// repeated at the end. A message on such a loop is never dropped: it
// circles between the topics for as long as it keeps failing.
func (g *Graph) DeadLetterCycles() [][]string {
	next := map[string][]string{} // topic id -> dead-letter topic ids
	subsOf := map[string][]string{}
	for _, e := range g.Edges {
		if e.Kind == EdgeDelivers {
			subsOf[e.From] = append(subsOf[e.From], e.To)
		}
	}
	dl := map[string][]string{}
	for _, e := range g.Edges {
		if e.Kind == EdgeDeadLetter {
			dl[e.From] = append(dl[e.From], e.To)
		}
	}
	for t, subs := range subsOf {
		for _, s := range subs {
			next[t] = append(next[t], dl[s]...)
		}
	}
	byID := map[string]*GraphNode{}
	for _, n := range g.Nodes {
		byID[n.ID] = n
	}
	var cycles [][]string
	seenCycle := map[string]bool{}
	var path []string
	onPath := map[string]int{}
	done := map[string]bool{}
	var visit func(id string)
	visit = func(id string) {
		onPath[id] = len(path)
		path = append(path, id)
		for _, n := range next[id] {
			if i, ok := onPath[n]; ok {
				var names []string
				for _, x := range path[i:] {
					names = append(names, byID[x].Label)
				}
				names = append(names, byID[n].Label)
				key := canonicalCycle(path[i:])
				if !seenCycle[key] {
					seenCycle[key] = true
					cycles = append(cycles, names)
				}
				continue
			}
			if !done[n] {
				visit(n)
			}
		}
		path = path[:len(path)-1]
		delete(onPath, id)
		done[id] = true
	}
	for _, n := range g.Nodes {
		if n.Kind == NodeTopic && !done[n.ID] {
			visit(n.ID)
		}
	}
	return cycles
}

func canonicalCycle(ids []string) string {
	c := append([]string(nil), ids...)
	sort.Strings(c)
	return strings.Join(c, ",")
}

// statusStyles are the Mermaid and DOT styles of node statuses.
var statusStyles = map[string]struct{ mermaid, dot string }{
	string(plan.ActionCreate):  {"fill:#dafbe1,stroke:#1a7f37", `style=filled, fillcolor="#dafbe1", color="#1a7f37"`},
	string(plan.ActionUpdate):  {"fill:#fff8c5,stroke:#9a6700", `style=filled, fillcolor="#fff8c5", color="#9a6700"`},
	string(plan.ActionReplace): {"fill:#ffebe9,stroke:#cf222e", `style=filled, fillcolor="#ffebe9", color="#cf222e"`},
	string(plan.ActionDelete):  {"fill:#ffebe9,stroke:#cf222e,stroke-dasharray: 4 2", `style="filled,dashed", fillcolor="#ffebe9", color="#cf222e"`},
	string(plan.ActionAdopt):   {"fill:#ddf4ff,stroke:#0969da", `style=filled, fillcolor="#ddf4ff", color="#0969da"`},
	StatusDrifted:              {"fill:#fff8c5,stroke:#9a6700", `style=filled, fillcolor="#fff8c5", color="#9a6700"`},
	StatusUnmanaged:            {"fill:#eeeeee,stroke:#6e7781,stroke-dasharray: 4 2", `style="filled,dashed", fillcolor="#eeeeee", color="#6e7781"`},
	StatusAbsent:               {"fill:#ffffff,stroke:#6e7781,stroke-dasharray: 2 2", `style=dotted, color="#6e7781"`},
}

// edgeLabels are the edges' labels in pictures ("" for none).
var edgeLabels = map[string]string{
	EdgeDelivers:   "",
	EdgeDeadLetter: "dead letters",
	EdgeSchema:     "validates",
	EdgePush:       "pushes to",
	EdgePublishes:  "publishes",
	EdgeSubscribes: "delivers to",
}

// MermaidOptions tune the Mermaid picture.
type MermaidOptions struct {
	// GroupByProject draws each project's resources in a subgraph.
	GroupByProject bool
}

// Mermaid renders the graph as a Mermaid flowchart.
func (g *Graph) Mermaid(opts MermaidOptions) string {
	var b strings.Builder
	b.WriteString("flowchart LR\n")
	node := func(indent string, n *GraphNode) {
		fmt.Fprintf(&b, "%s%s%s\n", indent, n.ID, mermaidShape(n))
	}
	if opts.GroupByProject {
		for i, p := range g.projects() {
			fmt.Fprintf(&b, "  subgraph p%d[\"project %s\"]\n", i, mermaidText(p))
			for _, n := range g.Nodes {
				if n.Project == p {
					node("    ", n)
				}
			}
			b.WriteString("  end\n")
		}
		for _, n := range g.Nodes {
			if n.Project == "" {
				node("  ", n)
			}
		}
	} else {
		for _, n := range g.Nodes {
			node("  ", n)
		}
	}
	for _, e := range g.Edges {
		if l := edgeLabels[e.Kind]; l != "" {
			fmt.Fprintf(&b, "  %s -- \"%s\" --> %s\n", e.From, l, e.To)
		} else {
			fmt.Fprintf(&b, "  %s --> %s\n", e.From, e.To)
		}
	}
	for _, st := range g.statuses() {
		var ids []string
		for _, n := range g.Nodes {
			if n.Status == st {
				ids = append(ids, n.ID)
			}
		}
		fmt.Fprintf(&b, "  classDef %s %s\n  class %s %s\n", st, statusStyles[st].mermaid, strings.Join(ids, ","), st)
	}
	return b.String()
}

func mermaidShape(n *GraphNode) string {
	t := mermaidText(n.Label)
	switch n.Kind {
	case NodeTopic:
		return `["` + t + `"]`
	case NodeSubscription:
		return `("` + t + `")`
	case NodeSchema:
		return `[/"` + t + `"/]`
	case NodeEndpoint:
		return `>"` + t + `"]`
	}
	return `{{"` + t + `"}}`
}

// mermaidText makes s safe inside a quoted Mermaid label.
func mermaidText(s string) string {
	return strings.NewReplacer(`"`, "#quot;", "<", "#lt;", ">", "#gt;").Replace(s)
}

// projects returns the projects of the nodes, sorted.
func (g *Graph) projects() []string {
	seen := map[string]bool{}
	var out []string
	for _, n := range g.Nodes {
		if n.Project != "" && !seen[n.Project] {
			seen[n.Project] = true
			out = append(out, n.Project)
		}
	}
	sort.Strings(out)
	return out
}

// statuses returns the styled statuses the nodes use, sorted.
func (g *Graph) statuses() []string {
	seen := map[string]bool{}
	var out []string
	for _, n := range g.Nodes {
		if _, ok := statusStyles[n.Status]; ok && !seen[n.Status] {
			seen[n.Status] = true
			out = append(out, n.Status)
		}
	}
	sort.Strings(out)
	return out
}

// DOT renders the graph in Graphviz's DOT language, each project a
// cluster.
func (g *Graph) DOT() string {
	var b strings.Builder
	b.WriteString("digraph pubsub {\n  rankdir=LR;\n  node [fontname=\"Helvetica\", fontsize=11];\n  edge [fontname=\"Helvetica\", fontsize=9];\n")
	node := func(indent string, n *GraphNode) {
		attrs := []string{"label=" + dotQuote(n.Label), "shape=" + dotShape(n.Kind)}
		if n.Kind == NodeSubscription {
			attrs = append(attrs, `style=rounded`)
		}
		if s, ok := statusStyles[n.Status]; ok {
			if n.Kind == NodeSubscription {
				s.dot = strings.Replace(strings.Replace(s.dot, `style=filled`, `style="rounded,filled"`, 1), `style="filled,dashed"`, `style="rounded,filled,dashed"`, 1)
				attrs = attrs[:len(attrs)-1]
			}
			attrs = append(attrs, s.dot)
		}
		if n.Status != "" {
			attrs = append(attrs, "tooltip="+dotQuote(n.Kind+" "+n.Name+" ("+n.Status+")"))
		} else {
			attrs = append(attrs, "tooltip="+dotQuote(n.Kind+" "+n.Name))
		}
		fmt.Fprintf(&b, "%s%s [%s];\n", indent, n.ID, strings.Join(attrs, ", "))
	}
	for i, p := range g.projects() {
		fmt.Fprintf(&b, "  subgraph cluster_%d {\n    label=%s;\n    style=rounded;\n", i, dotQuote("project "+p))
		for _, n := range g.Nodes {
			if n.Project == p {
				node("    ", n)
			}
		}
		b.WriteString("  }\n")
	}
	for _, n := range g.Nodes {
		if n.Project == "" {
			node("  ", n)
		}
	}
	for _, e := range g.Edges {
		var attrs []string
		if l := edgeLabels[e.Kind]; l != "" {
			attrs = append(attrs, "label="+dotQuote(l))
		}
		if e.Kind == EdgeDeadLetter {
			attrs = append(attrs, "style=dashed", `color="#cf222e"`)
		}
		if len(attrs) > 0 {
			fmt.Fprintf(&b, "  %s -> %s [%s];\n", e.From, e.To, strings.Join(attrs, ", "))
		} else {
			fmt.Fprintf(&b, "  %s -> %s;\n", e.From, e.To)
		}
	}
	b.WriteString("}\n")
	return b.String()
}

func dotShape(kind string) string {
	switch kind {
	case NodeTopic:
		return "box"
	case NodeSubscription:
		return "box"
	case NodeSchema:
		return "note"
	case NodeEndpoint:
		return "cds"
	}
	return "hexagon"
}

// dotQuote quotes s as a DOT string.
func dotQuote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s) + `"`
}

// GraphJSON writes the graph as JSON: {"nodes": [...], "edges": [...],
// "projects": [...], "dead_letter_cycles": [...]}.
func GraphJSON(w io.Writer, g *Graph) error {
	cycles := g.DeadLetterCycles()
	if cycles == nil {
		cycles = [][]string{}
	}
	projects := g.projects()
	if projects == nil {
		projects = []string{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(struct {
		Projects []string     `json:"projects"`
		Nodes    []*GraphNode `json:"nodes"`
		Edges    []GraphEdge  `json:"edges"`
		Cycles   [][]string   `json:"dead_letter_cycles"`
	}{projects, g.Nodes, g.Edges, cycles})
}
