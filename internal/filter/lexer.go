package filter

import (
	"strings"
	"unicode/utf8"
)

// kind is the kind of a token.
type kind uint8

const (
	tEOF    kind = iota
	tLParen      // (
	tRParen      // )
	tComma       // ,
	tDot         // .
	tColon       // :
	tMinus       // -
	tString      // "..."
	tWord        // [A-Za-z0-9_]+
	tOp          // a run of = ! < > ~
	tKey         // an attribute key, produced by parser.scanKey
	tOther       // any other single rune
)

// token is a lexical token. off and end are byte offsets into the source.
type token struct {
	kind kind
	off  int
	end  int
	text string // raw source text
	val  string // decoded value of a string literal or key
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

func isOpByte(c byte) bool { return c == '=' || c == '!' || c == '<' || c == '>' || c == '~' }

// isKeyByte reports whether c may appear in an unquoted attribute key.
func isKeyByte(c byte) bool { return isWordByte(c) || c == '-' }

// isKeyDelim reports whether c ends a run of unquoted key characters. Other
// characters (such as '.', '/', ':' or non-ASCII letters) are taken as part of
// the key so that the error can say the key must be quoted.
func isKeyDelim(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\r', '(', ')', ',', '=', '!', '<', '>', '~', '"', '\'', '&', '|':
		return true
	}
	return false
}

// skipSpace returns the offset of the first non-whitespace byte at or after pos.
func skipSpace(src string, pos int) int { return scanWhile(src, pos, isSpace) }

// scanWhile returns the offset of the first byte at or after pos that is
// not in, or len(src).
func scanWhile(src string, pos int, in func(byte) bool) int {
	for pos < len(src) && in(src[pos]) {
		pos++
	}
	return pos
}

// punctuation maps the one-byte tokens to their kinds.
var punctuation = map[byte]kind{
	'(': tLParen, ')': tRParen, ',': tComma, '.': tDot, ':': tColon, '-': tMinus,
}

// lex returns the token starting at or after pos (after skipping whitespace).
func lex(src string, pos int) (token, *Error) {
	pos = skipSpace(src, pos)
	if pos >= len(src) {
		return token{kind: tEOF, off: len(src), end: len(src)}, nil
	}
	c := src[pos]
	if k, ok := punctuation[c]; ok {
		return token{kind: k, off: pos, end: pos + 1, text: src[pos : pos+1]}, nil
	}
	switch {
	case c == '"':
		return lexString(src, pos)
	case isWordByte(c):
		end := scanWhile(src, pos+1, isWordByte)
		return token{kind: tWord, off: pos, end: end, text: src[pos:end]}, nil
	case isOpByte(c):
		end := scanWhile(src, pos+1, isOpByte)
		return token{kind: tOp, off: pos, end: end, text: src[pos:end]}, nil
	}
	_, size := utf8.DecodeRuneInString(src[pos:])
	return token{kind: tOther, off: pos, end: pos + size, text: src[pos : pos+size]}, nil
}

// lexString scans the double-quoted string literal starting at src[start]
// and decodes its escape sequences.
func lexString(src string, start int) (token, *Error) {
	var b strings.Builder
	escaped := false
	pos, lit := start+1, start+1 // lit: start of the pending run of raw bytes
	for pos < len(src) {
		switch src[pos] {
		case '"':
			val := src[lit:pos]
			if escaped {
				b.WriteString(val)
				val = b.String()
			}
			return token{kind: tString, off: start, end: pos + 1, text: src[start : pos+1], val: val}, nil
		case '\\':
			escaped = true
			b.WriteString(src[lit:pos])
			n, err := decodeEscape(src, start, pos, &b)
			if err != nil {
				return token{}, err
			}
			pos += n
			lit = pos
		default:
			pos++
		}
	}
	return token{}, unterminated(src, start)
}

func unterminated(src string, start int) *Error {
	return newError(src, start, `unterminated string literal: missing closing '"'`)
}

func hexVal(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// digits decodes exactly n digits of the given base (8 or 16) at src[from:].
func digits(src string, from, n int, base uint32) (uint32, bool) {
	if from+n > len(src) {
		return 0, false
	}
	var v uint32
	for i := from; i < from+n; i++ {
		d, ok := hexVal(src[i])
		if !ok || uint32(d) >= base {
			return 0, false
		}
		v = v*base + uint32(d)
	}
	return v, true
}

// simpleEscapes maps the character after a backslash to the byte it
// stands for, for the two-character escapes.
var simpleEscapes = map[byte]byte{
	'\\': '\\', '"': '"', '\'': '\'',
	'a': '\a', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t', 'v': '\v',
}

// decodeEscape decodes the escape sequence whose backslash is at src[pos],
// inside the literal that starts at src[start]. It appends the value to b
// and returns the length of the sequence in bytes.
func decodeEscape(src string, start, pos int, b *strings.Builder) (int, *Error) {
	if pos+1 >= len(src) {
		return 0, unterminated(src, start) // a lone backslash at the very end
	}
	c := src[pos+1]
	if e, ok := simpleEscapes[c]; ok {
		b.WriteByte(e)
		return 2, nil
	}
	switch c {
	case 'x':
		v, ok := digits(src, pos+2, 2, 16)
		if !ok {
			return 0, newError(src, pos, `invalid escape: \x must be followed by exactly 2 hex digits`)
		}
		b.WriteByte(byte(v))
		return 4, nil
	case 'u', 'U':
		n := 4
		if c == 'U' {
			n = 8
		}
		v, ok := digits(src, pos+2, n, 16)
		if !ok {
			return 0, newError(src, pos, `invalid escape: \%c must be followed by exactly %d hex digits`, c, n)
		}
		if v > utf8.MaxRune || v >= 0xD800 && v <= 0xDFFF {
			return 0, newError(src, pos, `invalid escape: %s is not a valid Unicode code point`, src[pos:pos+2+n])
		}
		b.WriteRune(rune(v))
		return 2 + n, nil
	case '0', '1', '2', '3', '4', '5', '6', '7':
		v, ok := digits(src, pos+1, 3, 8)
		if !ok {
			return 0, newError(src, pos, `invalid escape: an octal escape must have exactly 3 octal digits (\NNN)`)
		}
		if v > 0xFF {
			return 0, newError(src, pos, `invalid escape: octal escape %s is greater than \377`, src[pos:pos+4])
		}
		b.WriteByte(byte(v))
		return 4, nil
	}
	_, size := utf8.DecodeRuneInString(src[pos+1:])
	return 0, newError(src, pos, `unknown escape sequence \%s: allowed escapes are \\ \" \' \a \b \f \n \r \t \v \xHH \NNN \uXXXX \UXXXXXXXX`, src[pos+1:pos+1+size])
}
