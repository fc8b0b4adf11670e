package model

import "github.com/hashicorp/hcl/v2"

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
type Meta struct {
	DeclRange  hcl.Range            `json:"-"`                 // the block's label (or type) range
	Provenance map[string]Source    `json:"sources,omitempty"` // field path -> source; absent means SourceUnset
	Ranges     map[string]hcl.Range `json:"-"`                 // field path -> range of the expression that set it
	// Sensitive holds the field paths whose values derive from a variable
	// declared sensitive = true. Renderers show such values as
	// "(sensitive)"; a path covers its children ("labels" covers
	// "labels.team").
	Sensitive map[string]bool `json:",omitempty"`
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
	if m == nil || m.Provenance == nil {
		return SourceUnset
	}
	return m.Provenance[path]
}

// IsSet reports whether a field has a value from any source.
func (m *Meta) IsSet(path string) bool { return m.Source(path) != SourceUnset }

// Set records the provenance of a field, and its range when r is not nil.
func (m *Meta) Set(path string, s Source, r *hcl.Range) {
	if m.Provenance == nil {
		m.Provenance = map[string]Source{}
	}
	m.Provenance[path] = s
	if r != nil {
		if m.Ranges == nil {
			m.Ranges = map[string]hcl.Range{}
		}
		m.Ranges[path] = *r
	}
}

// Range returns the range of a field's expression, falling back to the
// longest recorded parent path ("retry_policy" for
// "retry_policy.minimum_backoff") and then to the declaration.
func (m *Meta) Range(path string) hcl.Range {
	for p := path; p != ""; {
		if r, ok := m.Ranges[p]; ok {
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
