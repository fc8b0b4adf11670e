package model

import (
	"fmt"
	"strconv"
	"strings"
)

// Kind is the kind of a Pub/Sub resource.
type Kind int

// Resource kinds, in dependency order: schemas before topics before
// subscriptions.
const (
	KindSchema Kind = iota + 1
	KindTopic
	KindSubscription
)

// String returns the configuration block type of the kind.
func (k Kind) String() string {
	switch k {
	case KindSchema:
		return "schema"
	case KindTopic:
		return "topic"
	case KindSubscription:
		return "subscription"
	}
	return "unknown"
}

// Collection returns the Pub/Sub collection name ("topics", ...).
func (k Kind) Collection() string {
	switch k {
	case KindSchema:
		return "schemas"
	case KindTopic:
		return "topics"
	case KindSubscription:
		return "subscriptions"
	}
	return "unknowns"
}

// ParseKind parses a block type name.
func ParseKind(s string) (Kind, bool) {
	switch s {
	case "schema":
		return KindSchema, true
	case "topic":
		return KindTopic, true
	case "subscription":
		return KindSubscription, true
	}
	return 0, false
}

// Address identifies a resource in a configuration or a plan:
// topic.orders, subscription.audit["eu"].
type Address struct {
	Kind Kind
	Name string // block label, or the resource ID for resources only found live
	Key  string // for_each key; empty when the block has no for_each
	// HasKey distinguishes a for_each instance with an empty key from a
	// resource without for_each.
	HasKey bool
}

// String renders the address the way users type it.
func (a Address) String() string {
	s := a.Kind.String() + "." + a.Name
	if a.HasKey {
		s += "[" + strconv.Quote(a.Key) + "]"
	}
	return s
}

// Less orders addresses by kind, then name, then key.
func (a Address) Less(b Address) bool {
	if a.Kind != b.Kind {
		return a.Kind < b.Kind
	}
	if a.Name != b.Name {
		return a.Name < b.Name
	}
	return a.Key < b.Key
}

// ParseAddress parses "topic.orders" or `subscription.audit["eu"]`.
func ParseAddress(s string) (Address, error) {
	dot := strings.IndexByte(s, '.')
	if dot < 0 {
		return Address{}, fmt.Errorf("invalid address %q: want KIND.NAME, e.g. topic.orders", s)
	}
	k, ok := ParseKind(s[:dot])
	if !ok {
		return Address{}, fmt.Errorf("invalid address %q: unknown kind %q (want topic, subscription or schema)", s, s[:dot])
	}
	rest := s[dot+1:]
	a := Address{Kind: k}
	if i := strings.IndexByte(rest, '['); i >= 0 {
		if !strings.HasSuffix(rest, "]") {
			return Address{}, fmt.Errorf("invalid address %q: unterminated index", s)
		}
		key, err := strconv.Unquote(rest[i+1 : len(rest)-1])
		if err != nil {
			return Address{}, fmt.Errorf("invalid address %q: index must be a quoted string", s)
		}
		a.Key, a.HasKey = key, true
		rest = rest[:i]
	}
	if rest == "" {
		return Address{}, fmt.Errorf("invalid address %q: empty name", s)
	}
	a.Name = rest
	return a, nil
}

// Matches reports whether a target address selects a: an exact match, or a
// target without an index selecting every instance of a for_each block.
func (t Address) Matches(a Address) bool {
	if t.Kind != a.Kind || t.Name != a.Name {
		return false
	}
	return !t.HasKey || (a.HasKey && a.Key == t.Key)
}

// FullName returns projects/P/<collection>/ID.
func FullName(project string, k Kind, id string) string {
	return "projects/" + project + "/" + k.Collection() + "/" + id
}

// SplitName splits projects/P/<collection>/ID into project and ID. ok is
// false when full is not a name of the given kind.
func SplitName(full string, k Kind) (project, id string, ok bool) {
	parts := strings.Split(full, "/")
	if len(parts) != 4 || parts[0] != "projects" || parts[2] != k.Collection() || parts[1] == "" || parts[3] == "" {
		return "", "", false
	}
	return parts[1], parts[3], true
}

// ShortName returns the resource ID when full is in project, and full
// otherwise. It is how names are shown to users.
func ShortName(project string, k Kind, full string) string {
	p, id, ok := SplitName(full, k)
	if ok && p == project {
		return id
	}
	return full
}
