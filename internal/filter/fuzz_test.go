package filter

import (
	"errors"
	"reflect"
	"testing"
	"unicode/utf8"
)

func FuzzParse(f *testing.F) {
	for _, tc := range validCases {
		f.Add(tc.src)
	}
	for _, tc := range invalidCases {
		f.Add(tc.src)
	}
	f.Add("")
	f.Fuzz(func(t *testing.T, src string) {
		e, err := Parse(src)
		if err != nil {
			var fe *Error
			if !errors.As(err, &fe) {
				t.Fatalf("Parse(%q): error %T is not *Error", src, err)
			}
			if e != nil {
				t.Fatalf("Parse(%q): non-nil Expr with error %v", src, err)
			}
			if n := utf8.RuneCountInString(src); fe.Column < 1 || fe.Column > n+1 {
				t.Fatalf("Parse(%q): column %d outside [1, %d]", src, fe.Column, n+1)
			}
			if fe.Offset < 0 || fe.Offset > len(src) {
				t.Fatalf("Parse(%q): offset %d outside [0, %d]", src, fe.Offset, len(src))
			}
			if fe.Msg == "" {
				t.Fatalf("Parse(%q): empty message", src)
			}
			return
		}
		if e == nil {
			if src != "" {
				t.Fatalf("Parse(%q) = nil, nil for a non-empty filter", src)
			}
			return
		}
		if len(src) > MaxLength {
			t.Fatalf("Parse accepted %d bytes", len(src))
		}
		out := e.String()
		e2, err := Parse(out)
		if err != nil {
			t.Fatalf("Parse(%q) ok, but Parse(String() = %q) failed: %v", src, out, err)
		}
		if !reflect.DeepEqual(e, e2) {
			t.Fatalf("round trip of %q via %q changed the tree:\n  %#v\n  %#v", src, out, e, e2)
		}
		if out2 := e2.String(); out2 != out {
			t.Fatalf("String not idempotent for %q: %q then %q", src, out, out2)
		}
	})
}
