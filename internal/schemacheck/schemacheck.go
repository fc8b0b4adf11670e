package schemacheck

import (
	"fmt"
	"strings"
)

// Schema types, as in the configuration and the Pub/Sub API.
const (
	TypeAvro  = "AVRO"
	TypeProto = "PROTOCOL_BUFFER"
)

// Message encodings, as in a topic's schema settings.
const (
	EncodingJSON   = "JSON"
	EncodingBinary = "BINARY"
)

// MaxDefinitionNesting bounds how deeply brackets may nest in a
// definition, so that a hostile definition cannot make a parser recurse
// without bound. Real schemas nest a handful of levels.
const MaxDefinitionNesting = 100

// MaxMessageSize is the largest message Pub/Sub accepts (10 MB), and so
// the largest sample message worth validating.
const MaxMessageSize = 10 << 20

// Problem is one thing wrong with a definition.
type Problem struct {
	Message string
	// Line and Column locate the problem inside the definition, both
	// 1-based; 0 when the library reports no position.
	Line, Column int
}

func (p Problem) Error() string {
	if p.Line > 0 {
		return fmt.Sprintf("line %d, column %d: %s", p.Line, p.Column, p.Message)
	}
	return p.Message
}

// Schema is a compiled definition that messages can be validated against.
type Schema struct {
	typ   string
	avro  *avroSchema
	proto *protoSchema
}

// Type is the schema's type, TypeAvro or TypeProto.
func (s *Schema) Type() string { return s.typ }

// Compile parses and checks a definition of the given type. It returns the
// compiled schema, or the problems that keep it from compiling (at least
// one).
func Compile(typ, def string) (*Schema, []Problem) {
	if strings.TrimSpace(def) == "" {
		return nil, []Problem{{Message: "the definition is empty"}}
	}
	if p, ok := tooDeep(def); !ok {
		return nil, []Problem{p}
	}
	switch typ {
	case TypeAvro:
		a, p := compileAvro(def)
		if p != nil {
			return nil, []Problem{*p}
		}
		return &Schema{typ: typ, avro: a}, nil
	case TypeProto:
		ps, probs := compileProto(def)
		if len(probs) > 0 {
			return nil, probs
		}
		return &Schema{typ: typ, proto: ps}, nil
	}
	return nil, []Problem{{Message: fmt.Sprintf("%q is not a schema type (want %s or %s)", typ, TypeAvro, TypeProto)}}
}

// Validate checks one message, encoded as encoding (EncodingJSON or
// EncodingBinary), against the schema, and says what does not match.
func (s *Schema) Validate(data []byte, encoding string) error {
	if len(data) > MaxMessageSize {
		return fmt.Errorf("the message has %d bytes; Pub/Sub accepts at most %d", len(data), MaxMessageSize)
	}
	switch encoding {
	case EncodingJSON, EncodingBinary:
	default:
		return fmt.Errorf("%q is not an encoding (want %s or %s)", encoding, EncodingJSON, EncodingBinary)
	}
	if s.avro != nil {
		if encoding == EncodingJSON {
			return s.avro.validateJSON(data)
		}
		return s.avro.validateBinary(data)
	}
	if encoding == EncodingJSON {
		return s.proto.validateJSON(data)
	}
	return s.proto.validateBinary(data)
}

// tooDeep reports a definition whose brackets ({, [, () nest deeper than
// MaxDefinitionNesting, outside quoted strings and comments (a rough scan
// that serves both JSON and .proto text).
func tooDeep(def string) (Problem, bool) {
	depth, line, col := 0, 1, 0
	var quote rune
	escaped := false
	for _, r := range def {
		col++
		if r == '\n' {
			line, col = line+1, 0
		}
		if quote != 0 {
			switch {
			case escaped:
				escaped = false
			case r == '\\':
				escaped = true
			case r == quote || r == '\n':
				quote = 0
			}
			continue
		}
		switch r {
		case '"', '\'':
			quote = r
		case '{', '[', '(':
			depth++
			if depth > MaxDefinitionNesting {
				return Problem{Message: fmt.Sprintf("the definition nests more than %d levels deep", MaxDefinitionNesting), Line: line, Column: col}, false
			}
		case '}', ']', ')':
			depth--
		}
	}
	return Problem{}, true
}

// position converts a byte offset into def to a 1-based line and column
// (the column counts characters).
func position(def string, offset int) (line, col int) {
	offset = max(0, min(offset, len(def)))
	before := def[:offset]
	line = strings.Count(before, "\n") + 1
	start := strings.LastIndexByte(before, '\n') + 1
	return line, len([]rune(before[start:])) + 1
}
