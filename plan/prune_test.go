package plan

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/pubsubctl/pubsubctl/model"
)

// revs returns n revision IDs r01..rNN, oldest first.
func revs(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("r%02d", i+1)
	}
	return out
}

func TestChooseRevisionsToPrune(t *testing.T) {
	tests := []struct {
		name      string
		revisions []string
		pins      []RevisionPin
		limit     int
		delete    []string
		need      int
		deletable int
		pinning   []string
	}{
		{name: "room left: nothing to delete", revisions: revs(19), limit: 20},
		{name: "no revisions", revisions: nil, limit: 20},
		{name: "full: the oldest goes", revisions: revs(20), limit: 20, delete: []string{"r01"}, need: 1},
		{name: "over the limit: enough oldest go", revisions: revs(22), limit: 20, delete: []string{"r01", "r02", "r03"}, need: 3},
		{name: "unbounded topic pins nothing", revisions: revs(20), limit: 20,
			pins: []RevisionPin{{Topic: "a"}}, delete: []string{"r01"}, need: 1},
		{name: "first_revision_id pins from there to the newest", revisions: revs(20), limit: 20,
			pins: []RevisionPin{{Topic: "a", First: "r01"}}, need: 1, deletable: 0, pinning: []string{"a"}},
		{name: "first and last: the range only", revisions: revs(20), limit: 20,
			pins: []RevisionPin{{Topic: "a", First: "r01", Last: "r02"}}, delete: []string{"r03"}, need: 1, deletable: 17, pinning: []string{"a"}},
		{name: "last only pins from the oldest", revisions: revs(21), limit: 20,
			pins: []RevisionPin{{Topic: "a", Last: "r03"}}, delete: []string{"r04", "r05"}, need: 2, deletable: 16, pinning: []string{"a"}},
		{name: "pinned old revision skipped, next oldest chosen", revisions: revs(21), limit: 20,
			pins:   []RevisionPin{{Topic: "a", First: "r02", Last: "r02"}, {Topic: "b", First: "r01", Last: "r01"}},
			delete: []string{"r03", "r04"}, need: 2, deletable: 17, pinning: []string{"a", "b"}},
		{name: "reversed bounds count as a range", revisions: revs(20), limit: 20,
			pins: []RevisionPin{{Topic: "a", First: "r03", Last: "r01"}}, delete: []string{"r04"}, need: 1, deletable: 16, pinning: []string{"a"}},
		{name: "unknown first: kept from the oldest", revisions: revs(20), limit: 20,
			pins: []RevisionPin{{Topic: "a", First: "gone", Last: "r02"}}, delete: []string{"r03"}, need: 1, deletable: 17, pinning: []string{"a"}},
		{name: "unknown last: kept to the newest", revisions: revs(20), limit: 20,
			pins: []RevisionPin{{Topic: "a", First: "r02", Last: "gone"}}, delete: []string{"r01"}, need: 1, deletable: 1},
		{name: "never the newest", revisions: revs(2), limit: 1,
			pins: []RevisionPin{{Topic: "a", First: "r01", Last: "r01"}}, need: 2, deletable: 0, pinning: []string{"a"}},
		{name: "not enough: none deleted", revisions: revs(22), limit: 20,
			pins: []RevisionPin{{Topic: "a", First: "r02"}}, need: 3, deletable: 1, pinning: []string{"a"}},
		{name: "one revision, limit one: the newest stays", revisions: revs(1), limit: 1, need: 1, deletable: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ChooseRevisionsToPrune(tt.revisions, tt.pins, tt.limit)
			if !slices.Equal(got.Delete, tt.delete) || got.Need != tt.need || !slices.Equal(got.Pinning, tt.pinning) {
				t.Errorf("got delete %v need %d pinning %v; want %v, %d, %v", got.Delete, got.Need, got.Pinning, tt.delete, tt.need, tt.pinning)
			}
			if tt.need > 0 && len(tt.delete) < tt.need && got.Deletable != tt.deletable {
				t.Errorf("deletable %d, want %d", got.Deletable, tt.deletable)
			}
			if len(got.Delete) > 0 && slices.Contains(got.Delete, tt.revisions[len(tt.revisions)-1]) {
				t.Errorf("deletes the newest revision: %v", got.Delete)
			}
		})
	}
}

func TestAddRevisionPruneAndPrunedRevisions(t *testing.T) {
	ch := Change{Address: model.Address{Kind: model.KindSchema, Name: "s"}, Kind: model.KindSchema, ID: "s", NewRevision: true,
		Fields: []FieldDiff{{Path: "definition", Before: `"a"`, After: `"b"`}}}
	AddRevisionPrune(&ch, ChooseRevisionsToPrune(revs(21), []RevisionPin{{Topic: "orders", First: "r01", Last: "r01"}}, 20), 21, 20)
	if len(ch.Fields) != 2 || ch.Fields[1].Path != RevisionsField || ch.Fields[1].Before != `["r02", "r03"]` || ch.Fields[1].After != "" {
		t.Fatalf("fields: %+v", ch.Fields)
	}
	if len(ch.Warnings) != 1 || !strings.Contains(ch.Warnings[0], "revisions r02, r03 are deleted before the commit") || !strings.Contains(ch.Warnings[0], "older ones are kept: topic orders needs them") {
		t.Fatalf("warnings: %q", ch.Warnings)
	}
	got, err := PrunedRevisions(&ch)
	if err != nil || !slices.Equal(got, []string{"r02", "r03"}) {
		t.Fatalf("PrunedRevisions = %v, %v", got, err)
	}
	// The JSON plan's native value is the list.
	if before, after := ch.Fields[1].NativeValues(); !slices.Equal(before.([]string), got) || after != nil {
		t.Fatalf("native values %v %v", before, after)
	}

	short := Change{Kind: model.KindSchema, NewRevision: true}
	AddRevisionPrune(&short, ChooseRevisionsToPrune(revs(20), []RevisionPin{{Topic: "orders", First: "r01"}}, 20), 20, 20)
	if len(short.Fields) != 0 || len(short.Warnings) != 1 || !strings.Contains(short.Warnings[0], "only 0 can be (the newest is always kept; topic orders needs the others through first_revision_id/last_revision_id): none is deleted") {
		t.Fatalf("short: %+v", short)
	}
	if ids, err := PrunedRevisions(&short); ids != nil || err != nil {
		t.Fatalf("short PrunedRevisions = %v, %v", ids, err)
	}

	none := Change{Kind: model.KindSchema, NewRevision: true}
	AddRevisionPrune(&none, ChooseRevisionsToPrune(revs(5), nil, 20), 5, 20)
	if len(none.Fields) != 0 || len(none.Warnings) != 0 {
		t.Fatalf("nothing needed, yet: %+v", none)
	}

	// Oldest first, whatever the IDs' alphabetical order.
	unsorted := Change{Kind: model.KindSchema, NewRevision: true}
	AddRevisionPrune(&unsorted, ChooseRevisionsToPrune([]string{"f0", "a1", "c2"}, nil, 2), 3, 2)
	if ids, err := PrunedRevisions(&unsorted); err != nil || !slices.Equal(ids, []string{"f0", "a1"}) || unsorted.Fields[0].Before != `["f0", "a1"]` {
		t.Fatalf("unsorted: %v, %v, %+v", ids, err, unsorted.Fields)
	}

	bad := Change{Fields: []FieldDiff{{Path: RevisionsField, Before: `["x", `}}}
	if _, err := PrunedRevisions(&bad); err == nil {
		t.Fatal("a malformed list was accepted")
	}
}
