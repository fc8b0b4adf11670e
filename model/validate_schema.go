package model

import "strings"

// schema checks a schema's type and definition (only lightly for Protocol
// Buffers: Pub/Sub compiles them).
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
	switch s.Type {
	case "AVRO":
		if p := avroProblem(s.Definition); p != "" {
			v.errorf(m.Range("definition"), "Invalid Avro schema",
				"The definition of %s is not an Avro schema: %s. An Avro schema is JSON, usually a record such as {\"type\": \"record\", \"name\": \"Order\", \"fields\": [...]}.",
				describe(s), p)
		}
	case "PROTOCOL_BUFFER":
		if !strings.Contains(s.Definition, "syntax") && !strings.Contains(s.Definition, "message") {
			v.errorf(m.Range("definition"), "Invalid Protocol Buffer schema",
				"The definition of %s contains neither a syntax declaration nor a message, so it cannot be a Protocol Buffer schema. Pub/Sub wants one .proto file defining one top-level message, e.g. syntax = \"proto3\"; message Order { string id = 1; }. (pubsubctl only makes this light check; Pub/Sub compiles the definition when the schema is created.)",
				describe(s))
		}
	}
}
