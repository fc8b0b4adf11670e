package cli

import (
	"fmt"

	"github.com/pubsubctl/pubsubctl/internal/live"
	"github.com/pubsubctl/pubsubctl/model"
	"github.com/pubsubctl/pubsubctl/plan"
)

// warnSchemaRevisions looks at each schema change that commits a new
// revision. With prune_revisions, when the commit would pass Pub/Sub's
// maximum of revisions, it records the oldest revisions no topic's range
// needs (of cfg's topics and of live ones, st) for apply to delete first,
// or warns that not enough can be (plan.AddRevisionPrune). Otherwise it
// warns when the schema already holds the maximum (the commit would fail)
// or will hold it after the commit. Revisions are listed only for these
// changes, so a plan without schema commits makes no extra call.
func (rc *runContext) warnSchemaRevisions(client *live.Client, p *plan.Plan, cfg *model.Config, st *model.State) {
	for i := range p.Changes {
		ch := &p.Changes[i]
		if !ch.NewRevision {
			continue
		}
		if s := ch.After.Get(); s != nil && s.(*model.Schema).PruneRevisions {
			rc.pruneSchemaRevisions(client, ch, cfg, st)
			continue
		}
		n, err := client.SchemaRevisionCount(rc.ctx, ch.ID)
		switch {
		case err != nil:
			ch.Warnings = append(ch.Warnings, fmt.Sprintf("its revisions could not be counted (%v): Pub/Sub keeps at most %d revisions of a schema, and a commit beyond them fails", err, live.MaxSchemaRevisions))
		case n >= live.MaxSchemaRevisions:
			ch.Warnings = append(ch.Warnings, fmt.Sprintf("the schema already has %d revisions, Pub/Sub's maximum: this commit will fail until older revisions are deleted (prune_revisions = true on the schema deletes the oldest that topics' first_revision_id/last_revision_id ranges do not use; or gcloud pubsub schemas delete-revision)", live.MaxSchemaRevisions))
		case n == live.MaxSchemaRevisions-1:
			ch.Warnings = append(ch.Warnings, fmt.Sprintf("this commit makes revision %d of %d, Pub/Sub's maximum: the next definition change will fail until older revisions are deleted (prune_revisions = true on the schema does it)", n+1, live.MaxSchemaRevisions))
		}
	}
}

// pruneSchemaRevisions lists the revisions of a schema whose change
// commits a new one and, when the commit would pass the maximum, records
// which revisions apply deletes first.
func (rc *runContext) pruneSchemaRevisions(client *live.Client, ch *plan.Change, cfg *model.Config, st *model.State) {
	revs, err := client.SchemaRevisions(rc.ctx, ch.ID, false)
	if err != nil {
		ch.Warnings = append(ch.Warnings, fmt.Sprintf("prune_revisions: its revisions could not be listed (%v), so none is deleted: Pub/Sub keeps at most %d revisions of a schema, and a commit beyond them fails", err, live.MaxSchemaRevisions))
		return
	}
	ids := make([]string, len(revs))
	for i, r := range revs {
		ids[i] = r.ID
	}
	var pins []plan.RevisionPin
	// A declared topic pins what its configuration asks for, and what it
	// has live until its own update, which runs after the commit.
	for _, ts := range [][]*model.Topic{cfg.Topics, st.Topics} {
		for _, t := range ts {
			if s := t.Schema; s != nil && s.Schema == ch.Name {
				pins = append(pins, plan.RevisionPin{Topic: t.Name, First: s.FirstRevisionID, Last: s.LastRevisionID})
			}
		}
	}
	pr := plan.ChooseRevisionsToPrune(ids, pins, live.MaxSchemaRevisions)
	plan.AddRevisionPrune(ch, pr, len(ids), live.MaxSchemaRevisions)
}
