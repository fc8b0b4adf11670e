package model

import (
	"errors"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"

	"github.com/pubsubctl/pubsubctl/internal/filter"
)

// filter validates the subscription filter with the filter package, which
// implements Pub/Sub's filter grammar (pstest's own check is lax).
func (v *validator) filter(s *Subscription) {
	if s.Filter == "" {
		return
	}
	_, err := filter.Parse(s.Filter)
	if err == nil {
		return
	}
	r := s.Meta.Range(SubFilter.Name)
	msg := err.Error()
	var fe *filter.Error
	if errors.As(err, &fe) {
		msg = fe.Msg
		if s.Meta.HasRange(SubFilter.Name) {
			r = filterErrorRange(r, s.Filter, fe.Offset)
		}
	}
	v.fieldErrorAt(s, SubFilter.Name, r, "Invalid subscription filter", "%s", msg)
}

// filterErrorRange narrows expr, the range of the HCL expression that set a
// filter, to the character at byte offset off of the filter value src. It
// can only do so when the expression is a one-line quoted string written
// with HCL's usual escapes (\" \\ \n \r \t, $${ and %%{), which it checks by
// comparing the expression's length with the length of src so escaped;
// otherwise (a heredoc, an interpolation, \u escapes) it returns expr.
func filterErrorRange(expr hcl.Range, src string, off int) hcl.Range {
	if expr.Start.Line != expr.End.Line {
		return expr
	}
	total := 2 // the quotes
	// width returns the source width of the rune starting at byte i of src.
	width := func(i int) (bytes, cols int) {
		r, size := utf8.DecodeRuneInString(src[i:])
		switch r {
		case '"', '\\', '\n', '\r', '\t':
			return 2, 2
		case '$', '%':
			if i+1 < len(src) && src[i+1] == '{' {
				return 2, 2
			}
		}
		return size, 1
	}
	for i := 0; i < len(src); {
		_, size := utf8.DecodeRuneInString(src[i:])
		b, _ := width(i)
		total += b
		i += size
	}
	if expr.End.Byte-expr.Start.Byte != total {
		return expr
	}
	off = max(0, min(off, len(src)))
	pos := hcl.Pos{Line: expr.Start.Line, Column: expr.Start.Column + 1, Byte: expr.Start.Byte + 1}
	for i := 0; i < off; {
		_, size := utf8.DecodeRuneInString(src[i:])
		b, c := width(i)
		pos.Byte += b
		pos.Column += c
		i += size
	}
	end := pos
	if off < len(src) {
		b, c := width(off)
		end.Byte += b
		end.Column += c
	} else {
		// The error is at the end of the filter: point at the closing quote.
		end.Byte++
		end.Column++
	}
	return hcl.Range{Filename: expr.Filename, Start: pos, End: end}
}
