package config

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
)

// Configurations of many resources, for BenchmarkLoad and the linearity
// tests. Every shape is valid and loads without diagnostics.

// scaleHeader is the pubsubctl block of every scale configuration (a
// valid project ID: validation runs).
const scaleHeader = `pubsubctl {
  project = "bench-project"
  stack   = "bench"
}
`

// scaleShape writes the files of a configuration of n topics and n
// subscriptions (one per topic).
type scaleShape struct {
	name string
	// files returns the configuration's files (name -> content).
	files func(n int) map[string]string
	// perPair is the number of resources a topic and its subscription
	// become (4 with the derived dead-letter topic and subscription).
	perPair int
}

var scaleShapes = []scaleShape{
	{
		// Written out one by one, dead-lettering off (with a reason, so
		// there is no warning): the shape of issue 12's measurements.
		name: "blocks", perPair: 2,
		files: func(n int) map[string]string {
			return scaleBlocks(n, "  dead_letter {\n    enabled = false\n    reason  = \"bench\"\n  }\n")
		},
	},
	{
		// Written out one by one with pubsubctl's derived dead-letter
		// topic and subscription: n=10,000 is 40,000 resources.
		name: "deadletter", perPair: 4,
		files: func(n int) map[string]string { return scaleBlocks(n, "") },
	},
	{
		// Two for_each over one local set.
		name: "foreach", perPair: 2,
		files: func(n int) map[string]string {
			return map[string]string{"main.hcl": scaleHeader + fmt.Sprintf(`
locals {
  names = toset(flatten([for i in range(%d) : [for j in range(100) : format("t%%05d", i * 100 + j)]]))
}

topic "t" {
  for_each = local.names
  name     = each.key
}

subscription "s" {
  for_each = local.names
  name     = "s-${each.key}"
  topic    = topic.t[each.key]
  dead_letter {
    enabled = false
    reason  = "bench"
  }
}
`, n/100)}
		},
	},
}

// scaleBlocks writes n topics and n subscriptions one by one, 1,000 pairs
// per file (a file may have at most MaxFileTokens tokens); sub is added to
// the body of every subscription.
func scaleBlocks(n int, sub string) map[string]string {
	files := map[string]string{"main.hcl": scaleHeader}
	for start := 0; start < n; start += 1000 {
		var b strings.Builder
		for i := start; i < min(n, start+1000); i++ {
			fmt.Fprintf(&b, "topic \"t%05d\" {}\n\nsubscription \"s%05d\" {\n  topic = topic.t%05d\n%s}\n\n", i, i, i, sub)
		}
		files[fmt.Sprintf("r%05d.hcl", start)] = b.String()
	}
	return files
}

// loadScale loads dir and fails unless it has exactly want resources and
// no diagnostics but the warnings that it has more topics or subscriptions
// than Pub/Sub allows per project (the deadletter shape at 10,000 pairs).
func loadScale(tb testing.TB, dir string, want int) {
	res, diags := Load(Options{Dir: dir})
	for _, d := range diags {
		if d.Severity != hcl.DiagWarning || !strings.HasSuffix(d.Summary, " than Pub/Sub allows") {
			tb.Fatalf("unexpected diagnostic (of %d):\n%s", len(diags), diagLine(d))
		}
	}
	if got := len(res.Config.Topics) + len(res.Config.Subscriptions) + len(res.Config.Schemas); got != want {
		tb.Fatalf("%d resources, want %d", got, want)
	}
}

// BenchmarkLoad measures Load (parse, evaluate, decode, defaults,
// validation) of n topic and subscription pairs and reports µs per
// resource, which must stay flat as n grows (issue 12: at most 50 µs).
//
//	go test ./internal/config -run '^$' -bench BenchmarkLoad -benchtime 3x
func BenchmarkLoad(b *testing.B) {
	for _, shape := range scaleShapes {
		for _, n := range []int{1000, 5000, 10000} {
			b.Run(fmt.Sprintf("%s/pairs=%d", shape.name, n), func(b *testing.B) {
				dir := writeDir(b, shape.files(n))
				resources := n * shape.perPair
				b.ReportAllocs()
				b.ResetTimer()
				for b.Loop() {
					loadScale(b, dir, resources)
				}
				b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/float64(resources), "µs/resource")
				b.ReportMetric(float64(resources), "resources")
			})
		}
	}
}

// TestLoadLinear checks, without timing anything, that loading does a
// constant amount of work per resource in every scale shape: the
// allocations per resource at 10,000 pairs are within 1.5x of those at
// 1,000. (Validation used to build the full name of every topic for every
// subscription: 10x the resources made 100x the allocations.)
func TestLoadLinear(t *testing.T) {
	if testing.Short() {
		t.Skip("loads 20,000 to 40,000 resources")
	}
	for _, shape := range scaleShapes {
		t.Run(shape.name, func(t *testing.T) {
			perResource := func(n int) float64 {
				dir := writeDir(t, shape.files(n))
				resources := n * shape.perPair
				return testing.AllocsPerRun(1, func() { loadScale(t, dir, resources) }) / float64(resources)
			}
			small, large := perResource(1000), perResource(10000)
			if large > 1.5*small {
				t.Fatalf("loading is not linear: %.0f allocations per resource at 1,000 pairs, %.0f at 10,000", small, large)
			}
			t.Logf("%.0f allocations per resource at 1,000 pairs, %.0f at 10,000", small, large)
		})
	}
}

// TestForEachLocalEnumeratedOnce checks that blocks sharing a for_each =
// local.<name> enumerate its set once (iterating a set sorts it) and still
// get instances of their own.
func TestForEachLocalEnumeratedOnce(t *testing.T) {
	l := newLoader(Options{Dir: writeDir(t, scaleShapes[2].files(200))})
	res := l.load()
	if len(l.diags) > 0 {
		t.Fatalf("unexpected diagnostics:\n%s", diagLines(l.diags))
	}
	if l.forEachEnumerations != 1 {
		t.Errorf("the set of local.names was enumerated %d times, want once", l.forEachEnumerations)
	}
	if len(res.Config.Topics) != 200 || len(res.Config.Subscriptions) != 200 {
		t.Fatalf("%d topics, %d subscriptions, want 200 of each", len(res.Config.Topics), len(res.Config.Subscriptions))
	}
	if got := res.Config.Subscriptions[7].Topic; got != "projects/bench-project/topics/"+res.Config.Topics[7].Name {
		t.Errorf("subscription %s reads %s, want topic %s", res.Config.Subscriptions[7].Name, got, res.Config.Topics[7].Name)
	}
}

// TestQuotaWarning: derived dead-letter resources do not count against
// MaxResourcesPerKind (5,001 declared subscriptions load), but taking the
// topics and subscriptions over Pub/Sub's quota is a warning on the
// pubsubctl block, with the counts.
func TestQuotaWarning(t *testing.T) {
	if testing.Short() {
		t.Skip("loads 20,004 resources")
	}
	res, diags := Load(Options{Dir: writeDir(t, scaleShapes[1].files(5001))})
	if diags.HasErrors() || len(diags) != 2 {
		t.Fatalf("want two warnings, got:\n%s", diagLines(diags))
	}
	for i, k := range []string{"topics", "subscriptions"} {
		d := diags[i]
		if d.Summary != "More "+k+" than Pub/Sub allows" || d.Subject == nil || filepath.Base(d.Subject.Filename) != "main.hcl" || d.Subject.Start.Line != 1 {
			t.Errorf("want a warning about the %s quota on the pubsubctl block, got:\n%s", k, diagLine(d))
		}
		if want := "creates 10,002 " + k + ": 5,001 declared and 5,001 dead-letter " + k; !strings.Contains(d.Detail, want) {
			t.Errorf("detail lacks %q:\n%s", want, d.Detail)
		}
	}
	if n := len(res.Config.Topics) + len(res.Config.Subscriptions); n != 20004 {
		t.Errorf("%d resources, want 20,004", n)
	}
}
