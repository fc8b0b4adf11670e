package model

import "strings"

// schema checks a schema's type and that it has a definition.
func (v *validator) schema(s *Schema) {
	m := &s.Meta
	switch s.Type {
	case "AVRO", "PROTOCOL_BUFFER":
	default:
		v.errorf(m.Range("type"), "Invalid schema type",
			"%q is not a schema type: use \"AVRO\" or \"PROTOCOL_BUFFER\".", s.Type)
	}
	if strings.TrimSpace(s.Definition) == "" {
		v.errorf(m.Range("definition"), "Missing schema definition",
			"%s has an empty definition. Set definition, for example definition = file(\"schemas/%s.avsc\").", describe(s), s.Name)
		return
	}
	// The definition itself is compiled offline by internal/config (with
	// the Avro and protobuf libraries), which can locate errors in it.
}
