package emulator

import (
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strings"
)

// checkAvroDefinition parses an Avro schema definition the way the Avro
// specification (and the Java parser that the official emulator runs)
// does, and returns what is wrong with it, or nil. Probed against the
// official emulator (cloud-pubsub-emulator 0.8.20), which answers
// InvalidArgument "Could not parse schema definition" to all of these:
//
//   - a type name that is neither primitive nor a record, enum or fixed
//     defined before it (a record's own name is usable inside it);
//   - a named type defined twice or named after a primitive type;
//   - invalid record, field, enum and symbol names, duplicate fields or
//     symbols, a record without "fields", an enum without "symbols", a
//     fixed without a non-negative integer "size", an array without
//     "items", a map without "values", a field without "type", an "order"
//     other than ascending, descending or ignore;
//   - a union directly inside a union, or two union branches of one type;
//   - a field default that does not match the field's type (for a union,
//     its first branch);
//   - anything but one JSON value, or a JSON value that is not a schema.
//
// Namespaces are not validated and logical types are not checked, as in
// the Java parser.
func checkAvroDefinition(def string) error {
	dec := json.NewDecoder(strings.NewReader(def))
	dec.UseNumber()
	var root any
	if err := dec.Decode(&root); err != nil {
		return avroDefErrf("the definition is not valid JSON: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return avroDefErrf("the definition has text after its JSON value")
	}
	c := &avroDefChecker{defs: map[string]map[string]any{}}
	return c.schema(root, "", "the schema")
}

func avroDefErrf(format string, args ...any) error {
	return invalidf("Could not parse schema definition (AVRO): "+format, args...)
}

// avroNameRule says avroNameRE in words.
const avroNameRule = "start with a letter or _ and contain only letters, digits and _"

var (
	avroPrimitives = map[string]bool{
		"null": true, "boolean": true, "int": true, "long": true,
		"float": true, "double": true, "bytes": true, "string": true,
	}
	avroNameRE   = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`) // names and enum symbols
	avroOrders   = map[string]bool{"ascending": true, "descending": true, "ignore": true}
	avroMaxDepth = 100
)

type avroDefChecker struct {
	defs  map[string]map[string]any // named types by full name, as defined so far
	depth int
}

// resolve returns the full name a type reference refers to, or "": a
// reference without a dot is looked up in the enclosing namespace, then in
// the null namespace.
func (c *avroDefChecker) resolve(name, ns string) string {
	if !strings.Contains(name, ".") && ns != "" {
		if _, ok := c.defs[ns+"."+name]; ok {
			return ns + "." + name
		}
	}
	if _, ok := c.defs[name]; ok {
		return name
	}
	return ""
}

func namespaceOf(full string) string {
	if i := strings.LastIndexByte(full, '.'); i >= 0 {
		return full[:i]
	}
	return ""
}

func (c *avroDefChecker) schema(t any, ns, where string) error {
	c.depth++
	defer func() { c.depth-- }()
	if c.depth > avroMaxDepth {
		return avroDefErrf("%s is nested more than %d levels deep", where, avroMaxDepth)
	}
	switch t := t.(type) {
	case string:
		if avroPrimitives[t] || c.resolve(t, ns) != "" {
			return nil
		}
		return avroDefErrf("%s has unknown type %q: it is neither a primitive type nor a record, enum or fixed defined before it", where, t)
	case []any:
		return c.union(t, ns, where)
	case map[string]any:
		return c.complex(t, ns, where)
	}
	return avroDefErrf("%s must be a type name, a JSON object or a union (JSON array), not %s", where, jsonKind(t))
}

func (c *avroDefChecker) union(branches []any, ns, where string) error {
	seen := map[string]bool{}
	for i, b := range branches {
		bw := fmt.Sprintf("branch %d of the union in %s", i, where)
		if _, ok := b.([]any); ok {
			return avroDefErrf("%s is itself a union: unions may not immediately contain other unions", bw)
		}
		if err := c.schema(b, ns, bw); err != nil {
			return err
		}
		k := c.branchKey(b, ns)
		if seen[k] {
			return avroDefErrf("the union in %s has two branches of type %q", where, k)
		}
		seen[k] = true
	}
	return nil
}

// branchKey is what makes union branches distinct: the type, or the full
// name of a named type. b has been checked.
func (c *avroDefChecker) branchKey(b any, ns string) string {
	switch b := b.(type) {
	case string:
		if avroPrimitives[b] {
			return b
		}
		return c.resolve(b, ns)
	case map[string]any:
		typ, _ := b["type"].(string)
		switch typ {
		case "record", "error", "enum", "fixed":
			full, _ := fullName(b, ns)
			return full
		}
		if avroPrimitives[typ] || typ == "array" || typ == "map" {
			return typ
		}
		return c.resolve(typ, ns)
	}
	return ""
}

// fullName returns the full name of a named type's definition and the
// namespace its contents are resolved in.
func fullName(m map[string]any, ns string) (full, inner string) {
	name, _ := m["name"].(string)
	if strings.Contains(name, ".") {
		return name, namespaceOf(name)
	}
	if v, ok := m["namespace"]; ok {
		ns, _ = v.(string) // null is the null namespace
	}
	if ns == "" {
		return name, ""
	}
	return ns + "." + name, ns
}

// define registers a record, enum or fixed before its contents are read,
// so that a record can refer to itself.
func (c *avroDefChecker) define(m map[string]any, ns, where, kind string) (string, string, error) {
	name, ok := m["name"].(string)
	if !ok || name == "" {
		return "", "", avroDefErrf("%s: a %s needs a \"name\"", where, kind)
	}
	full, inner := fullName(m, ns)
	if simple := full[strings.LastIndexByte(full, '.')+1:]; !avroNameRE.MatchString(simple) {
		return "", "", avroDefErrf("%s: invalid %s name %q: names %s", where, kind, simple, avroNameRule)
	}
	if avroPrimitives[full] {
		return "", "", avroDefErrf("%s: a %s may not be named after the primitive type %q", where, kind, full)
	}
	if _, dup := c.defs[full]; dup {
		return "", "", avroDefErrf("%s: %q is defined twice", where, full)
	}
	c.defs[full] = m
	return full, inner, nil
}

// defineWithList defines a record or enum, as define does, and returns the
// JSON array it needs under key ("fields" or "symbols").
func (c *avroDefChecker) defineWithList(m map[string]any, ns, where, kind, key string) (full, inner string, list []any, err error) {
	if full, inner, err = c.define(m, ns, where, kind); err != nil {
		return "", "", nil, err
	}
	list, ok := m[key].([]any)
	if !ok {
		return "", "", nil, avroDefErrf("%s %q needs a %q array", kind, full, key)
	}
	return full, inner, list, nil
}

func (c *avroDefChecker) complex(m map[string]any, ns, where string) error {
	tv, ok := m["type"]
	if !ok {
		return avroDefErrf("%s: the JSON object has no \"type\"", where)
	}
	typ, ok := tv.(string)
	if !ok {
		return avroDefErrf("%s: \"type\" must be a string in a schema object, not %s", where, jsonKind(tv))
	}
	switch typ {
	case "record", "error":
		full, inner, fields, err := c.defineWithList(m, ns, where, "record", "fields")
		if err != nil {
			return err
		}
		seen := map[string]bool{}
		for i, f := range fields {
			fm, ok := f.(map[string]any)
			if !ok {
				return avroDefErrf("field %d of record %q is not a JSON object", i, full)
			}
			name, _ := fm["name"].(string)
			if !avroNameRE.MatchString(name) {
				return avroDefErrf("field %d of record %q has an invalid name %q: names %s", i, full, name, avroNameRule)
			}
			if seen[name] {
				return avroDefErrf("record %q has two fields named %q", full, name)
			}
			seen[name] = true
			fw := fmt.Sprintf("field %q of record %q", name, full)
			ft, ok := fm["type"]
			if !ok {
				return avroDefErrf("%s has no \"type\"", fw)
			}
			if err := c.schema(ft, inner, fw); err != nil {
				return err
			}
			if o, ok := fm["order"]; ok {
				if s, _ := o.(string); !avroOrders[s] {
					return avroDefErrf("%s: invalid \"order\" %v: want ascending, descending or ignore", fw, o)
				}
			}
			if d, ok := fm["default"]; ok && !c.validDefault(ft, inner, d, 0) {
				return avroDefErrf("%s: the default value %s does not match the field's type (for a union, its first branch)", fw, shortJSON(d))
			}
		}
	case "enum":
		full, _, syms, err := c.defineWithList(m, ns, where, "enum", "symbols")
		if err != nil {
			return err
		}
		seen := map[string]bool{}
		for _, s := range syms {
			str, _ := s.(string)
			if !avroNameRE.MatchString(str) {
				return avroDefErrf("enum %q has an invalid symbol %s: symbols %s", full, shortJSON(s), avroNameRule)
			}
			if seen[str] {
				return avroDefErrf("enum %q has the symbol %q twice", full, str)
			}
			seen[str] = true
		}
		if d, ok := m["default"]; ok {
			if s, _ := d.(string); !seen[s] {
				return avroDefErrf("enum %q: the default %s is not one of its symbols", full, shortJSON(d))
			}
		}
	case "array":
		items, ok := m["items"]
		if !ok {
			return avroDefErrf("%s: an array needs \"items\"", where)
		}
		return c.schema(items, ns, where+" (array items)")
	case "map":
		values, ok := m["values"]
		if !ok {
			return avroDefErrf("%s: a map needs \"values\"", where)
		}
		return c.schema(values, ns, where+" (map values)")
	case "fixed":
		full, _, err := c.define(m, ns, where, "fixed")
		if err != nil {
			return err
		}
		if n, ok := m["size"].(json.Number); !ok || !isIntLiteral(n) || strings.HasPrefix(string(n), "-") {
			return avroDefErrf("fixed %q needs a non-negative integer \"size\"", full)
		}
	default:
		// {"type": "string", "logicalType": ...} or {"type": "SomeRecord"}.
		return c.schema(typ, ns, where)
	}
	return nil
}

func isIntLiteral(n json.Number) bool {
	return !strings.ContainsAny(string(n), ".eE")
}

// validDefault reports whether the JSON value v is a valid default for the
// (checked) type t, with the Java parser's rules.
func (c *avroDefChecker) validDefault(t any, ns string, v any, depth int) bool {
	if depth > avroMaxDepth {
		return true // only a recursive record defaulting to itself gets here
	}
	switch t := t.(type) {
	case []any:
		return len(t) > 0 && c.validDefault(t[0], ns, v, depth+1)
	case string:
		if s, ok := v.(string); ok && (t == "float" || t == "double") {
			// The Java parser also takes these strings for a float or double.
			return s == "NaN" || s == "Infinity" || s == "-Infinity" || s == "+Infinity"
		}
		if valid, primitive := validPrimitive(t, v); primitive {
			return valid
		}
		full := c.resolve(t, ns)
		def, ok := c.defs[full]
		if !ok {
			return true
		}
		return c.validDefault(def, namespaceOf(full), v, depth+1)
	case map[string]any:
		typ, _ := t["type"].(string)
		switch typ {
		case "record", "error":
			_, inner := fullName(t, ns)
			return everyField(t, v, func(field map[string]any, value any, present bool) bool {
				if !present {
					if value, present = field["default"]; !present {
						return false
					}
				}
				return c.validDefault(field["type"], inner, value, depth+1)
			})
		case "enum", "fixed":
			_, ok := v.(string)
			return ok
		case "array", "map":
			return validItems(t, v, func(itemType, item any) bool { return c.validDefault(itemType, ns, item, depth+1) })
		}
		return c.validDefault(typ, ns, v, depth+1)
	}
	return true
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case json.Number, float64:
		return "a number"
	case string:
		return "a string"
	case []any:
		return "an array"
	}
	return "an object"
}

// shortJSON renders v for an error message, cut to a readable length.
func shortJSON(v any) string {
	b, _ := json.Marshal(v)
	if len(b) > 60 {
		return string(b[:57]) + "..."
	}
	return string(b)
}
