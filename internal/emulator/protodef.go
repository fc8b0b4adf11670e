package emulator

import (
	"fmt"
	"strconv"
	"strings"
)

// checkProtoDefinition checks a Protocol Buffer schema definition and
// returns what is wrong with it, or nil. Pub/Sub compiles the definition;
// its documentation (pubsub/docs/schemas) adds that a schema must "define
// only one top-level type" and that "import statements that reference other
// types are not supported". The official emulator does not help here (it
// answers Unimplemented to every Protocol Buffer schema), so this is a
// small parser of the proto2/proto3 grammar, written from the language
// specification, that refuses:
//
//   - text that does not tokenize or parse (unbalanced braces, a field
//     without "= N;", unknown statements, ...);
//   - a syntax other than "proto2" or "proto3" (editions are refused too:
//     Pub/Sub documents proto2 and proto3 only);
//   - imports, and anything at the top level but syntax, package, option
//     and exactly one message;
//   - field types that are neither scalars nor messages or enums defined in
//     the schema (nothing can be imported);
//   - field numbers outside 1..536870911 or in 19000..19999 (reserved by
//     the implementation), duplicate field numbers or names in a message;
//   - proto3 rules: no required fields, groups, extension ranges or
//     explicit defaults, and an enum's first value must be 0;
//   - proto2 rules: fields outside oneofs need a label (optional, required
//     or repeated);
//   - map keys that are not integral or string types, labels on map or
//     oneof fields, empty oneofs and enums.
//
// It is deliberately lenient where protoc is subtle: option names and
// values (custom options included), reserved ranges and JSON-name clashes
// are not checked, and a type reference matches if it names any message
// or enum visible from an enclosing scope.
func checkProtoDefinition(def string) error {
	toks, err := protoTokenize(def)
	if err != nil {
		return err
	}
	p := &protoParser{toks: toks, syntax: "proto2", types: map[string]bool{}}
	if err := p.file(); err != nil {
		return err
	}
	return p.resolveRefs()
}

func protoErrf(line int, format string, args ...any) error {
	return invalidf("Could not parse schema definition (PROTOCOL_BUFFER): line %d: %s", line, fmt.Sprintf(format, args...))
}

type protoRef struct {
	name, scope, where string
	line               int
}

type protoParser struct {
	toks   []protoTok
	pos    int
	syntax string
	pkg    string
	types  map[string]bool // full names of the messages and enums defined
	refs   []protoRef
	depth  int
}

// protoMsg tracks the fields of one message, oneofs included.
type protoMsg struct {
	name    string
	numbers map[int64]string
	names   map[string]bool
}

func (p *protoParser) file() error {
	if p.accept("syntax") {
		if err := p.expect("="); err != nil {
			return err
		}
		line := p.peek().line
		s, err := p.str("the syntax")
		if err != nil {
			return err
		}
		if s != "proto2" && s != "proto3" {
			return protoErrf(line, "unknown syntax %q: want \"proto2\" or \"proto3\"", s)
		}
		p.syntax = s
		if err := p.expect(";"); err != nil {
			return err
		}
	}
	messages := 0
	for {
		t := p.peek()
		switch {
		case t.kind == tokEOF:
			if messages == 0 {
				return protoErrf(t.line, "the definition has no message: a Pub/Sub schema defines exactly one top-level message")
			}
			return nil
		case p.accept(";"):
		case t.kind != tokIdent:
			return protoErrf(t.line, "expected a top-level message, found %s", describeTok(t))
		case t.text == "import":
			return protoErrf(t.line, "import statements are not supported: a Pub/Sub schema must be self-contained")
		case t.text == "package":
			p.next()
			if p.pkg != "" {
				return protoErrf(t.line, "multiple package statements")
			}
			name, err := p.fullIdent("a package name", false)
			if err != nil {
				return err
			}
			p.pkg = name
			if err := p.expect(";"); err != nil {
				return err
			}
		case t.text == "option":
			if err := p.option(); err != nil {
				return err
			}
		case t.text == "message":
			if messages++; messages > 1 {
				return protoErrf(t.line, "a second top-level message: a Pub/Sub schema defines only one top-level type (nest the others inside it)")
			}
			if err := p.message(p.pkg); err != nil {
				return err
			}
		case t.text == "enum", t.text == "service", t.text == "extend":
			return protoErrf(t.line, "a top-level %s: a Pub/Sub schema defines only one top-level type, a message (nest enums inside it)", t.text)
		case t.text == "syntax", t.text == "edition":
			return protoErrf(t.line, "%q must be the first statement, and only proto2 and proto3 syntax are supported", t.text)
		default:
			return protoErrf(t.line, "expected a top-level message, found %s", describeTok(t))
		}
	}
}

func protoJoin(scope, name string) string {
	if scope == "" {
		return name
	}
	return scope + "." + name
}

func (p *protoParser) define(full string, line int) error {
	if p.types[full] {
		return protoErrf(line, "%q is already defined", full)
	}
	p.types[full] = true
	return nil
}

// definition reads the keyword and the name of a message or enum in scope
// and defines it; it returns the full name and the line of the name.
func (p *protoParser) definition(scope, what string) (full string, line int, err error) {
	p.next() // "message" or "enum"
	line = p.peek().line
	name, err := p.ident(what)
	if err != nil {
		return "", 0, err
	}
	full = protoJoin(scope, name)
	return full, line, p.define(full, line)
}

func (p *protoParser) message(scope string) error {
	full, _, err := p.definition(scope, "a message name")
	if err != nil {
		return err
	}
	return p.messageBody(full)
}

// block parses "{ statements }" of what (such as "message M"), calling
// stmt with the first token of each statement but the empty one (";").
func (p *protoParser) block(what string, stmt func(t protoTok) error) error {
	if err := p.expect("{"); err != nil {
		return err
	}
	for !p.accept("}") {
		t := p.peek()
		if t.kind == tokEOF {
			return protoErrf(t.line, "missing \"}\" at the end of %s", what)
		}
		if p.accept(";") {
			continue
		}
		if err := stmt(t); err != nil {
			return err
		}
	}
	return nil
}

func (p *protoParser) messageBody(full string) error {
	if p.depth++; p.depth > 100 {
		return protoErrf(p.peek().line, "messages nested more than 100 levels deep")
	}
	defer func() { p.depth-- }()
	m := &protoMsg{name: full, numbers: map[int64]string{}, names: map[string]bool{}}
	return p.block("message "+full, func(t protoTok) error {
		switch {
		case t.kind != tokIdent:
			return protoErrf(t.line, "expected a field or a definition in message %s, found %s", full, describeTok(t))
		case t.text == "message" && p.peekAt(1).kind == tokIdent && p.peekAt(2).text == "{":
			return p.message(full)
		case t.text == "enum" && p.peekAt(1).kind == tokIdent && p.peekAt(2).text == "{":
			return p.enum(full)
		case t.text == "option":
			return p.option()
		case t.text == "oneof" && p.peekAt(1).kind == tokIdent && p.peekAt(2).text == "{":
			return p.oneof(m)
		case t.text == "reserved":
			return p.reserved()
		case t.text == "extensions":
			if p.syntax == "proto3" {
				return protoErrf(t.line, "extension ranges are not allowed in proto3")
			}
			return p.extensions()
		case t.text == "extend":
			return p.extend(full)
		}
		return p.field(m, false)
	})
}

var (
	protoScalars = map[string]bool{
		"double": true, "float": true, "int32": true, "int64": true, "uint32": true, "uint64": true,
		"sint32": true, "sint64": true, "fixed32": true, "fixed64": true, "sfixed32": true, "sfixed64": true,
		"bool": true, "string": true, "bytes": true,
	}
	protoMapKeys = map[string]bool{
		"int32": true, "int64": true, "uint32": true, "uint64": true, "sint32": true, "sint64": true,
		"fixed32": true, "fixed64": true, "sfixed32": true, "sfixed64": true, "bool": true, "string": true,
	}
)

const maxFieldNumber = 536870911

// field parses a normal, map or group field of m.
func (p *protoParser) field(m *protoMsg, inOneof bool) error {
	start := p.peek()
	label := ""
	if t := start.text; start.kind == tokIdent && (t == "optional" || t == "required" || t == "repeated") &&
		(p.peekAt(1).kind == tokIdent || p.peekAt(1).text == ".") {
		label = t
		p.next()
	}
	if label != "" && inOneof {
		return protoErrf(start.line, "fields in a oneof must not have a label (%s)", label)
	}
	if label == "required" && p.syntax == "proto3" {
		return protoErrf(start.line, "required fields are not allowed in proto3")
	}
	var typ, name string
	var err error
	isMap := p.is("map") && p.peekAt(1).text == "<"
	switch {
	case isMap:
		if label != "" || inOneof {
			return protoErrf(start.line, "map fields cannot have a label or be in a oneof")
		}
		p.next()
		p.next()
		kt := p.peek()
		key, err := p.fullIdent("a map key type", true)
		if err != nil {
			return err
		}
		if !protoMapKeys[key] {
			return protoErrf(kt.line, "invalid map key type %q: want an integral type, bool or string", key)
		}
		if err := p.expect(","); err != nil {
			return err
		}
		if typ, err = p.typeName(); err != nil {
			return err
		}
		if err := p.expect(">"); err != nil {
			return err
		}
	case p.is("group") && p.peekAt(1).kind == tokIdent && p.peekAt(2).text == "=":
		if p.syntax == "proto3" {
			return protoErrf(start.line, "groups are not allowed in proto3")
		}
		p.next()
		typ = "group"
	default:
		if typ, err = p.typeName(); err != nil {
			return err
		}
	}
	nameTok := p.peek()
	if name, err = p.ident("a field name"); err != nil {
		return err
	}
	if label == "" && !inOneof && !isMap && p.syntax == "proto2" {
		return protoErrf(start.line, "field %s needs a label in proto2: optional, required or repeated", name)
	}
	if err := p.expect("="); err != nil {
		return err
	}
	numTok := p.peek()
	if numTok.kind != tokNumber || !protoIntRE.MatchString(numTok.text) {
		return protoErrf(numTok.line, "field %s: expected a field number, found %s", name, describeTok(numTok))
	}
	p.next()
	num, err := strconv.ParseInt(numTok.text, 0, 64)
	if err != nil || num < 1 || num > maxFieldNumber {
		return protoErrf(numTok.line, "field %s: field number %s is out of range: want 1 to %d", name, numTok.text, maxFieldNumber)
	}
	if num >= 19000 && num <= 19999 {
		return protoErrf(numTok.line, "field %s: field numbers 19000 to 19999 are reserved for the Protocol Buffer implementation", name)
	}
	if other, dup := m.numbers[num]; dup {
		return protoErrf(numTok.line, "field %s: field number %d is already used by field %s of %s", name, num, other, m.name)
	}
	m.numbers[num] = name
	fieldName := name
	if typ == "group" {
		fieldName = strings.ToLower(name)
	}
	if m.names[fieldName] {
		return protoErrf(nameTok.line, "field %s is defined twice in %s", fieldName, m.name)
	}
	m.names[fieldName] = true
	if p.is("[") {
		if err := p.fieldOptions(); err != nil {
			return err
		}
	}
	if typ == "group" {
		full := protoJoin(m.name, name)
		if err := p.define(full, nameTok.line); err != nil {
			return err
		}
		return p.messageBody(full)
	}
	if !protoScalars[typ] {
		p.refs = append(p.refs, protoRef{name: typ, scope: m.name, where: "field " + name + " of " + m.name, line: start.line})
	}
	return p.expect(";")
}

func (p *protoParser) typeName() (string, error) {
	return p.fullIdent("a field type", true)
}

func (p *protoParser) oneof(m *protoMsg) error {
	start := p.next()
	name, err := p.ident("a oneof name")
	if err != nil {
		return err
	}
	fields := 0
	err = p.block("oneof "+name, func(t protoTok) error {
		if t.text == "option" {
			return p.option()
		}
		fields++
		return p.field(m, true)
	})
	if err != nil {
		return err
	}
	if fields == 0 {
		return protoErrf(start.line, "oneof %s has no fields", name)
	}
	return nil
}

func (p *protoParser) enum(scope string) error {
	full, line, err := p.definition(scope, "an enum name")
	if err != nil {
		return err
	}
	values := map[string]bool{}
	err = p.block("enum "+full, func(t protoTok) error {
		switch {
		case t.text == "option" && p.peekAt(1).text != "=":
			return p.option()
		case t.text == "reserved" && p.peekAt(1).text != "=":
			return p.reserved()
		}
		v, err := p.ident("an enum value name")
		if err != nil {
			return err
		}
		if values[v] {
			return protoErrf(t.line, "enum %s has the value %s twice", full, v)
		}
		if err := p.expect("="); err != nil {
			return err
		}
		neg := p.accept("-")
		nt := p.peek()
		if nt.kind != tokNumber || !protoIntRE.MatchString(nt.text) {
			return protoErrf(nt.line, "enum value %s: expected an integer, found %s", v, describeTok(nt))
		}
		p.next()
		n, err := strconv.ParseInt(nt.text, 0, 64)
		if neg {
			n = -n
		}
		if err != nil || n < -1<<31 || n > 1<<31-1 {
			return protoErrf(nt.line, "enum value %s: %s is out of the int32 range", v, nt.text)
		}
		if len(values) == 0 && n != 0 && p.syntax == "proto3" {
			return protoErrf(nt.line, "the first value of proto3 enum %s must be 0", full)
		}
		values[v] = true
		if p.is("[") {
			if err := p.fieldOptions(); err != nil {
				return err
			}
		}
		return p.expect(";")
	})
	if err != nil {
		return err
	}
	if len(values) == 0 {
		return protoErrf(line, "enum %s has no values", full)
	}
	return nil
}

// extend parses "extend Type { fields }" inside a message (proto2).
func (p *protoParser) extend(scope string) error {
	t := p.next()
	ext, err := p.typeName()
	if err != nil {
		return err
	}
	p.refs = append(p.refs, protoRef{name: ext, scope: scope, where: "extend " + ext, line: t.line})
	m := &protoMsg{name: scope, numbers: map[int64]string{}, names: map[string]bool{}}
	return p.block("extend "+ext, func(protoTok) error { return p.field(m, false) })
}

// resolveRefs checks that every field type names a message or enum of the
// schema, looked up from the field's scope outwards.
func (p *protoParser) resolveRefs() error {
	for _, r := range p.refs {
		if full, ok := strings.CutPrefix(r.name, "."); ok {
			if p.types[full] {
				continue
			}
		} else if p.visible(r.name, r.scope) {
			continue
		}
		return protoErrf(r.line, "%s: unknown type %q: it is neither a scalar type nor a message or enum defined in the schema (imports are not supported)", r.where, r.name)
	}
	return nil
}

func (p *protoParser) visible(name, scope string) bool {
	for {
		if p.types[protoJoin(scope, name)] {
			return true
		}
		if scope == "" {
			return false
		}
		scope = namespaceOf(scope)
	}
}
