package citest

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// change is a resource the plan comment must show changed.
type change struct {
	address string // topic.events
	name    string // its node's label in the picture: events
	action  string // create, update, replace, delete or adopt
}

// edge is an arrow the picture must draw, between node labels.
type edge struct{ from, label, to string }

var (
	mermaidNode  = regexp.MustCompile(`^\s*(n\d+)(\["(.*)"\]|\("(.*)"\)|\{\{"(.*)"\}\})$`)
	mermaidEdge  = regexp.MustCompile(`^\s*(n\d+) (?:-- "([^"]*)" )?--> (n\d+)$`)
	mermaidClass = regexp.MustCompile(`^\s*class ([\w,]+) (\w+)$`)
	mermaidDef   = regexp.MustCompile(`^\s*classDef (\w+) \S`)
)

// commentProblems checks the body of the pull-request comment (plan.md,
// which the workflow posts as it is) of a plan with changes: the summary
// line, the table with one row per changed resource and its action, and
// the Mermaid picture, a flowchart whose nodes for the changed resources
// are classed by their action, with the arrows between them.
func commentProblems(body, summary string, changes []change, edges []edge) []string {
	var problems []string
	bad := func(format string, a ...any) { problems = append(problems, fmt.Sprintf(format, a...)) }

	if !strings.Contains(body, "**Plan:** "+summary) {
		bad("no summary line %q", "**Plan:** "+summary)
	}
	table := regexp.MustCompile("(?m)^\\| Action \\| Address \\| Details \\|\n\\|---\\|---\\|---\\|\n((?:\\|.*\\|\n)+)").FindStringSubmatch(body)
	if table == nil {
		bad("no summary table (| Action | Address | Details |)")
	} else {
		for _, c := range changes {
			row := regexp.MustCompile("(?m)^\\| `[^`]+` " + regexp.QuoteMeta(c.action) + " \\| `" + regexp.QuoteMeta(c.address) + "` \\| .*\\|$")
			if !row.MatchString(table[1]) {
				bad("the table has no %s row for %s:\n%s", c.action, c.address, table[1])
			}
		}
	}

	start := strings.Index(body, "\n```mermaid\n")
	if start < 0 {
		bad("no ```mermaid block")
		return problems
	}
	block, _, closed := strings.Cut(body[start+len("\n```mermaid\n"):], "\n```\n")
	if !closed {
		bad("the ```mermaid block is not closed")
		return problems
	}
	lines := strings.Split(block, "\n")
	if lines[0] != "flowchart LR" {
		bad("the Mermaid block does not start with flowchart LR: %q", lines[0])
	}
	type node struct{ label, shape, class string }
	nodes := map[string]*node{}
	byLabel := map[string]string{} // shape and label ("[events") -> id
	defined := map[string]bool{}
	var arrows []edge
	for _, l := range lines[1:] {
		switch {
		case mermaidNode.MatchString(l):
			m := mermaidNode.FindStringSubmatch(l)
			n := &node{label: m[3] + m[4] + m[5], shape: m[2][:1]}
			nodes[m[1]] = n
			byLabel[n.shape+n.label] = m[1]
		case mermaidEdge.MatchString(l):
			m := mermaidEdge.FindStringSubmatch(l)
			arrows = append(arrows, edge{m[1], m[2], m[3]})
		case mermaidDef.MatchString(l):
			defined[mermaidDef.FindStringSubmatch(l)[1]] = true
		case mermaidClass.MatchString(l):
			m := mermaidClass.FindStringSubmatch(l)
			for _, id := range strings.Split(m[1], ",") {
				if n := nodes[id]; n != nil {
					n.class = m[2]
				} else {
					bad("class %s names an undeclared node %s", m[2], id)
				}
			}
			if !defined[m[2]] {
				bad("class %s is used before a classDef", m[2])
			}
		default:
			bad("unexpected line in the Mermaid block: %q", l)
		}
	}
	for _, c := range changes {
		shape := "(" // a subscription; a topic is a box
		if strings.HasPrefix(c.address, "topic.") {
			shape = "["
		}
		id, ok := byLabel[shape+c.name]
		if !ok {
			bad("the picture has no node %s%q…, for %s", shape, c.name, c.address)
			continue
		}
		n := nodes[id]
		if n.class != c.action {
			bad("node %q is classed %q, want %q (the change's action)", c.name, n.class, c.action)
		}
	}
	for _, e := range edges {
		found := false
		for _, a := range arrows {
			if nodes[a.from] != nil && nodes[a.to] != nil && nodes[a.from].label == e.from && nodes[a.to].label == e.to && a.label == e.label {
				found = true
			}
		}
		if !found {
			bad("the picture has no arrow %q -- %q --> %q", e.from, e.label, e.to)
		}
	}
	return problems
}

// The checks find what a comment lacks: each part removed from a good body
// is reported.
func TestCommentProblems(t *testing.T) {
	good := "<!-- pubsubctl-plan stack=\"s\" project=\"p\" dir=\"d\" -->\n" +
		"#### pubsubctl plan for project `p`\n\n" +
		"**Plan:** 2 to create, 0 to update, 0 to replace, 0 to delete.\n\n" +
		"| Action | Address | Details |\n|---|---|---|\n" +
		"| `+` create | `topic.events` |  |\n" +
		"| `+` create | `subscription.events-worker` |  |\n\n" +
		"```mermaid\nflowchart LR\n  n0[\"events\"]\n  n1(\"events-worker\")\n  n0 --> n1\n" +
		"  classDef create fill:#dafbe1,stroke:#1a7f37\n  class n0,n1 create\n```\n"
	changes := []change{{"topic.events", "events", "create"}, {"subscription.events-worker", "events-worker", "create"}}
	edges := []edge{{"events", "", "events-worker"}}
	if p := commentProblems(good, "2 to create", changes, edges); len(p) > 0 {
		t.Fatalf("a complete comment has problems: %q", p)
	}
	for _, tc := range []struct{ name, old, new, want string }{
		{"no summary", "**Plan:** 2 to create", "**Plan:** 3 to create", "no summary line"},
		{"no table", "| Action | Address | Details |", "| Action | Details |", "no summary table"},
		{"no row", "| `+` create | `topic.events` |  |\n", "", "no create row for topic.events"},
		{"no mermaid", "```mermaid", "```text", "no ```mermaid block"},
		{"unclosed", "create\n```\n", "create\n", "not closed"},
		{"no node", "  n1(\"events-worker\")\n", "", `no node ("events-worker"`},
		{"not changed", "class n0,n1 create", "class n0 create", `node "events-worker" is classed ""`},
		{"wrong shape", `n1("events-worker")`, `n1["events-worker"]`, `no node ("events-worker"…, for subscription.events-worker`},
		{"no arrow", "  n0 --> n1\n", "", "no arrow"},
	} {
		body := strings.Replace(good, tc.old, tc.new, 1)
		if body == good {
			t.Fatalf("%s: the case changes nothing", tc.name)
		}
		p := commentProblems(body, "2 to create", changes, edges)
		if !strings.Contains(strings.Join(p, "\n"), tc.want) {
			t.Errorf("%s: problems %q, want one saying %q", tc.name, p, tc.want)
		}
	}
}
