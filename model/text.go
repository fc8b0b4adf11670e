package model

import "fmt"

// Kinds, addresses and sources are written as text wherever they are
// serialized (a saved plan, the JSON plan): "topic",
// `subscription.audit["eu"]`, "defaults block".

// MarshalText writes the kind's block type; the zero Kind is "".
func (k Kind) MarshalText() ([]byte, error) {
	if k == 0 {
		return []byte{}, nil
	}
	if _, ok := ParseKind(k.String()); !ok {
		return nil, fmt.Errorf("invalid kind %d", int(k))
	}
	return []byte(k.String()), nil
}

// UnmarshalText reads a block type.
func (k *Kind) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*k = 0
		return nil
	}
	v, ok := ParseKind(string(b))
	if !ok {
		return fmt.Errorf("unknown kind %q (want topic, subscription or schema)", b)
	}
	*k = v
	return nil
}

// MarshalText writes the address the way users type it; the zero Address
// (a resource that has none, as one only found live) is "".
func (a Address) MarshalText() ([]byte, error) {
	if a == (Address{}) {
		return []byte{}, nil
	}
	if _, err := a.Kind.MarshalText(); err != nil {
		return nil, err
	}
	return []byte(a.String()), nil
}

// UnmarshalText parses an address.
func (a *Address) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*a = Address{}
		return nil
	}
	v, err := ParseAddress(string(b))
	if err != nil {
		return err
	}
	*a = v
	return nil
}

// sourceNames are the written forms of the sources.
var sourceNames = map[Source]string{
	SourceUnset:    "unset",
	SourceUser:     "configuration",
	SourceDefaults: "defaults_block",
	SourceBuiltin:  "builtin",
	SourceLive:     "live",
}

// Name is the source's written name (the "source" of a field in the JSON
// plan, docs/plan-json.md); a value out of range is "unset".
func (s Source) Name() string {
	if name, ok := sourceNames[s]; ok {
		return name
	}
	return sourceNames[SourceUnset]
}

// MarshalText writes the source's name.
func (s Source) MarshalText() ([]byte, error) {
	name, ok := sourceNames[s]
	if !ok {
		return nil, fmt.Errorf("invalid source %d", int(s))
	}
	return []byte(name), nil
}

// UnmarshalText reads a source's name.
func (s *Source) UnmarshalText(b []byte) error {
	for v, name := range sourceNames {
		if name == string(b) {
			*s = v
			return nil
		}
	}
	return fmt.Errorf("unknown source %q", b)
}
