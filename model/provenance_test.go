package model

import (
	"encoding/json"
	"testing"

	"github.com/hashicorp/hcl/v2"
)

func rangeAt(line int) *hcl.Range {
	return &hcl.Range{Filename: "main.hcl", Start: hcl.Pos{Line: line, Column: 3}, End: hcl.Pos{Line: line, Column: 9}}
}

func TestMetaSourcesAndRanges(t *testing.T) {
	var m Meta
	if m.Source("topic") != SourceUnset || m.IsSet("topic") || m.HasRange("topic") || m.HasRanges() {
		t.Fatal("an empty Meta has a source or a range")
	}
	m.DeclRange = *rangeAt(1)
	// Out of order, and one path set twice.
	m.Set("retry_policy.minimum_backoff", SourceBuiltin, nil)
	m.Set("topic", SourceUser, rangeAt(4))
	m.Set("ack_deadline", SourceDefaults, nil)
	m.Set("retry_policy", SourceUser, rangeAt(7))
	m.Set("ack_deadline", SourceUser, rangeAt(5))
	for path, want := range map[string]Source{
		"topic": SourceUser, "ack_deadline": SourceUser, "retry_policy": SourceUser,
		"retry_policy.minimum_backoff": SourceBuiltin, "filter": SourceUnset, "": SourceUnset,
	} {
		if got := m.Source(path); got != want {
			t.Errorf("Source(%q) = %v, want %v", path, got, want)
		}
	}
	for path, line := range map[string]int{
		"topic": 4, "ack_deadline": 5, "retry_policy": 7,
		"retry_policy.minimum_backoff": 7, // its parent's
		"filter":                       1, // the declaration
	} {
		if got := m.Range(path).Start.Line; got != line {
			t.Errorf("Range(%q) is on line %d, want %d", path, got, line)
		}
	}
	if !m.HasRange("topic") || m.HasRange("retry_policy.minimum_backoff") || !m.HasRanges() {
		t.Error("HasRange: a recorded range is missing or a parent's counts")
	}
	if got := m.Sources(); len(got) != 4 || got["retry_policy.minimum_backoff"] != SourceBuiltin {
		t.Errorf("Sources() = %v", got)
	}
	var other Meta
	other.DeclRange = m.DeclRange
	for path, src := range m.Sources() {
		if m.HasRange(path) {
			r := m.Range(path)
			other.Set(path, src, &r)
		} else {
			other.Set(path, src, nil)
		}
	}
	if !m.Equal(other) {
		t.Error("two Metas with the same contents are not Equal")
	}
	other.Set("topic", SourceUser, rangeAt(40))
	if m.Equal(other) || (Meta{}).Equal(m) || !(Meta{}).Equal(Meta{Sensitive: map[string]bool{}}) {
		t.Error("Equal: wrong for a moved range, an empty Meta, or an empty Sensitive")
	}
	// A copy shares the fields, as the maps it replaces did.
	c := m
	c.Set("filter", SourceUser, rangeAt(9))
	if m.Source("filter") != SourceUser || m.Range("filter").Start.Line != 9 {
		t.Error("Set on a copy of a Meta is not seen by the original")
	}
}

// TestMetaJSON: the JSON of a Meta is what it was when the sources were a
// map field tagged "sources": a saved plan reads the same either way.
func TestMetaJSON(t *testing.T) {
	var m Meta
	m.DeclRange = *rangeAt(1)
	m.Set("topic", SourceUser, rangeAt(4))
	m.Set("labels.managed-by", SourceBuiltin, nil)
	m.MarkSensitive("labels.team")
	type old struct {
		Provenance map[string]Source `json:"sources,omitempty"`
		Sensitive  map[string]bool   `json:",omitempty"`
	}
	for _, tc := range []struct {
		meta Meta
		old  old
	}{
		{Meta{}, old{}},
		{m, old{Provenance: map[string]Source{"topic": SourceUser, "labels.managed-by": SourceBuiltin}, Sensitive: map[string]bool{"labels.team": true}}},
	} {
		got, err := json.Marshal(tc.meta)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := json.Marshal(tc.old)
		if string(got) != string(want) {
			t.Errorf("JSON = %s, want %s", got, want)
		}
		// Inside a resource, by value and by pointer.
		res, _ := json.Marshal(&Topic{Name: "t", Meta: tc.meta})
		var back Topic
		if err := json.Unmarshal(res, &back); err != nil {
			t.Fatal(err)
		}
		again, _ := json.Marshal(back.Meta)
		if string(again) != string(want) {
			t.Errorf("after a round trip: %s, want %s", again, want)
		}
		if back.Meta.Source("topic") != tc.meta.Source("topic") {
			t.Errorf("after a round trip: topic is %v", back.Meta.Source("topic"))
		}
	}
}
