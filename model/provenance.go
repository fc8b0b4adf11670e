package model

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// Source says where a value came from, so that plan can show why a value is
// what it is.
type Source int

// Sources of a value.
const (
	SourceUnset    Source = iota // nobody set it; Pub/Sub's own default applies
	SourceUser                   // written in the configuration
	SourceDefaults               // set by the configuration's defaults block
	SourceBuiltin                // pubsubctl's safe built-in default
	SourceLive                   // read from live Pub/Sub
)

// String describes the source for humans.
func (s Source) String() string {
	switch s {
	case SourceUser:
		return "configuration"
	case SourceDefaults:
		return "defaults block"
	case SourceBuiltin:
		return "pubsubctl default"
	case SourceLive:
		return "live"
	}
	return "unset"
}

// Meta is what every resource keeps besides its Pub/Sub fields: where it was
// declared, where each field came from and where each field was written.
// Field paths are the configuration's attribute paths (the Name of a row of
// the field table, or a path under one: "retry_policy.minimum_backoff",
// "labels.team").
//
// A configuration of tens of thousands of resources holds one Meta each,
// so the sources and ranges are two small sorted slices behind one
// pointer rather than two maps (a map of one range costs about 700 bytes,
// its slice 80). Like the maps they replace, they are shared by copies of a
// Meta: Set on a copy is seen by the original. Its JSON form is
// {"sources": {path: source}, "Sensitive": {path: true}}, both omitted when
// empty.
type Meta struct {
	DeclRange hcl.Range // the block's label (or type) range
	fields    *metaFields
	// Sensitive holds the field paths whose values derive from a variable
	// declared sensitive = true. Renderers show such values as
	// "(sensitive)"; a path covers its children ("labels" covers
	// "labels.team").
	Sensitive map[string]bool
}

// metaFields are a Meta's sources (absent means SourceUnset) and the ranges
// of the expressions that set fields, each sorted by path.
type metaFields struct {
	sources []fieldSource
	ranges  []fieldRange
}

type fieldSource struct {
	path string
	src  Source
}

type fieldRange struct {
	path string
	rng  hcl.Range
}

// metaJSON is Meta's JSON form.
type metaJSON struct {
	Provenance map[string]Source `json:"sources,omitempty"`
	Sensitive  map[string]bool   `json:",omitempty"`
}

// MarshalJSON writes the sources and the sensitive paths (not the ranges:
// where a value was written is not part of what it is).
func (m Meta) MarshalJSON() ([]byte, error) {
	j := metaJSON{Sensitive: m.Sensitive}
	if m.fields != nil && len(m.fields.sources) > 0 {
		j.Provenance = make(map[string]Source, len(m.fields.sources))
		for _, f := range m.fields.sources {
			j.Provenance[f.path] = f.src
		}
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads what MarshalJSON writes.
func (m *Meta) UnmarshalJSON(b []byte) error {
	var j metaJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*m = Meta{Sensitive: j.Sensitive}
	for path, src := range j.Provenance {
		m.Set(path, src, nil)
	}
	return nil
}

// Equal reports whether two Metas record the same declaration, sources,
// ranges and sensitive paths (go-cmp compares Metas with it).
func (m Meta) Equal(o Meta) bool {
	var a, b metaFields
	if m.fields != nil {
		a = *m.fields
	}
	if o.fields != nil {
		b = *o.fields
	}
	return m.DeclRange == o.DeclRange && slices.Equal(a.sources, b.sources) && slices.Equal(a.ranges, b.ranges) &&
		maps.Equal(m.Sensitive, o.Sensitive)
}

// Sources returns the source of every field that has one, by path.
func (m *Meta) Sources() map[string]Source {
	out := map[string]Source{}
	if m != nil && m.fields != nil {
		for _, f := range m.fields.sources {
			out[f.path] = f.src
		}
	}
	return out
}

// HasRange reports whether the expression that set a field (that path
// exactly, not a parent) was recorded.
func (m *Meta) HasRange(path string) bool {
	_, ok := m.rangeOf(path)
	return ok
}

// HasRanges reports whether any range was recorded.
func (m *Meta) HasRanges() bool {
	return m != nil && m.fields != nil && len(m.fields.ranges) > 0
}

func (m *Meta) rangeOf(path string) (hcl.Range, bool) {
	if m == nil || m.fields == nil {
		return hcl.Range{}, false
	}
	rs := m.fields.ranges
	if i, ok := slices.BinarySearchFunc(rs, path, func(f fieldRange, p string) int { return strings.Compare(f.path, p) }); ok {
		return rs[i].rng, true
	}
	return hcl.Range{}, false
}

// MarkSensitive records that the value of a field derives from a
// sensitive variable.
func (m *Meta) MarkSensitive(path string) {
	if m.Sensitive == nil {
		m.Sensitive = map[string]bool{}
	}
	m.Sensitive[path] = true
}

// IsSensitive reports whether a field's value, or the value of one of its
// parents ("labels" for "labels.team"), derives from a sensitive variable.
func (m *Meta) IsSensitive(path string) bool {
	if m == nil || len(m.Sensitive) == 0 {
		return false
	}
	for p := path; p != ""; {
		if m.Sensitive[p] {
			return true
		}
		i := lastDot(p)
		if i < 0 {
			break
		}
		p = p[:i]
	}
	return false
}

// Source returns the provenance of a field.
func (m *Meta) Source(path string) Source {
	if m == nil || m.fields == nil {
		return SourceUnset
	}
	ss := m.fields.sources
	if i, ok := slices.BinarySearchFunc(ss, path, func(f fieldSource, p string) int { return strings.Compare(f.path, p) }); ok {
		return ss[i].src
	}
	return SourceUnset
}

// IsSet reports whether a field has a value from any source.
func (m *Meta) IsSet(path string) bool { return m.Source(path) != SourceUnset }

// Set records the provenance of a field, and its range when r is not nil.
func (m *Meta) Set(path string, s Source, r *hcl.Range) {
	if m.fields == nil {
		m.fields = &metaFields{}
	}
	f := m.fields
	if i, ok := slices.BinarySearchFunc(f.sources, path, func(f fieldSource, p string) int { return strings.Compare(f.path, p) }); ok {
		f.sources[i].src = s
	} else {
		f.sources = slices.Insert(f.sources, i, fieldSource{path, s})
	}
	if r != nil {
		if i, ok := slices.BinarySearchFunc(f.ranges, path, func(f fieldRange, p string) int { return strings.Compare(f.path, p) }); ok {
			f.ranges[i].rng = *r
		} else {
			f.ranges = slices.Insert(f.ranges, i, fieldRange{path, *r})
		}
	}
}

// Range returns the range of a field's expression, falling back to the
// longest recorded parent path ("retry_policy" for
// "retry_policy.minimum_backoff") and then to the declaration.
func (m *Meta) Range(path string) hcl.Range {
	for p := path; p != ""; {
		if r, ok := m.rangeOf(p); ok {
			return r
		}
		i := lastDot(p)
		if i < 0 {
			break
		}
		p = p[:i]
	}
	return m.DeclRange
}

func lastDot(s string) int {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == '.' {
			return i
		}
	}
	return -1
}
