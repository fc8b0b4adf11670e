package emulator

import (
	"bytes"
	"encoding/json"
	"iter"
	"maps"
	"math"
	"slices"
	"strings"
	"unicode/utf8"
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
			return everyField(t, v, func(field map[string]any, value any, present bool) bool {
				switch {
				case field == nil:
					return true // not a field: ignored
				case present:
					return s.valid(field["type"], value, depth+1)
				}
				_, hasDefault := field["default"]
				return hasDefault || isNullable(field["type"])
			})
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
		case "array", "map":
			return validItems(t, v, func(itemType, item any) bool { return s.valid(itemType, item, depth+1) })
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
	if valid, primitive := validPrimitive(t, v); primitive {
		return valid
	}
	if def, ok := s.named[t]; ok {
		return s.valid(def, v, depth+1)
	}
	return true // unknown name: accept
}

// validPrimitive reports whether the JSON value v (numbers decoded as
// json.Number) is a value of the Avro type t, and primitive whether t is a
// primitive type at all.
func validPrimitive(t string, v any) (valid, primitive bool) {
	switch t {
	case "null":
		return v == nil, true
	case "boolean":
		_, ok := v.(bool)
		return ok, true
	case "int", "long":
		n, ok := v.(json.Number)
		if !ok {
			return false, true
		}
		i, err := n.Int64() // refuses fractions and exponents
		return err == nil && (t == "long" || (i >= math.MinInt32 && i <= math.MaxInt32)), true
	case "float", "double":
		_, ok := v.(json.Number)
		return ok, true
	case "string", "bytes":
		_, ok := v.(string)
		return ok, true
	}
	return false, false
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

// everyField reports whether v is a JSON object and ok accepts each field
// of the Avro record t (nil where the field is not a JSON object) with the
// value v gives it, if present.
func everyField(t map[string]any, v any, ok func(field map[string]any, value any, present bool) bool) bool {
	obj, isObj := v.(map[string]any)
	if !isObj {
		return false
	}
	fields, _ := t["fields"].([]any)
	for _, f := range fields {
		field, _ := f.(map[string]any)
		name, _ := field["name"].(string)
		value, present := obj[name]
		if !ok(field, value, present) {
			return false
		}
	}
	return true
}

// validItems reports whether v is the JSON form of the Avro array or map
// type t (a JSON array or object) and valid accepts each of its items or
// values with the type's "items" or "values".
func validItems(t map[string]any, v any, valid func(itemType, item any) bool) bool {
	var itemType any
	var items iter.Seq[any]
	switch t["type"] {
	case "array":
		arr, ok := v.([]any)
		if !ok {
			return false
		}
		itemType, items = t["items"], slices.Values(arr)
	case "map":
		obj, ok := v.(map[string]any)
		if !ok {
			return false
		}
		itemType, items = t["values"], maps.Values(obj)
	default:
		return false
	}
	for item := range items {
		if !valid(itemType, item) {
			return false
		}
	}
	return true
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

// validBinary reports whether data is exactly one value of the schema in
// Avro's binary encoding.
func (s *avroSchema) validBinary(data []byte) bool {
	r := &avroReader{buf: data, ok: true}
	ok := s.readValue(s.root, r, 0)
	if r.giveUp {
		return true // a construct this checker does not understand
	}
	return ok && r.ok && len(r.buf) == 0
}

type avroReader struct {
	buf    []byte
	ok     bool
	giveUp bool
}

func (r *avroReader) unknown() bool { r.giveUp = true; return false }

func (r *avroReader) fail() bool { r.ok = false; return false }

// varint reads a zig-zag encoded long of at most max bytes.
func (r *avroReader) varint(max int) (int64, bool) {
	var u uint64
	for i := 0; i < max; i++ {
		if len(r.buf) == 0 {
			return 0, r.fail()
		}
		b := r.buf[0]
		r.buf = r.buf[1:]
		u |= uint64(b&0x7f) << (7 * i)
		if b&0x80 == 0 {
			return int64(u>>1) ^ -int64(u&1), true
		}
	}
	return 0, r.fail()
}

func (r *avroReader) take(n int64) ([]byte, bool) {
	if n < 0 || n > int64(len(r.buf)) {
		return nil, r.fail()
	}
	b := r.buf[:n]
	r.buf = r.buf[n:]
	return b, true
}

func (s *avroSchema) readValue(t any, r *avroReader, depth int) bool {
	if !r.ok || r.giveUp {
		return false
	}
	if depth > 64 {
		return r.unknown()
	}
	switch t := t.(type) {
	case string:
		switch t {
		case "null":
			return true
		case "boolean":
			b, ok := r.take(1)
			return ok && (b[0] == 0 || b[0] == 1) || r.fail()
		case "int":
			v, ok := r.varint(5)
			return ok && v >= math.MinInt32 && v <= math.MaxInt32 || r.fail()
		case "long":
			_, ok := r.varint(10)
			return ok
		case "float":
			_, ok := r.take(4)
			return ok
		case "double":
			_, ok := r.take(8)
			return ok
		case "bytes", "string":
			n, ok := r.varint(10)
			if !ok {
				return false
			}
			b, ok := r.take(n)
			return ok && (t == "bytes" || utf8.Valid(b)) || r.fail()
		}
		if def, ok := s.named[t]; ok {
			return s.readValue(def, r, depth+1)
		}
		return r.unknown() // an unknown type cannot be skipped in binary
	case []any:
		i, ok := r.varint(10)
		if !ok || i < 0 || i >= int64(len(t)) {
			return r.fail()
		}
		return s.readValue(t[i], r, depth+1)
	case map[string]any:
		typ, _ := t["type"].(string)
		switch typ {
		case "record", "error":
			fields, _ := t["fields"].([]any)
			for _, f := range fields {
				fm, _ := f.(map[string]any)
				if !s.readValue(fm["type"], r, depth+1) {
					return false
				}
			}
			return true
		case "enum":
			syms, _ := t["symbols"].([]any)
			i, ok := r.varint(5)
			return ok && i >= 0 && i < int64(len(syms)) || r.fail()
		case "array", "map":
			for {
				n, ok := r.varint(10)
				if !ok {
					return false
				}
				if n == 0 {
					return true
				}
				if n < 0 {
					n = -n
					if _, ok := r.varint(10); !ok { // block size in bytes
						return false
					}
				}
				if typ == "array" && t["items"] == "null" {
					continue // null items take no bytes
				}
				if n > int64(len(r.buf)) {
					return r.fail() // every other item takes at least one byte
				}
				for range n {
					if typ == "map" && !s.readValue("string", r, depth+1) {
						return false
					}
					elem := t["items"]
					if typ == "map" {
						elem = t["values"]
					}
					if !s.readValue(elem, r, depth+1) {
						return false
					}
				}
			}
		case "fixed":
			size, _ := t["size"].(float64)
			_, ok := r.take(int64(size))
			return ok
		case "":
			return r.unknown()
		default:
			return s.readValue(typ, r, depth+1)
		}
	}
	return r.unknown()
}
