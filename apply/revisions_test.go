package apply

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pubsubctl/pubsubctl/internal/live"
	"github.com/pubsubctl/pubsubctl/model"
	"github.com/pubsubctl/pubsubctl/plan"
)

// revFake is the fake target with schema revisions: IDs oldest first.
type revFake struct {
	*fakeTarget
	revs map[string][]string
}

func (f *revFake) SchemaRevisions(ctx context.Context, id string, _ bool) ([]live.SchemaRevision, error) {
	var out []live.SchemaRevision
	err := f.call(ctx, "SchemaRevisions", id, func() error {
		for i, r := range f.revs[id] {
			out = append(out, live.SchemaRevision{ID: r, Created: time.Unix(int64(i), 0)})
		}
		return nil
	})
	return out, err
}

func (f *revFake) DeleteSchemaRevision(ctx context.Context, id, rev string) error {
	return f.call(ctx, "DeleteSchemaRevision", id+"@"+rev, func() error {
		i := slices.Index(f.revs[id], rev)
		if i < 0 {
			return notFound("revision")
		}
		f.revs[id] = slices.Delete(f.revs[id], i, i+1)
		return nil
	})
}

func (f *revFake) CommitSchema(ctx context.Context, s *model.Schema) (*model.Schema, error) {
	out, err := f.fakeTarget.CommitSchema(ctx, s)
	if err == nil {
		f.mu.Lock()
		f.revs[s.Name] = append(f.revs[s.Name], "new")
		f.mu.Unlock()
	}
	return out, err
}

// prunePlan plans a definition change of schema sc that prunes ids.
func prunePlan(t *testing.T, f *fakeTarget, prune bool, ids ...string) *plan.Plan {
	t.Helper()
	addr := model.Address{Kind: model.KindSchema, Name: "sc"}
	f.schemas["sc"] = &model.Schema{Addr: addr, Name: "sc", Type: "AVRO", Definition: `{"type":"string"}`}
	p := planFor(t, f, cfgOf(&model.Schema{Addr: addr, Name: "sc", Type: "AVRO", Definition: `{"type":"int"}`, PruneRevisions: prune}))
	if len(p.Changes) != 1 || !p.Changes[0].NewRevision {
		t.Fatalf("plan %+v", p.Changes)
	}
	pr := plan.RevisionPrune{Need: len(ids), Delete: ids}
	plan.AddRevisionPrune(&p.Changes[0], pr, 20, 20)
	return p
}

func TestPruneRevisions(t *testing.T) {
	t.Run("deletes exactly the planned revisions, then commits", func(t *testing.T) {
		f := &revFake{fakeTarget: newFake(), revs: map[string][]string{"sc": {"a", "b", "c", "d"}}}
		p := prunePlan(t, f.fakeTarget, true, "a", "c")
		res := Execute(t.Context(), f, p, testOptions())
		mustOK(t, res)
		if got := f.revs["sc"]; !slices.Equal(got, []string{"b", "d", "new"}) {
			t.Errorf("revisions %v", got)
		}
		calls := f.allCalls()
		if i, j := slices.Index(calls, "DeleteSchemaRevision sc@c"), slices.Index(calls, "CommitSchema sc"); i < 0 || j < i {
			t.Errorf("calls %v: the deletes come before the commit", calls)
		}
		if d := res.Events[0].Detail; d != "deleted revisions a, c, then committed a new revision" {
			t.Errorf("detail %q", d)
		}
	})
	t.Run("a revision gone since the plan: nothing deleted or committed", func(t *testing.T) {
		f := &revFake{fakeTarget: newFake(), revs: map[string][]string{"sc": {"a", "c", "d"}}}
		p := prunePlan(t, f.fakeTarget, true, "a", "b")
		res := Execute(t.Context(), f, p, testOptions())
		err := res.Events[0].Err
		if err == nil || !strings.Contains(err.Error(), "revision b of schema sc, which the plan deletes, no longer exists") {
			t.Fatalf("err %v", err)
		}
		if len(f.callsOf("DeleteSchemaRevision")) != 0 || len(f.callsOf("CommitSchema")) != 0 {
			t.Errorf("calls %v", f.allCalls())
		}
	})
	t.Run("never the newest", func(t *testing.T) {
		f := &revFake{fakeTarget: newFake(), revs: map[string][]string{"sc": {"a", "b"}}}
		p := prunePlan(t, f.fakeTarget, true, "b")
		res := Execute(t.Context(), f, p, testOptions())
		if err := res.Events[0].Err; err == nil || !strings.Contains(err.Error(), "revision b of schema sc, which the plan deletes, is now the schema's newest") {
			t.Fatalf("err %v", err)
		}
		if len(f.callsOf("DeleteSchemaRevision")) != 0 {
			t.Errorf("calls %v", f.allCalls())
		}
	})
	t.Run("a delete failure names the schema and the revision", func(t *testing.T) {
		f := &revFake{fakeTarget: newFake(), revs: map[string][]string{"sc": {"a", "b", "c"}}}
		p := prunePlan(t, f.fakeTarget, true, "a", "b")
		f.before = func(m, id string) error {
			if m == "DeleteSchemaRevision" && id == "sc@b" {
				return live.Fail(live.Denied, "permission denied")
			}
			return nil
		}
		res := Execute(t.Context(), f, p, testOptions())
		err := res.Events[0].Err
		if err == nil || !strings.Contains(err.Error(), "delete revision b of schema sc (revisions a were deleted; nothing was committed)") {
			t.Fatalf("err %v", err)
		}
		if len(f.callsOf("CommitSchema")) != 0 {
			t.Errorf("committed: %v", f.allCalls())
		}
	})
	t.Run("only with prune_revisions", func(t *testing.T) {
		f := &revFake{fakeTarget: newFake(), revs: map[string][]string{"sc": {"a", "b"}}}
		p := prunePlan(t, f.fakeTarget, false, "a")
		res := Execute(t.Context(), f, p, testOptions())
		if err := res.Events[0].Err; err == nil || !strings.Contains(err.Error(), "does not set prune_revisions") {
			t.Fatalf("err %v", err)
		}
	})
	t.Run("a target that cannot delete revisions", func(t *testing.T) {
		f := newFake()
		p := prunePlan(t, f, true, "a")
		res := Execute(t.Context(), f, p, testOptions())
		if err := res.Events[0].Err; err == nil || !strings.Contains(err.Error(), "cannot delete schema revisions (revisions a of schema sc)") {
			t.Fatalf("err %v", err)
		}
	})
}
