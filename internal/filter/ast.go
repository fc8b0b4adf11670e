package filter

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Expr is a node of a parsed filter. The concrete types are *And, *Or,
// *Not, *HasAttr, *Compare and *HasPrefix.
//
// String renders canonical filter syntax that Parse accepts again, yielding
// an equal tree. The canonical form is spaced and escapes non-printing
// characters (attributes.env = "prod" AND NOT attributes:debug). If that form
// would exceed MaxLength, String falls back to the compact form (no optional
// spaces, - for NOT, raw characters inside literals), which is never longer
// than the source the tree was parsed from.
type Expr interface {
	String() string
	isExpr()
}

// And is a conjunction: Terms[0] AND Terms[1] AND ...
// Parse always produces at least two terms.
type And struct{ Terms []Expr }

// Or is a disjunction: Terms[0] OR Terms[1] OR ...
// Parse always produces at least two terms.
type Or struct{ Terms []Expr }

// Not is a negation, written NOT X or -X.
type Not struct{ X Expr }

// HasAttr tests that an attribute exists: attributes:KEY.
type HasAttr struct{ Key string }

// Compare compares an attribute with a value: attributes.KEY = "VALUE" or
// attributes.KEY != "VALUE". Op is "=" or "!=". Key and Value are unescaped.
type Compare struct {
	Key   string
	Op    string
	Value string
}

// HasPrefix is hasPrefix(attributes.KEY, "PREFIX"). Key and Prefix are
// unescaped.
type HasPrefix struct {
	Key    string
	Prefix string
}

func (*And) isExpr()       {}
func (*Or) isExpr()        {}
func (*Not) isExpr()       {}
func (*HasAttr) isExpr()   {}
func (*Compare) isExpr()   {}
func (*HasPrefix) isExpr() {}

func (e *And) String() string       { return render(e) }
func (e *Or) String() string        { return render(e) }
func (e *Not) String() string       { return render(e) }
func (e *HasAttr) String() string   { return render(e) }
func (e *Compare) String() string   { return render(e) }
func (e *HasPrefix) String() string { return render(e) }

// render renders e in canonical form, or in compact form if the canonical
// form is longer than MaxLength.
func render(e Expr) string {
	var b strings.Builder
	write(&b, e, false)
	if b.Len() <= MaxLength {
		return b.String()
	}
	b.Reset()
	write(&b, e, true)
	return b.String()
}

func write(b *strings.Builder, e Expr, compact bool) {
	switch e := e.(type) {
	case *HasAttr:
		b.WriteString("attributes:")
		writeKey(b, e.Key, compact)
	case *Compare:
		b.WriteString("attributes.")
		writeKey(b, e.Key, compact)
		if compact {
			b.WriteString(e.Op)
		} else {
			b.WriteString(" " + e.Op + " ")
		}
		writeString(b, e.Value, compact)
	case *HasPrefix:
		b.WriteString("hasPrefix(attributes.")
		writeKey(b, e.Key, compact)
		if compact {
			b.WriteString(",")
		} else {
			b.WriteString(", ")
		}
		writeString(b, e.Prefix, compact)
		b.WriteString(")")
	case *Not:
		if compact {
			b.WriteString("-")
		} else {
			b.WriteString("NOT ")
		}
		writeOperand(b, e.X, compact)
	case *And:
		writeJoin(b, e.Terms, "AND", compact)
	case *Or:
		writeJoin(b, e.Terms, "OR", compact)
	}
}

// writeOperand writes an operand of NOT, AND or OR, in parentheses if it is
// itself an AND or OR.
func writeOperand(b *strings.Builder, e Expr, compact bool) {
	switch e.(type) {
	case *And, *Or:
		b.WriteString("(")
		write(b, e, compact)
		b.WriteString(")")
	default:
		write(b, e, compact)
	}
}

func writeJoin(b *strings.Builder, terms []Expr, op string, compact bool) {
	for i, t := range terms {
		if i == 0 {
			writeOperand(b, t, compact)
			continue
		}
		if !compact {
			b.WriteString(" " + op + " ")
			writeOperand(b, t, compact)
			continue
		}
		// Compact: a space is needed only where the operator would
		// otherwise run into a key or a word.
		if s := b.String(); s == "" || (s[len(s)-1] != '"' && s[len(s)-1] != ')') {
			b.WriteString(" ")
		}
		b.WriteString(op)
		var tb strings.Builder
		writeOperand(&tb, t, compact)
		if s := tb.String(); s != "" && s[0] != '(' && s[0] != '-' {
			b.WriteString(" ")
		}
		b.WriteString(tb.String())
	}
}

// isBareKey reports whether key can be written without quotes.
func isBareKey(key string) bool {
	if key == "" {
		return false
	}
	for i := 0; i < len(key); i++ {
		if !isKeyByte(key[i]) {
			return false
		}
	}
	return true
}

func writeKey(b *strings.Builder, key string, compact bool) {
	if isBareKey(key) {
		b.WriteString(key)
		return
	}
	writeString(b, key, compact)
}

// writeString writes s as a string literal. The canonical form escapes like
// strconv.Quote (every escape it emits is accepted by the lexer). The compact
// form escapes only '"', '\' and bytes that are not valid UTF-8, so it is
// never longer than any literal that decodes to s.
func writeString(b *strings.Builder, s string, compact bool) {
	if !compact {
		b.WriteString(strconv.Quote(s))
		return
	}
	const hex = "0123456789abcdef"
	b.WriteByte('"')
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteString(`\x`)
			b.WriteByte(hex[s[i]>>4])
			b.WriteByte(hex[s[i]&0xF])
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteByte(byte(r))
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	b.WriteByte('"')
}
