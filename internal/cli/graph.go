package cli

import (
	"fmt"
	"strings"

	"github.com/pubsubctl/pubsubctl/internal/render"
)

// GraphCmd draws the topology of a configuration, or of what exists.
type GraphCmd struct {
	TargetFlags
	Dir    string `arg:"" optional:"" default:"." help:"Configuration: a directory whose *.hcl files are read together, or a single .hcl file (default: the current directory)." type:"path"`
	Format string `default:"mermaid" enum:"mermaid,dot,json" help:"Output format: mermaid (a flowchart for Markdown), dot (Graphviz: pipe to dot -Tsvg) or json (nodes and edges)."`
	Live   bool   `help:"Draw what exists in the project instead of the configuration: resources this stack does not manage are marked unmanaged, those a plan would change drifted, declared ones that do not exist absent. Reads live state (--emulator, PUBSUB_EMULATOR_HOST, or Application Default Credentials)."`
	NoIAM  bool   `name:"no-iam" help:"Leave out the principals (publishers and subscribers)."`
}

// Help is the long help of graph.
func (*GraphCmd) Help() string {
	return `Draws the topology of a configuration: topics, their subscriptions, dead-letter edges,
schemas, push endpoints (and BigQuery tables, Cloud Storage buckets) and the principals
that publish to topics and subscribe to subscriptions, grouped by project. The dead-letter
topics and subscriptions pubsubctl derives are drawn too. Offline, with no credentials.

With --live it draws what exists in the project instead, with the IAM of the resources
the configuration manages: resources without this stack's labels are marked unmanaged,
those the plan would change drifted, and declared resources that do not exist absent.

A loop of dead-letter topics (a subscription of topic A dead-letters to B, one of B's
back to A) is a warning on standard error naming the loop: a failing message would
circle between them for as long as it keeps failing.

Exit status: 0 drawn (warnings allowed), 1 invalid configuration, a failed live read
or a usage error.

Examples:
  pubsubctl graph examples/shop                          # Mermaid, for a README or a PR
  pubsubctl graph --format dot examples/shop | dot -Tsvg > shop.svg
  pubsubctl graph --format json examples/shop | jq '.nodes[] | select(.kind == "topic")'
  PUBSUB_EMULATOR_HOST=127.0.0.1:8085 pubsubctl graph --live examples/shop`
}

// Run builds the graph and renders it.
func (c *GraphCmd) Run(rc *runContext) error {
	opts := render.GraphOptions{Principals: !c.NoIAM}
	var g *render.Graph
	if c.Live {
		pr, err := rc.computePlan(c.Dir, c.TargetFlags, 0, nil, false)
		if err != nil {
			return err
		}
		defer pr.client.Close()
		for _, w := range pr.plan.Warnings {
			fmt.Fprintf(rc.stderr, "Warning: %s\n", w)
		}
		g = render.LiveGraph(pr.config.Config, pr.live, pr.plan, opts)
	} else {
		res, _, err := rc.load(c.Dir)
		if err != nil {
			return err
		}
		g = render.ConfigGraph(res.Config, opts)
	}
	for _, loop := range g.DeadLetterCycles() {
		fmt.Fprintf(rc.stderr, "Warning: dead-letter cycle: %s: a message that keeps failing circles between these topics instead of coming to rest\n",
			strings.Join(loop, " -> "))
	}
	switch c.Format {
	case "dot":
		_, err := fmt.Fprint(rc.stdout, g.DOT())
		return err
	case "json":
		return render.GraphJSON(rc.stdout, g)
	}
	_, err := fmt.Fprint(rc.stdout, g.Mermaid(render.MermaidOptions{GroupByProject: true}))
	return err
}
