package filter

import (
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// randString returns a short string mixing bare-key characters, characters
// that need quoting or escaping, multi-byte runes and invalid UTF-8.
func randString(r *rand.Rand, allowEmpty bool) string {
	pieces := []string{"a", "Z", "0", "_", "-", ".", "/", " ", `"`, `\`, "'", "\n", "\t", "\x00", "\x7f", "é", "日", "😀", "\u2028", "\xff", "\xe6\x97", "AND", "(", ")", ","}
	n := r.IntN(5)
	if !allowEmpty && n == 0 {
		n = 1
	}
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteString(pieces[r.IntN(len(pieces))])
	}
	return b.String()
}

func randExpr(r *rand.Rand, depth int) Expr {
	k := r.IntN(7)
	if depth <= 0 {
		k = r.IntN(3)
	}
	switch k {
	case 0:
		return &HasAttr{Key: randString(r, false)}
	case 1:
		op := "="
		if r.IntN(2) == 0 {
			op = "!="
		}
		return &Compare{Key: randString(r, false), Op: op, Value: randString(r, true)}
	case 2:
		return &HasPrefix{Key: randString(r, false), Prefix: randString(r, true)}
	case 3, 4:
		return &Not{X: randExpr(r, depth-1)}
	}
	terms := make([]Expr, 2+r.IntN(2))
	for i := range terms {
		// AND directly inside AND (and OR inside OR) is allowed: it comes
		// from explicit parentheses.
		terms[i] = randExpr(r, depth-1)
	}
	if k == 5 {
		return &And{Terms: terms}
	}
	return &Or{Terms: terms}
}

// TestRandomTrees checks that both the canonical and the compact rendering
// of arbitrary trees parse back to the same tree.
func TestRandomTrees(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	checked := 0
	for i := 0; i < 20000; i++ {
		e := randExpr(r, 3)
		for _, compact := range []bool{false, true} {
			var b strings.Builder
			write(&b, e, compact)
			src := b.String()
			if len(src) > MaxLength {
				continue
			}
			checked++
			got, err := Parse(src)
			if err != nil {
				t.Fatalf("Parse(%q) (compact=%v): %v", src, compact, err)
			}
			if !reflect.DeepEqual(got, e) {
				t.Fatalf("Parse(%q) (compact=%v) = %#v, want %#v", src, compact, got, e)
			}
		}
	}
	if checked < 10000 {
		t.Fatalf("only %d renderings were short enough to check", checked)
	}
}
