package emulator

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// The tokenizer of checkProtoDefinition (protodef.go) and the parser's
// token-level helpers.

const (
	tokIdent = iota + 1
	tokNumber
	tokString
	tokPunct
	tokEOF
)

type protoTok struct {
	kind int
	text string // a string literal's text is its (unescaped enough) content
	line int
}

var (
	protoIntRE   = regexp.MustCompile(`^(0[xX][0-9A-Fa-f]+|0[0-7]*|[1-9][0-9]*)$`)
	protoFloatRE = regexp.MustCompile(`^([0-9]+\.[0-9]*([eE][+-]?[0-9]+)?|[0-9]+[eE][+-]?[0-9]+|\.[0-9]+([eE][+-]?[0-9]+)?)$`)
)

func isIdentStart(c byte) bool { return c == '_' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' }
func isDigit(c byte) bool      { return c >= '0' && c <= '9' }

func protoTokenize(src string) ([]protoTok, error) {
	var toks []protoTok
	line := 1
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == '\n':
			line++
			i++
		case c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v':
			i++
		case strings.HasPrefix(src[i:], "//"):
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case strings.HasPrefix(src[i:], "/*"):
			end := strings.Index(src[i+2:], "*/")
			if end < 0 {
				return nil, protoErrf(line, "unterminated /* comment")
			}
			line += strings.Count(src[i:i+2+end], "\n")
			i += end + 4
		case isIdentStart(c):
			j := i
			for j < len(src) && (isIdentStart(src[j]) || isDigit(src[j])) {
				j++
			}
			toks = append(toks, protoTok{tokIdent, src[i:j], line})
			i = j
		case isDigit(c) || c == '.' && i+1 < len(src) && isDigit(src[i+1]):
			j := i
			for j < len(src) && (isIdentStart(src[j]) || isDigit(src[j]) || src[j] == '.' ||
				(src[j] == '+' || src[j] == '-') && (src[j-1] == 'e' || src[j-1] == 'E') && !strings.HasPrefix(strings.ToLower(src[i:]), "0x")) {
				j++
			}
			num := src[i:j]
			if !protoIntRE.MatchString(num) && !protoFloatRE.MatchString(num) {
				return nil, protoErrf(line, "invalid number %q", num)
			}
			toks = append(toks, protoTok{tokNumber, num, line})
			i = j
		case c == '"' || c == '\'':
			j := i + 1
			for ; j < len(src) && src[j] != c; j++ {
				if src[j] == '\n' {
					return nil, protoErrf(line, "string literal not terminated before the end of the line")
				}
				if src[j] == '\\' {
					j++
				}
			}
			if j >= len(src) {
				return nil, protoErrf(line, "unterminated string literal")
			}
			toks = append(toks, protoTok{tokString, src[i+1 : j], line})
			i = j + 1
		case strings.IndexByte("{}()[]<>;=,.:-+", c) >= 0:
			toks = append(toks, protoTok{tokPunct, string(c), line})
			i++
		default:
			return nil, protoErrf(line, "unexpected character %q", rune(c))
		}
	}
	return append(toks, protoTok{tokEOF, "", line}), nil
}

func (p *protoParser) peek() protoTok { return p.toks[p.pos] }
func (p *protoParser) peekAt(n int) protoTok {
	if p.pos+n < len(p.toks) {
		return p.toks[p.pos+n]
	}
	return p.toks[len(p.toks)-1]
}

func (p *protoParser) next() protoTok {
	t := p.toks[p.pos]
	if t.kind != tokEOF {
		p.pos++
	}
	return t
}

func (p *protoParser) is(text string) bool {
	t := p.peek()
	return (t.kind == tokPunct || t.kind == tokIdent) && t.text == text
}

func (p *protoParser) accept(text string) bool {
	if p.is(text) {
		p.next()
		return true
	}
	return false
}

func describeTok(t protoTok) string {
	switch t.kind {
	case tokEOF:
		return "the end of the definition"
	case tokString:
		return strconv.Quote(t.text)
	}
	return fmt.Sprintf("%q", t.text)
}

func (p *protoParser) expect(text string) error {
	if p.accept(text) {
		return nil
	}
	t := p.peek()
	return protoErrf(t.line, "expected %q, found %s", text, describeTok(t))
}

func (p *protoParser) ident(what string) (string, error) {
	t := p.peek()
	if t.kind != tokIdent {
		return "", protoErrf(t.line, "expected %s, found %s", what, describeTok(t))
	}
	p.next()
	return t.text, nil
}

// fullIdent reads ident { "." ident }, with a leading "." if allowDot.
func (p *protoParser) fullIdent(what string, allowDot bool) (string, error) {
	var b strings.Builder
	if allowDot && p.accept(".") {
		b.WriteByte('.')
	}
	for {
		id, err := p.ident(what)
		if err != nil {
			return "", err
		}
		b.WriteString(id)
		if !p.is(".") {
			return b.String(), nil
		}
		p.next()
		b.WriteByte('.')
	}
}

func (p *protoParser) str(what string) (string, error) {
	t := p.peek()
	if t.kind != tokString {
		return "", protoErrf(t.line, "expected %s (a string literal), found %s", what, describeTok(t))
	}
	s := ""
	for p.peek().kind == tokString { // adjacent literals concatenate
		s += p.next().text
	}
	return s, nil
}
