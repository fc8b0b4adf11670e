package emulator

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
)

// avroSchema checks JSON-encoded messages against an Avro schema, the way
// Pub/Sub validates what is published to a topic with a JSON-encoded Avro
// schema. It is deliberately lenient wherever the real service's behaviour
// is not known: constructs it does not understand accept any value, and
// record fields the schema does not declare are ignored. A schema it
// cannot parse at all makes newAvroSchema return nil (no validation).
type avroSchema struct {
	root  any
	named map[string]map[string]any // full and short names -> definition
}

func newAvroSchema(def string) *avroSchema {
	var root any
	if err := json.Unmarshal([]byte(def), &root); err != nil {
		return nil
	}
	s := &avroSchema{root: root, named: map[string]map[string]any{}}
	s.collect(root, "")
	return s
}

// collect registers every named type (record, enum, fixed).
func (s *avroSchema) collect(t any, ns string) {
	switch t := t.(type) {
	case []any:
		for _, b := range t {
			s.collect(b, ns)
		}
	case map[string]any:
		typ, _ := t["type"].(string)
		switch typ {
		case "record", "error", "enum", "fixed":
			name, _ := t["name"].(string)
			if n, ok := t["namespace"].(string); ok {
				ns = n
			}
			if name != "" {
				full := name
				if !strings.Contains(name, ".") && ns != "" {
					full = ns + "." + name
				}
				s.named[full] = t
				s.named[name[strings.LastIndex(name, ".")+1:]] = t
			}
			if fields, ok := t["fields"].([]any); ok {
				for _, f := range fields {
					if fm, ok := f.(map[string]any); ok {
						s.collect(fm["type"], ns)
					}
				}
			}
		case "array":
			s.collect(t["items"], ns)
		case "map":
			s.collect(t["values"], ns)
		default:
			s.collect(t["type"], ns)
		}
	}
}

// validJSON reports whether data is one JSON value matching the schema.
func (s *avroSchema) validJSON(data []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return false
	}
	if dec.More() {
		return false
	}
	return s.valid(s.root, v, 0)
}

func (s *avroSchema) valid(t, v any, depth int) bool {
	if depth > 64 {
		return true // a recursive schema deeper than any sane message
	}
	switch t := t.(type) {
	case string:
		return s.validNamed(t, v, depth)
	case []any: // union
		if v == nil {
			for _, b := range t {
				if b == "null" {
					return true
				}
			}
			return false
		}
		// The Avro JSON encoding wraps a non-null union value as
		// {"TYPE": value}; a bare value matching a branch is accepted too.
		if m, ok := v.(map[string]any); ok && len(m) == 1 {
			for k, inner := range m {
				for _, b := range t {
					if unionBranchName(b) == k && s.valid(b, inner, depth+1) {
						return true
					}
				}
			}
		}
		for _, b := range t {
			if b != "null" && s.valid(b, v, depth+1) {
				return true
			}
		}
		return false
	case map[string]any:
		typ, _ := t["type"].(string)
		switch typ {
		case "record", "error":
			obj, ok := v.(map[string]any)
			if !ok {
				return false
			}
			fields, _ := t["fields"].([]any)
			for _, f := range fields {
				fm, ok := f.(map[string]any)
				if !ok {
					continue
				}
				name, _ := fm["name"].(string)
				fv, present := obj[name]
				if !present {
					if _, hasDefault := fm["default"]; hasDefault {
						continue
					}
					if isNullable(fm["type"]) {
						continue
					}
					return false
				}
				if !s.valid(fm["type"], fv, depth+1) {
					return false
				}
			}
			return true
		case "enum":
			str, ok := v.(string)
			if !ok {
				return false
			}
			syms, _ := t["symbols"].([]any)
			for _, sym := range syms {
				if sym == str {
					return true
				}
			}
			return false
		case "array":
			arr, ok := v.([]any)
			if !ok {
				return false
			}
			for _, e := range arr {
				if !s.valid(t["items"], e, depth+1) {
					return false
				}
			}
			return true
		case "map":
			obj, ok := v.(map[string]any)
			if !ok {
				return false
			}
			for _, e := range obj {
				if !s.valid(t["values"], e, depth+1) {
					return false
				}
			}
			return true
		case "fixed":
			str, ok := v.(string)
			if !ok {
				return false
			}
			if size, ok := t["size"].(float64); ok && float64(len([]rune(str))) != size {
				return false
			}
			return true
		case "":
			return true // unknown shape: accept
		default:
			// {"type": "string", "logicalType": ...} and the like.
			return s.valid(typ, v, depth+1)
		}
	}
	return true
}

func (s *avroSchema) validNamed(t string, v any, depth int) bool {
	switch t {
	case "null":
		return v == nil
	case "boolean":
		_, ok := v.(bool)
		return ok
	case "int", "long":
		n, ok := v.(json.Number)
		if !ok {
			return false
		}
		i, err := n.Int64()
		if err != nil {
			return false
		}
		return t == "long" || (i >= math.MinInt32 && i <= math.MaxInt32)
	case "float", "double":
		_, ok := v.(json.Number)
		return ok
	case "string", "bytes":
		_, ok := v.(string)
		return ok
	}
	if def, ok := s.named[t]; ok {
		return s.valid(def, v, depth+1)
	}
	return true // unknown name: accept
}

// unionBranchName is the key of a union branch in the Avro JSON encoding.
func unionBranchName(b any) string {
	switch b := b.(type) {
	case string:
		return b
	case map[string]any:
		if name, ok := b["name"].(string); ok {
			if ns, ok := b["namespace"].(string); ok && !strings.Contains(name, ".") {
				return ns + "." + name
			}
			return name
		}
		typ, _ := b["type"].(string)
		return typ
	}
	return ""
}

func isNullable(t any) bool {
	if u, ok := t.([]any); ok {
		for _, b := range u {
			if b == "null" {
				return true
			}
		}
	}
	return t == "null"
}
