package plan

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// RevisionsField is the path of the field diff that lists, on a schema
// change that commits a new revision, the revisions deleted first to make
// room for it (prune_revisions): Before holds their IDs, oldest first, and
// After is unset. Apply deletes exactly these (PrunedRevisions).
const RevisionsField = "revisions"

// RevisionPin is what one topic's schema settings ask of a schema's
// revisions: its first_revision_id and last_revision_id ("" when unset).
type RevisionPin struct {
	Topic       string // the topic, for messages
	First, Last string
}

// RevisionPrune is the choice of revisions to delete before a commit.
type RevisionPrune struct {
	// Need is how many revisions must go for the commit to fit (0: none).
	Need int
	// Delete lists the revisions to delete, oldest first: exactly Need of
	// them, or none when fewer than Need can be deleted.
	Delete []string
	// Deletable is how many revisions could be deleted: neither the newest
	// nor in any topic's range.
	Deletable int
	// Pinning lists, sorted, the topics whose ranges keep revisions that
	// would otherwise have been deleted (when Delete falls short, or
	// skips some).
	Pinning []string
}

// ChooseRevisionsToPrune decides which revisions of a schema to delete so
// that one more revision (the commit) fits within limit. revisions are the
// schema's live revision IDs, oldest first. A topic's range needs every
// revision from its first revision (the oldest when it sets only a last
// one) to its last revision (the newest when it sets only a first one); a
// bound naming no live revision widens the range to that end, so that an
// unknown ID never lets a needed revision go. A topic that sets neither
// bound accepts whatever revisions exist and needs none in particular. The
// newest revision is never deleted. The oldest revisions that no range
// needs are chosen, exactly as many as the commit needs; when there are
// not enough of them, none is.
func ChooseRevisionsToPrune(revisions []string, pins []RevisionPin, limit int) RevisionPrune {
	n := len(revisions)
	var out RevisionPrune
	out.Need = n + 1 - limit
	if out.Need <= 0 || n == 0 {
		out.Need = max(out.Need, 0)
		return out
	}
	at := make(map[string]int, n)
	for i, id := range revisions {
		at[id] = i
	}
	pinnedBy := make([][]string, n)
	for _, p := range pins {
		if p.First == "" && p.Last == "" {
			continue
		}
		lo, hi := 0, n-1
		if i, ok := at[p.First]; ok && p.First != "" {
			lo = i
		}
		if i, ok := at[p.Last]; ok && p.Last != "" {
			hi = i
		}
		lo, hi = min(lo, hi), max(lo, hi)
		for i := lo; i <= hi; i++ {
			pinnedBy[i] = append(pinnedBy[i], p.Topic)
		}
	}
	var free []string
	pinning := map[string]bool{}
	for i := 0; i < n-1 && len(free) < out.Need; i++ {
		if len(pinnedBy[i]) > 0 {
			for _, t := range pinnedBy[i] {
				pinning[t] = true
			}
			continue
		}
		free = append(free, revisions[i])
	}
	out.Deletable = len(free)
	if len(free) < out.Need {
		// Count every deletable one for the message, not only those seen
		// before giving up (the loop stops at Need).
		out.Deletable = 0
		for i := 0; i < n-1; i++ {
			if len(pinnedBy[i]) == 0 {
				out.Deletable++
			}
		}
	} else {
		out.Delete = free
	}
	for t := range pinning {
		out.Pinning = append(out.Pinning, t)
	}
	sort.Strings(out.Pinning)
	return out
}

// AddRevisionPrune records on a schema change that commits a new revision
// the revisions deleted before the commit: the RevisionsField diff and a
// warning saying why. total is the schema's live revision count. A prune
// that falls short adds a warning instead, and deletes nothing.
func AddRevisionPrune(ch *Change, pr RevisionPrune, total, limit int) {
	if pr.Need <= 0 {
		return
	}
	topics := func(verb string) string {
		if len(pr.Pinning) == 1 {
			return "topic " + pr.Pinning[0] + " " + verb + "s"
		}
		return "topics " + strings.Join(pr.Pinning, ", ") + " " + verb
	}
	if len(pr.Delete) == 0 {
		why := "the newest is always kept"
		if len(pr.Pinning) > 0 {
			why += "; " + topics("need") + " the others through first_revision_id/last_revision_id"
		}
		ch.Warnings = append(ch.Warnings, fmt.Sprintf("prune_revisions: the schema has %d revisions, Pub/Sub's maximum is %d, and this commit needs %d deleted, but only %d can be (%s): none is deleted, and the commit will fail until older revisions are deleted or the topics' ranges move on",
			total, limit, pr.Need, pr.Deletable, why))
		return
	}
	f := FieldDiff{Path: RevisionsField, Before: revisionList(pr.Delete)}
	i, _ := slices.BinarySearchFunc(ch.Fields, f.Path, func(a FieldDiff, p string) int { return strings.Compare(a.Path, p) })
	ch.Fields = slices.Insert(ch.Fields, i, f)
	what := "revision " + pr.Delete[0] + " is"
	if len(pr.Delete) > 1 {
		what = "revisions " + strings.Join(pr.Delete, ", ") + " are"
	}
	kept := ""
	if len(pr.Pinning) > 0 {
		kept = "; older ones are kept: " + topics("need") + " them"
	}
	ch.Warnings = append(ch.Warnings, fmt.Sprintf("prune_revisions: %s deleted before the commit, which would otherwise pass Pub/Sub's maximum of %d revisions (the schema has %d): the oldest that no topic's first_revision_id/last_revision_id range needs%s",
		what, limit, total, kept))
}

// PrunedRevisions returns the revisions a schema change deletes before its
// commit (the RevisionsField diff's Before), oldest first; none when the
// change has no such diff.
func PrunedRevisions(ch *Change) ([]string, error) {
	for _, f := range ch.Fields {
		if f.Path != RevisionsField {
			continue
		}
		var ids []string
		func() {
			defer func() { _ = recover() }() // Native panics on what it did not render
			ids, _ = Native(f.Before).([]string)
		}()
		if f.After != "" || len(ids) == 0 || revisionList(ids) != f.Before {
			return nil, fmt.Errorf("the %s field of the plan's change of %s is not a list of revisions to delete", RevisionsField, ch.Address)
		}
		return ids, nil
	}
	return nil, nil
}

// revisionList renders IDs as a list value (Native reads it back) in their
// own order, oldest first, where list sorts.
func revisionList(ids []string) string {
	q := make([]string, len(ids))
	for i, id := range ids {
		q[i] = strconv.Quote(id)
	}
	return "[" + strings.Join(q, ", ") + "]"
}
