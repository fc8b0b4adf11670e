package model

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"

	"github.com/pubsubctl/pubsubctl/internal/safefile"
)

// QuotaPerProject is Pub/Sub's limit on the topics, and separately on the
// subscriptions and the schemas, of one project.
//
// The loader refuses a configuration that declares more than this of a
// kind (config.MaxResourcesPerKind, a bound on its input). The dead-letter
// topics and subscriptions pubsubctl derives are not declared: they are at
// most one of each per declared subscription, so they cannot make the work
// unbounded, and Validate warns (quota) when they take a kind over the
// quota, because such a configuration would stop part way through apply.
const QuotaPerProject = 10_000

// quota warns when the resources pubsubctl would create, the derived
// dead-letter ones included, exceed Pub/Sub's per-project limit. (Declared
// resources alone cannot: the loader refuses that.)
func (v *validator) quota() {
	derivedTopics, derivedSubs := 0, 0
	for _, t := range v.c.Topics {
		if t.DerivedFrom != nil {
			derivedTopics++
		}
	}
	for _, s := range v.c.Subscriptions {
		if s.DerivedFrom != nil {
			derivedSubs++
		}
	}
	v.quotaOf(KindTopic, len(v.c.Topics), derivedTopics)
	v.quotaOf(KindSubscription, len(v.c.Subscriptions), derivedSubs)
}

func (v *validator) quotaOf(k Kind, total, derived int) {
	if total <= QuotaPerProject {
		return
	}
	count := func(n int) string { return safefile.FormatCount(int64(n)) }
	detail := fmt.Sprintf("This configuration creates %s %s", count(total), k.Collection())
	if derived > 0 {
		detail += fmt.Sprintf(": %s declared and %s dead-letter %s that pubsubctl creates for the subscriptions that do not set dead_letter.topic",
			count(total-derived), count(derived), k.Collection())
	}
	detail += fmt.Sprintf(". Pub/Sub allows at most %s %s per project (those outside this configuration count too), so apply would fail part way through with a quota error. Dead-letter several subscriptions to one topic (dead_letter { topic = topic.<label> }), turn dead-lettering off where it is not needed (dead_letter { enabled = false  reason = \"...\" }), or split the configuration across projects.",
		count(QuotaPerProject), k.Collection())
	v.warnf(hcl.Range{}, "More "+k.Collection()+" than Pub/Sub allows", "%s", detail)
}
