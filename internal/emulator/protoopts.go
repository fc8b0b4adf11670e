package emulator

import "strings"

// Reserved ranges, extension ranges and options, for checkProtoDefinition
// (protodef.go): their syntax is checked, their values are not.

// ranges reads N [to (N|max)] {, ...} up to ";" or "[".
func (p *protoParser) ranges(what string) error {
	for {
		p.accept("-") // enums may reserve negative values
		t := p.peek()
		if t.kind != tokNumber || !protoIntRE.MatchString(t.text) {
			return protoErrf(t.line, "%s: expected a number, found %s", what, describeTok(t))
		}
		p.next()
		if p.accept("to") {
			p.accept("-")
			if !p.accept("max") {
				t := p.peek()
				if t.kind != tokNumber || !protoIntRE.MatchString(t.text) {
					return protoErrf(t.line, "%s: expected a number or max, found %s", what, describeTok(t))
				}
				p.next()
			}
		}
		if !p.accept(",") {
			return nil
		}
	}
}

func (p *protoParser) reserved() error {
	p.next() // "reserved"
	t := p.peek()
	switch t.kind {
	case tokString, tokIdent: // names (identifiers in editions)
		for {
			if p.peek().kind == tokString {
				p.next()
			} else if _, err := p.ident("a reserved name"); err != nil {
				return err
			}
			if !p.accept(",") {
				break
			}
		}
	default:
		if err := p.ranges("reserved"); err != nil {
			return err
		}
	}
	return p.expect(";")
}

func (p *protoParser) extensions() error {
	p.next() // "extensions"
	if err := p.ranges("extensions"); err != nil {
		return err
	}
	if p.is("[") {
		if err := p.fieldOptions(); err != nil {
			return err
		}
	}
	return p.expect(";")
}

// option parses "option name = constant;".
func (p *protoParser) option() error {
	p.next() // "option"
	if _, err := p.optionName(); err != nil {
		return err
	}
	if err := p.expect("="); err != nil {
		return err
	}
	if err := p.constant(); err != nil {
		return err
	}
	return p.expect(";")
}

// fieldOptions parses "[ name = constant {, name = constant} ]".
func (p *protoParser) fieldOptions() error {
	p.next() // "["
	for {
		t := p.peek()
		name, err := p.optionName()
		if err != nil {
			return err
		}
		if name == "default" && p.syntax == "proto3" {
			return protoErrf(t.line, "explicit default values are not allowed in proto3")
		}
		if err := p.expect("="); err != nil {
			return err
		}
		if err := p.constant(); err != nil {
			return err
		}
		if !p.accept(",") {
			return p.expect("]")
		}
	}
}

// optionName reads ( ident | "(" fullIdent ")" ) { "." ( ident | "(" fullIdent ")" ) }.
func (p *protoParser) optionName() (string, error) {
	var b strings.Builder
	for {
		if p.accept("(") {
			n, err := p.fullIdent("an extension name", true)
			if err != nil {
				return "", err
			}
			b.WriteString("(" + n + ")")
			if err := p.expect(")"); err != nil {
				return "", err
			}
		} else {
			id, err := p.ident("an option name")
			if err != nil {
				return "", err
			}
			b.WriteString(id)
		}
		if !p.accept(".") {
			return b.String(), nil
		}
		b.WriteByte('.')
	}
}

// constant reads an option value: an identifier, a signed number, strings
// or a message literal in braces (skipped, braces balanced).
func (p *protoParser) constant() error {
	t := p.peek()
	switch {
	case t.kind == tokString:
		_, err := p.str("a value")
		return err
	case t.kind == tokIdent:
		_, err := p.fullIdent("a value", false)
		return err
	case t.text == "{":
		depth := 0
		for {
			t := p.next()
			switch {
			case t.kind == tokEOF:
				return protoErrf(t.line, "unterminated option value in braces")
			case t.text == "{" && t.kind == tokPunct:
				depth++
			case t.text == "}" && t.kind == tokPunct:
				if depth--; depth == 0 {
					return nil
				}
			}
		}
	}
	if p.accept("-") || p.accept("+") {
		t = p.peek()
		if t.kind == tokIdent && (t.text == "inf" || t.text == "nan") {
			p.next()
			return nil
		}
	}
	if t.kind != tokNumber {
		return protoErrf(t.line, "expected a value, found %s", describeTok(t))
	}
	p.next()
	return nil
}
