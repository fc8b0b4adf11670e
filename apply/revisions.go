package apply

import (
	"context"
	"fmt"
	"strings"

	"github.com/pubsubctl/pubsubctl/internal/live"
	"github.com/pubsubctl/pubsubctl/plan"
)

// RevisionTarget is a Target that lists and deletes schema revisions
// (internal/live's *Client is one). Only a plan that prunes revisions
// (prune_revisions, plan.PrunedRevisions) needs it.
type RevisionTarget interface {
	SchemaRevisions(ctx context.Context, id string, full bool) ([]live.SchemaRevision, error)
	DeleteSchemaRevision(ctx context.Context, id, revisionID string) error
}

// pruneRevisions deletes, before a schema's commit, exactly the revisions
// the plan lists for it (none for most changes), once it has checked that
// each still exists and is not the newest: live state that moved since
// the plan stops the change before anything is deleted. A revision
// already gone by the time it is deleted (a retry, say) is accepted.
func (x *executor) pruneRevisions(ctx context.Context, r *opRun, ch *plan.Change) (string, error) {
	ids, err := plan.PrunedRevisions(ch)
	if err != nil || len(ids) == 0 {
		return "", err
	}
	schema := ch.After.Schema
	if schema == nil || !schema.PruneRevisions {
		return "", fmt.Errorf("the plan deletes revisions %s of schema %s, but the schema does not set prune_revisions = true; nothing was deleted", strings.Join(ids, ", "), ch.ID)
	}
	rt, ok := x.t.(RevisionTarget)
	if !ok {
		return "", fmt.Errorf("the target cannot delete schema revisions (revisions %s of schema %s); nothing was deleted", strings.Join(ids, ", "), ch.ID)
	}
	list := func(ctx context.Context) (map[string]bool, string, error) {
		var revs []live.SchemaRevision
		err := r.call(ctx, live.Read, func(ctx context.Context) error {
			var err error
			revs, err = rt.SchemaRevisions(ctx, ch.ID, false)
			return err
		}, nil, nil)
		if err != nil || len(revs) == 0 {
			return nil, "", err
		}
		have := make(map[string]bool, len(revs))
		for _, rv := range revs {
			have[rv.ID] = true
		}
		return have, revs[len(revs)-1].ID, nil
	}
	have, newest, err := list(ctx)
	if err != nil {
		return "", fmt.Errorf("list the revisions of schema %s before deleting %s: %w", ch.ID, strings.Join(ids, ", "), err)
	}
	for _, id := range ids {
		switch {
		case !have[id]:
			return "", fmt.Errorf("revision %s of schema %s, which the plan deletes, no longer exists (live state changed since the plan): nothing was deleted; run plan again", id, ch.ID)
		case id == newest:
			return "", fmt.Errorf("revision %s of schema %s, which the plan deletes, is now the schema's newest (live state changed since the plan): nothing was deleted; run plan again", id, ch.ID)
		}
	}
	var done []string
	for _, id := range ids {
		del := func(ctx context.Context) error { return rt.DeleteSchemaRevision(ctx, ch.ID, id) }
		gone := func(ctx context.Context) (bool, error) {
			have, _, err := list(ctx)
			return err == nil && !have[id], err
		}
		if err := r.call(ctx, live.Mutate, del, gone, nil); err != nil && live.Classify(err) != live.NotFound {
			msg := fmt.Sprintf("delete revision %s of schema %s", id, ch.ID)
			if len(done) > 0 {
				msg += fmt.Sprintf(" (revisions %s were deleted; nothing was committed)", strings.Join(done, ", "))
			}
			return "", fmt.Errorf("%s: %w", msg, err)
		}
		done = append(done, id)
	}
	return "deleted revisions " + strings.Join(done, ", "), nil
}
