package cli

import (
	"fmt"

	"github.com/pubsubctl/pubsubctl/internal/live"
	"github.com/pubsubctl/pubsubctl/plan"
)

// warnSchemaRevisions adds a warning to each schema change that commits a
// new revision when the schema already holds Pub/Sub's maximum of
// revisions (the commit would fail), or will hold it after the commit.
// Revisions are counted only for these changes, so a plan without schema
// commits makes no extra call.
func (rc *runContext) warnSchemaRevisions(client *live.Client, p *plan.Plan) {
	for i := range p.Changes {
		ch := &p.Changes[i]
		if !ch.NewRevision {
			continue
		}
		n, err := client.SchemaRevisionCount(rc.ctx, ch.ID)
		switch {
		case err != nil:
			ch.Warnings = append(ch.Warnings, fmt.Sprintf("its revisions could not be counted (%v): Pub/Sub keeps at most %d revisions of a schema, and a commit beyond them fails", err, live.MaxSchemaRevisions))
		case n >= live.MaxSchemaRevisions:
			ch.Warnings = append(ch.Warnings, fmt.Sprintf("the schema already has %d revisions, Pub/Sub's maximum: this commit will fail until older revisions are deleted (gcloud pubsub schemas delete-revision; keep those that topics' first_revision_id/last_revision_id still use)", live.MaxSchemaRevisions))
		case n == live.MaxSchemaRevisions-1:
			ch.Warnings = append(ch.Warnings, fmt.Sprintf("this commit makes revision %d of %d, Pub/Sub's maximum: the next definition change will fail until older revisions are deleted", n+1, live.MaxSchemaRevisions))
		}
	}
}
