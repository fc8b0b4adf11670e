package filter

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// MaxLength is the maximum length of a filter, in bytes of its source text.
const MaxLength = 256

// Error is the only error type returned by [Parse].
type Error struct {
	Offset int    // 0-based byte offset in the source where the problem starts
	Column int    // 1-based column, counted in runes, in the source
	Msg    string // the rule that was broken, human readable
}

// Error implements the error interface as "column N: Msg".
func (e *Error) Error() string { return fmt.Sprintf("column %d: %s", e.Column, e.Msg) }

// newError builds an *Error for src at byte offset off.
func newError(src string, off int, format string, args ...any) *Error {
	off = max(0, min(off, len(src)))
	return &Error{
		Offset: off,
		Column: utf8.RuneCountInString(src[:off]) + 1,
		Msg:    fmt.Sprintf(format, args...),
	}
}

// Parse parses and validates a subscription filter expression. An empty
// string is valid and returns (nil, nil), meaning "no filter". Any error
// returned is an *Error.
func Parse(src string) (Expr, error) {
	if src == "" {
		return nil, nil
	}
	if len(src) > MaxLength {
		off := MaxLength
		for off > 0 && !utf8.RuneStart(src[off]) {
			off--
		}
		return nil, newError(src, off, "filter is %d bytes long; the maximum is %d bytes", len(src), MaxLength)
	}
	if !utf8.ValidString(src) {
		off := 0
		for off < len(src) {
			r, size := utf8.DecodeRuneInString(src[off:])
			if r == utf8.RuneError && size == 1 {
				break
			}
			off += size
		}
		return nil, newError(src, off, "filter is not valid UTF-8")
	}
	if strings.TrimLeft(src, " \t\r\n") == "" {
		return nil, newError(src, 0, "filter contains only whitespace; use an empty filter for no filter")
	}
	p := &parser{src: src}
	return p.parse()
}
