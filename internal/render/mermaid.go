package render

import (
	"fmt"
	"sort"
	"strings"

	"github.com/pubsubctl/pubsubctl/iam"
	"github.com/pubsubctl/pubsubctl/model"
	"github.com/pubsubctl/pubsubctl/plan"
)

// MaxTopologyNodes bounds the topology picture of a plan: a larger plan
// gets no picture (its table and full plan say it all).
const MaxTopologyNodes = 60

// Topology returns a Mermaid flowchart of what a plan changes: topics,
// the subscriptions that read them and the dead-letter topics they
// forward to, and the principals the IAM changes grant publish or
// subscribe on them. Changed resources are marked by action (created,
// updated, replaced, deleted); resources the plan only refers to are
// plain. It returns "" when the plan changes nothing or the picture would
// have more than MaxTopologyNodes nodes.
func Topology(p *plan.Plan) string {
	g := &graph{ids: map[string]string{}, class: map[string]plan.Action{}}
	for _, ch := range p.Changes {
		if ch.Kind == model.KindSchema {
			continue
		}
		id := g.node(ch.Kind, ch.Name)
		g.class[id] = ch.Action
		r := ch.After.Get()
		if r == nil {
			r = ch.Before.Get()
		}
		if s, ok := r.(*model.Subscription); ok {
			if s.Topic != "" && s.Topic != plan.DeletedTopic {
				g.edge(g.node(model.KindTopic, s.Topic), id, "")
			}
			if s.DeadLetter != nil && s.DeadLetter.Topic != "" {
				g.edge(id, g.node(model.KindTopic, s.DeadLetter.Topic), "dead letters")
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
				g.edge(g.principal(m.Member), g.node(ic.Kind, ic.Name), "publishes")
			case model.RoleSubscriber:
				g.edge(g.node(ic.Kind, ic.Name), g.principal(m.Member), "delivers to")
			}
		}
	}
	if len(g.order) == 0 || len(g.order) > MaxTopologyNodes {
		return ""
	}
	var b strings.Builder
	b.WriteString("flowchart LR\n")
	for _, id := range g.order {
		fmt.Fprintf(&b, "  %s%s\n", id, g.label[id])
	}
	for _, e := range g.edges {
		b.WriteString("  " + e + "\n")
	}
	classes := map[plan.Action]string{plan.ActionCreate: "fill:#dafbe1,stroke:#1a7f37", plan.ActionUpdate: "fill:#fff8c5,stroke:#9a6700",
		plan.ActionReplace: "fill:#ffebe9,stroke:#cf222e", plan.ActionDelete: "fill:#ffebe9,stroke:#cf222e,stroke-dasharray: 4 2",
		plan.ActionAdopt: "fill:#ddf4ff,stroke:#0969da"}
	var used []plan.Action
	for a := range classes {
		used = append(used, a)
	}
	sort.Slice(used, func(i, j int) bool { return used[i] < used[j] })
	for _, a := range used {
		var ids []string
		for _, id := range g.order {
			if g.class[id] == a {
				ids = append(ids, id)
			}
		}
		if len(ids) > 0 {
			fmt.Fprintf(&b, "  classDef %s %s\n  class %s %s\n", a, classes[a], strings.Join(ids, ","), a)
		}
	}
	return b.String()
}

type graph struct {
	ids   map[string]string // key -> node id
	order []string
	label map[string]string
	class map[string]plan.Action
	edges []string
	seen  map[string]bool
}

func (g *graph) add(key, shape string) string {
	if id, ok := g.ids[key]; ok {
		return id
	}
	id := fmt.Sprintf("n%d", len(g.order))
	g.ids[key] = id
	g.order = append(g.order, id)
	if g.label == nil {
		g.label = map[string]string{}
	}
	g.label[id] = shape
	return id
}

// node is a topic (rectangle) or subscription (rounded), by full name.
func (g *graph) node(kind model.Kind, fullName string) string {
	name := fullName[strings.LastIndexByte(fullName, '/')+1:]
	if kind == model.KindSubscription {
		return g.add(kind.String()+" "+fullName, `("`+mermaidText(name)+`")`)
	}
	return g.add(kind.String()+" "+fullName, `["`+mermaidText(name)+`"]`)
}

// principal is an IAM member (hexagon).
func (g *graph) principal(member string) string {
	return g.add("member "+member, `{{"`+mermaidText(member)+`"}}`)
}

func (g *graph) edge(from, to, label string) {
	e := from + " --> " + to
	if label != "" {
		e = from + ` -- "` + label + `" --> ` + to
	}
	if g.seen == nil {
		g.seen = map[string]bool{}
	}
	if !g.seen[e] {
		g.seen[e] = true
		g.edges = append(g.edges, e)
	}
}

// mermaidText makes s safe inside a quoted Mermaid label.
func mermaidText(s string) string {
	return strings.NewReplacer(`"`, "#quot;", "<", "#lt;", ">", "#gt;").Replace(s)
}
