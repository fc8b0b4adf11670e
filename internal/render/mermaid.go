package render

import (
	"github.com/pubsubctl/pubsubctl/plan"
)

// MaxTopologyNodes bounds the topology picture of a plan: a larger plan
// gets no picture (its table and full plan say it all).
const MaxTopologyNodes = 60

// Topology returns a Mermaid flowchart of what a plan changes: topics,
// the subscriptions that read them and the dead-letter topics they
// forward to, and the principals the IAM changes grant publish or
// subscribe on them (PlanGraph, drawn by the graph's Mermaid renderer,
// the one `pubsubctl graph` uses). Changed resources are marked by action
// (created, updated, replaced, deleted); resources the plan only refers
// to are plain. It returns "" when the plan changes nothing or the
// picture would have more than MaxTopologyNodes nodes.
func Topology(p *plan.Plan) string {
	g := PlanGraph(p)
	if len(g.Nodes) == 0 || len(g.Nodes) > MaxTopologyNodes {
		return ""
	}
	return g.Mermaid(MermaidOptions{})
}
