package filter

import (
	"fmt"
	"strings"
)

const usageHasPrefix = `hasPrefix(attributes.KEY, "prefix")`

// parser is a recursive-descent parser. tok is the current token; the
// lexer resumes at tok.end, so the parser can switch to key scanning right
// after a '.' or ':' token.
type parser struct {
	src   string
	tok   token
	depth int // number of open parentheses
}

// bailout carries a parse error up the stack to parse.
type bailout struct{ err *Error }

func (p *parser) fail(off int, format string, args ...any) {
	panic(bailout{newError(p.src, off, format, args...)})
}

// parse parses the whole source.
func (p *parser) parse() (e Expr, err error) {
	defer func() {
		if r := recover(); r != nil {
			b, ok := r.(bailout)
			if !ok {
				panic(r)
			}
			e, err = nil, b.err
		}
	}()
	p.advance()
	return p.parseFilter(), nil
}

// advance moves to the next token.
func (p *parser) advance() {
	t, err := lex(p.src, p.tok.end)
	if err != nil {
		panic(bailout{err})
	}
	p.tok = t
}

// peek returns the token starting at or after pos without consuming it.
// Lexical errors are reported as tEOF; they will be reported properly once
// the parser gets there.
func (p *parser) peek(pos int) token {
	t, err := lex(p.src, pos)
	if err != nil {
		return token{kind: tEOF, off: len(p.src), end: len(p.src)}
	}
	return t
}

func (p *parser) isWord(w string) bool { return p.tok.kind == tWord && p.tok.text == w }

// describe names a token for error messages.
func describe(t token) string {
	switch t.kind {
	case tEOF:
		return "end of filter"
	case tString:
		return "string literal " + t.text
	case tWord:
		switch t.text {
		case "AND", "OR", "NOT":
			return "operator " + t.text
		}
		return fmt.Sprintf("%q", t.text)
	}
	return fmt.Sprintf("'%s'", t.text)
}

// failUnexpected reports an unexpected token, with a specific hint for
// common mistakes, or else "<what>, found <token>".
func (p *parser) failUnexpected(t token, what string) {
	switch t.kind {
	case tOther:
		switch t.text {
		case `\`:
			p.fail(t.off, "escape sequences are only allowed inside string literals")
		case "'":
			p.fail(t.off, `string literals must be enclosed in double quotes ("..."), not single quotes`)
		case "&":
			p.fail(t.off, "use AND instead of &")
		case "|":
			p.fail(t.off, "use OR instead of |")
		}
	case tWord:
		if hint := caseHint(t.text); hint != "" {
			p.fail(t.off, "%s", hint)
		}
	}
	p.fail(t.off, "%s, found %s", what, describe(t))
}

// caseHint returns a message for a boolean operator written in the wrong case.
func caseHint(w string) string {
	for _, op := range []string{"AND", "OR", "NOT"} {
		if w != op && strings.EqualFold(w, op) {
			return fmt.Sprintf("boolean operators must be upper case: use %s instead of %s", op, w)
		}
	}
	return ""
}

// parseFilter parses andExpr | orExpr, up to the end of the filter or a ')'.
func (p *parser) parseFilter() Expr {
	first := p.parseUnary()
	if !p.isWord("AND") && !p.isWord("OR") {
		p.checkFollow()
		return first
	}
	op, other := p.tok.text, "OR"
	if op == "OR" {
		other = "AND"
	}
	terms := []Expr{first}
	for p.isWord(op) {
		opTok := p.tok
		p.advance()
		p.requireOperand(opTok)
		terms = append(terms, p.parseUnary())
	}
	if p.isWord(other) {
		p.fail(p.tok.off, "AND and OR cannot be mixed without parentheses: group the conditions, e.g. (a AND b) OR c")
	}
	p.checkFollow()
	if op == "AND" {
		return &And{Terms: terms}
	}
	return &Or{Terms: terms}
}

// checkFollow checks the token after a complete condition or group.
func (p *parser) checkFollow() {
	t := p.tok
	switch t.kind {
	case tEOF:
		return
	case tRParen:
		if p.depth > 0 {
			return
		}
		p.fail(t.off, "unbalanced parentheses: ')' has no matching '('")
	case tOp, tColon, tDot:
		p.fail(t.off, "unexpected %s after a complete condition: a comparison needs attributes.KEY on its left (attributes:KEY only tests that the attribute exists)", describe(t))
	}
	what := "expected AND, OR or end of filter after a complete condition"
	if p.depth > 0 {
		what = "expected AND, OR or ')' after a complete condition"
	}
	p.failUnexpected(t, what)
}

// requireOperand reports a dangling operator (AND, OR, NOT or -) that is
// followed by nothing, or by ')'.
func (p *parser) requireOperand(op token) {
	if p.tok.kind == tEOF || p.tok.kind == tRParen {
		p.fail(op.off, "dangling operator %s: it must be followed by a condition", op.text)
	}
}

// parseUnary parses ( "NOT" | "-" ) unary | primary.
func (p *parser) parseUnary() Expr {
	t := p.tok
	switch t.kind {
	case tMinus:
		p.advance()
		p.requireOperand(t)
		return &Not{X: p.parseUnary()}
	case tLParen:
		return p.parseParen()
	case tString:
		if n := p.peek(t.end); n.kind == tOp {
			p.fail(t.off, "the left side of a comparison must be attributes.KEY, not a string literal: write attributes.KEY %s %s", n.text, t.text)
		}
		p.fail(t.off, `string literal %s is not a condition: each operand must be a complete condition such as attributes.KEY = "value"`, t.text)
	case tWord:
		switch t.text {
		case "NOT":
			p.advance()
			p.requireOperand(t)
			return &Not{X: p.parseUnary()}
		case "attributes":
			return p.parseAttribute()
		case "hasPrefix":
			return p.parseHasPrefix()
		case "AND", "OR":
			p.fail(t.off, "expected a condition, found operator %s: AND and OR need a condition on each side", t.text)
		}
		p.badWord(t)
	case tOp:
		if t.text == "!" {
			p.fail(t.off, "use NOT or - to negate a condition, not !")
		}
		p.fail(t.off, "missing left side of %s: expected attributes.KEY", t.text)
	}
	p.failUnexpected(t, "expected a condition")
	return nil
}

// badWord reports a word that cannot start a condition.
func (p *parser) badWord(t token) {
	if hint := caseHint(t.text); hint != "" {
		p.fail(t.off, "%s", hint)
	}
	next := p.peek(t.end)
	switch {
	case next.kind == tLParen && strings.EqualFold(t.text, "hasPrefix"):
		p.fail(t.off, "unknown function %q: function names are case-sensitive, did you mean hasPrefix?", t.text)
	case next.kind == tLParen:
		p.fail(t.off, "unknown function %q: only hasPrefix is supported", t.text)
	case strings.EqualFold(t.text, "attributes"):
		p.fail(t.off, "%q must be written in lower case: attributes", t.text)
	case next.kind == tDot || next.kind == tColon || next.kind == tOp:
		p.fail(t.off, "only attributes can be filtered: %q cannot be used in a filter, write attributes.KEY", t.text)
	case t.text[0] >= '0' && t.text[0] <= '9':
		p.fail(t.off, "unexpected %q: expected a condition; values must be string literals on the right of attributes.KEY =", t.text)
	}
	p.fail(t.off, `bare identifier %q is not a condition: write attributes:%s to test that the attribute exists or attributes.%s = "value" to compare it`, t.text, t.text, t.text)
}

// parseParen parses "(" filter ")".
func (p *parser) parseParen() Expr {
	open := p.tok
	p.advance()
	switch p.tok.kind {
	case tEOF:
		p.fail(open.off, "unbalanced parentheses: '(' is never closed")
	case tRParen:
		p.fail(open.off, "empty parentheses: expected a condition between '(' and ')'")
	}
	p.depth++
	e := p.parseFilter()
	p.depth--
	if p.tok.kind != tRParen {
		p.fail(open.off, "unbalanced parentheses: '(' is never closed")
	}
	p.advance()
	return e
}

// scanKey scans the attribute key that follows the '.' or ':' in p.tok and
// makes it the current token. prefix is "attributes." or "attributes:".
func (p *parser) scanKey(prefix string) string {
	pos := skipSpace(p.src, p.tok.end)
	if pos < len(p.src) && p.src[pos] == '"' {
		t, err := lexString(p.src, pos)
		if err != nil {
			panic(bailout{err})
		}
		if t.val == "" {
			p.fail(t.off, "attribute key must not be empty")
		}
		p.tok = token{kind: tKey, off: t.off, end: t.end, text: t.text, val: t.val}
		return t.val
	}
	start := pos
	for pos < len(p.src) && !isKeyDelim(p.src[pos]) {
		pos++
	}
	if pos == start {
		t := p.peek(start)
		if t.kind == tOther && t.text == "'" {
			p.failUnexpected(t, "")
		}
		p.fail(start, "expected an attribute key after %s, found %s", prefix, describe(t))
	}
	raw := p.src[start:pos]
	if i := strings.IndexByte(raw, '\\'); i >= 0 {
		p.fail(start+i, `escape sequences are only allowed inside string literals: quote the key, e.g. %s"%s"`, prefix, raw)
	}
	for i := 0; i < len(raw); i++ {
		if !isKeyByte(raw[i]) {
			r := []rune(raw[i:])[0]
			p.fail(start, `key %q contains %q: a key with characters other than letters, digits, '-' and '_' must be quoted, e.g. %s"%s"`, raw, r, prefix, raw)
		}
	}
	p.tok = token{kind: tKey, off: start, end: pos, text: raw, val: raw}
	return raw
}

// parseAttribute parses attributes:KEY or attributes.KEY (= | !=) "value".
func (p *parser) parseAttribute() Expr {
	p.advance()
	switch p.tok.kind {
	case tColon:
		key := p.scanKey("attributes:")
		p.advance()
		return &HasAttr{Key: key}
	case tDot:
	default:
		p.failUnexpected(p.tok, `expected '.' or ':' after attributes (attributes.KEY = "value" or attributes:KEY)`)
	}
	key := p.scanKey("attributes.")
	keyText := p.tok.text
	p.advance()
	op := p.tok
	switch {
	case op.kind == tOp && (op.text == "=" || op.text == "!="):
	case op.kind == tOp:
		p.fail(op.off, "unsupported operator %q: only = and != are supported", op.text)
	case op.kind == tColon:
		p.fail(op.off, "unsupported operator ':' after attributes.%s: only = and != are supported", keyText)
	default:
		p.fail(op.off, "expected = or != after attributes.%s, found %s (use attributes:%s to test that the attribute exists)", keyText, describe(op), keyText)
	}
	p.advance()
	v := p.tok
	switch {
	case v.kind == tString:
	case v.kind == tWord && v.text == "attributes":
		p.fail(v.off, "cannot compare two keys: the right side of %s must be a string literal", op.text)
	case v.kind == tWord && caseHint(v.text) == "" && v.text != "AND" && v.text != "OR" && v.text != "NOT":
		p.fail(v.off, `the right side of %s must be a string literal: write "%s"`, op.text, v.text)
	default:
		p.failUnexpected(v, fmt.Sprintf("the right side of %s must be a string literal", op.text))
	}
	p.advance()
	return &Compare{Key: key, Op: op.text, Value: v.val}
}

// parseHasPrefix parses hasPrefix(attributes.KEY, "prefix").
func (p *parser) parseHasPrefix() Expr {
	p.advance()
	if p.tok.kind != tLParen {
		p.failUnexpected(p.tok, "expected '(' after hasPrefix: "+usageHasPrefix)
	}
	open := p.tok
	unclosed := func() { p.fail(open.off, "unbalanced parentheses: hasPrefix( is never closed") }
	p.advance()

	// First argument: attributes.KEY.
	switch t := p.tok; {
	case t.kind == tRParen:
		p.fail(t.off, "hasPrefix takes 2 arguments, got none: %s", usageHasPrefix)
	case t.kind == tEOF:
		unclosed()
	case t.kind == tString:
		if c := p.peek(t.end); c.kind == tComma {
			if w := p.peek(c.end); w.kind == tWord && w.text == "attributes" {
				p.fail(t.off, "hasPrefix arguments are in the wrong order: the key comes first, then the prefix: %s", usageHasPrefix)
			}
		}
		p.fail(t.off, "the first argument of hasPrefix must be attributes.KEY, not a string literal: %s", usageHasPrefix)
	case t.kind != tWord || t.text != "attributes":
		p.failUnexpected(t, "the first argument of hasPrefix must be attributes.KEY")
	}
	p.advance()
	switch p.tok.kind {
	case tDot:
	case tColon:
		p.fail(p.tok.off, "the first argument of hasPrefix must be attributes.KEY, not attributes:KEY: %s", usageHasPrefix)
	default:
		p.failUnexpected(p.tok, "expected '.' after attributes in the first argument of hasPrefix")
	}
	key := p.scanKey("attributes.")
	p.advance()
	p.hasPrefixDelim(tComma, tRParen, "hasPrefix takes 2 arguments, got 1", "expected ',' after the first argument of hasPrefix", unclosed)

	// Second argument: the prefix string literal.
	switch t := p.tok; {
	case t.kind == tString:
	case t.kind == tWord && t.text == "attributes":
		p.fail(t.off, "the second argument of hasPrefix must be a string literal, not a key: %s", usageHasPrefix)
	case t.kind == tRParen:
		p.fail(t.off, "hasPrefix is missing its prefix argument: %s", usageHasPrefix)
	case t.kind == tEOF:
		unclosed()
	default:
		p.failUnexpected(t, "the second argument of hasPrefix must be a string literal")
	}
	prefix := p.tok.val
	p.advance()
	p.hasPrefixDelim(tRParen, tComma, "hasPrefix takes exactly 2 arguments", "expected ')' to close hasPrefix(", unclosed)
	return &HasPrefix{Key: key, Prefix: prefix}
}

// hasPrefixDelim consumes the delimiter want (',' or ')') after an
// argument of hasPrefix. The other delimiter there means a wrong number
// of arguments (miscount says so).
func (p *parser) hasPrefixDelim(want, other kind, miscount, expected string, unclosed func()) {
	switch t := p.tok; t.kind {
	case want:
	case other:
		p.fail(t.off, "%s: %s", miscount, usageHasPrefix)
	case tEOF:
		unclosed()
	default:
		p.failUnexpected(t, expected)
	}
	p.advance()
}
