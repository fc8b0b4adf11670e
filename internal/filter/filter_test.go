package filter

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// Shorthands for building expected trees.
func has(k string) Expr       { return &HasAttr{Key: k} }
func eq(k, v string) Expr     { return &Compare{Key: k, Op: "=", Value: v} }
func ne(k, v string) Expr     { return &Compare{Key: k, Op: "!=", Value: v} }
func prefix(k, p string) Expr { return &HasPrefix{Key: k, Prefix: p} }
func not(x Expr) Expr         { return &Not{X: x} }
func and(terms ...Expr) Expr  { return &And{Terms: terms} }
func or(terms ...Expr) Expr   { return &Or{Terms: terms} }
func nestNot(n int, x Expr) Expr { // n NOTs around x
	for i := 0; i < n; i++ {
		x = not(x)
	}
	return x
}

type validCase struct {
	name string
	src  string
	want Expr
}

// validCases holds the 18 valid examples of Pub/Sub's published filter
// grammar (cases facts-vN, as the grammar in doc.go states it) followed by
// our own.
var validCases = []validCase{
	{"facts-v1", `attributes:env`, has("env")},
	{"facts-v2", `NOT attributes:env`, not(has("env"))},
	{"facts-v3", `-attributes:env`, not(has("env"))},
	{"facts-v4", `attributes.env = "prod"`, eq("env", "prod")},
	{"facts-v5", `attributes.env != "prod"`, ne("env", "prod")},
	{"facts-v6", `hasPrefix(attributes.region, "us-")`, prefix("region", "us-")},
	{"facts-v7", `NOT hasPrefix(attributes.region, "eu-")`, not(prefix("region", "eu-"))},
	{"facts-v8", `attributes.env = "prod" AND attributes:tenant`, and(eq("env", "prod"), has("tenant"))},
	{"facts-v9", `attributes.env = "prod" OR attributes.env = "staging" OR attributes.env = "qa"`,
		or(eq("env", "prod"), eq("env", "staging"), eq("env", "qa"))},
	{"facts-v10", `attributes:tenant AND (attributes.env = "prod" OR attributes.env = "staging")`,
		and(has("tenant"), or(eq("env", "prod"), eq("env", "staging")))},
	{"facts-v11", `(attributes.a = "1" AND attributes.b = "2") OR (attributes.a = "3" AND attributes.b = "4")`,
		or(and(eq("a", "1"), eq("b", "2")), and(eq("a", "3"), eq("b", "4")))},
	{"facts-v12", `attributes."iana.org/language_tag" = "en"`, eq("iana.org/language_tag", "en")},
	{"facts-v13", `attributes:"iana.org/language_tag"`, has("iana.org/language_tag")},
	{"facts-v14", `attributes:"\u307F\u3093\u306A"`, has("みんな")},
	{"facts-v15", `attributes.my-key = "x"`, eq("my-key", "x")},
	{"facts-v16", `attributes.path = "a\\b \"q\""`, eq("path", `a\b "q"`)},
	{"facts-v17", `attributes.env = "prod" AND -attributes:"iana.org/language_tag"`,
		and(eq("env", "prod"), not(has("iana.org/language_tag")))},
	{"facts-v18", `NOT (attributes:a OR attributes:b)`, not(or(has("a"), has("b")))},

	// Our own.
	{"nested-not", `NOT NOT attributes:a`, not(not(has("a")))},
	{"double-minus", `--attributes:a`, not(not(has("a")))},
	{"mixed-negations", `NOT -NOT attributes:a`, nestNot(3, has("a"))},
	{"minus-space-group", `- (attributes:a OR attributes:b)`, not(or(has("a"), has("b")))},
	{"not-no-space-group", `NOT(attributes:a)`, not(has("a"))},
	{"not-binds-tighter-than-and", `NOT attributes:a AND -attributes:b`, and(not(has("a")), not(has("b")))},
	{"deep-nesting", `((((((((attributes:a))))))))`, has("a")},
	{"deep-nesting-mixed", `attributes:a OR (attributes:b AND (attributes:c OR NOT (attributes:d AND attributes:e)))`,
		or(has("a"), and(has("b"), or(has("c"), not(and(has("d"), has("e"))))))},
	{"explicit-nested-and", `(attributes:a AND attributes:b) AND attributes:c`, and(and(has("a"), has("b")), has("c"))},
	{"all-escapes", `attributes.k = "\\\"\'\a\b\f\n\r\t\v"`, eq("k", "\\\"'\a\b\f\n\r\t\v")},
	{"numeric-escapes", `attributes.k = "\x41\101\u00e9\U0001F600\x00"`, eq("k", "AAé😀\x00")},
	{"hex-escape-non-utf8", `attributes.k = "\xff\377"`, eq("k", "\xff\xff")},
	{"unicode-key-and-value", `attributes."日本語" = "値"`, eq("日本語", "値")},
	{"quoted-key-with-space", `attributes:"with space"`, has("with space")},
	{"quoted-bare-key", `attributes:"env"`, has("env")},
	{"quoted-key-escape", `attributes."a\"b" != "c"`, ne(`a"b`, "c")},
	{"key-charset", `attributes:_-09AZaz`, has("_-09AZaz")},
	{"key-leading-dash", `attributes:-x`, has("-x")},
	{"keyword-as-key", `attributes:AND OR attributes:NOT`, or(has("AND"), has("NOT"))},
	{"whitespace", "\tattributes.a\n=\r\n\"x\"  AND\tattributes:b ", and(eq("a", "x"), has("b"))},
	{"whitespace-around-dot-colon", `attributes . a = "x" AND attributes : b`, and(eq("a", "x"), has("b"))},
	{"no-whitespace", `attributes.a="x"AND(attributes:b)`, and(eq("a", "x"), has("b"))},
	{"no-space-ne", `attributes.a!="x"`, ne("a", "x")},
	{"empty-value", `attributes.a = ""`, eq("a", "")},
	{"hasPrefix-spaces-empty-prefix", `hasPrefix ( attributes . a , "" )`, prefix("a", "")},
	{"hasPrefix-quoted-key", `hasPrefix(attributes."a/b", "x\ty")`, prefix("a/b", "x\ty")},
	{"raw-newline-in-literal", "attributes.a = \"x\ny\"", eq("a", "x\ny")},
	{"string-with-operators", `attributes.a = "x AND (y OR z)"`, eq("a", "x AND (y OR z)")},
	{"max-length", `attributes.k = "` + strings.Repeat("x", MaxLength-17) + `"`, eq("k", strings.Repeat("x", MaxLength-17))},
}

type invalidCase struct {
	name string
	src  string
	col  int
	msg  string // substring of the message
}

// invalidCases holds the 18 invalid examples of Pub/Sub's published filter
// grammar (cases facts-iN) followed by our own.
var invalidCases = []invalidCase{
	{"facts-i1", `attributes.env = "prod" AND attributes.tier = "1" OR attributes:debug`, 51, "AND and OR cannot be mixed without parentheses"},
	{"facts-i2", `"prod" = attributes.env`, 1, "left side of a comparison must be attributes.KEY"},
	{"facts-i3", `attributes.env = attributes.stage`, 18, "cannot compare two keys"},
	{"facts-i4", `attributes.env = prod`, 18, "must be a string literal"},
	{"facts-i5", `attributes:env and attributes:tier`, 16, "use AND instead of and"},
	{"facts-i6", `hasSuffix(attributes.env, "od")`, 1, `unknown function "hasSuffix": only hasPrefix is supported`},
	{"facts-i7", `attributes.env > "a"`, 16, `unsupported operator ">"`},
	{"facts-i8", `attributes.region = "us" AND ("east" OR "west")`, 31, "must be a complete condition"},
	{"facts-i9", `attributes:iana.org/lang`, 12, "must be quoted"},
	{"facts-i10", `attributes:\u307F`, 12, "escape sequences are only allowed inside string literals"},
	{"facts-i11", `data = "x"`, 1, "only attributes can be filtered"},
	{"facts-i12", `attributes.k = "` + strings.Repeat("x", 260) + `"`, 257, "maximum is 256 bytes"},
	{"facts-i13", `hasPrefix(attributes.env)`, 25, "hasPrefix takes 2 arguments, got 1"},
	{"facts-i14", `hasPrefix("pr", attributes.env)`, 11, "wrong order"},
	{"facts-i15", `attributes.env = "prod" AND`, 25, "dangling operator AND"},
	{"facts-i16", `(attributes:env`, 1, "unbalanced parentheses: '(' is never closed"},
	{"facts-i17", `attributes.env = "unterminated`, 18, "unterminated string literal"},
	{"facts-i18", `foo`, 1, `bare identifier "foo"`},

	// Our own.
	{"whitespace-only", " \t\n", 1, "only whitespace"},
	{"empty-parens", `()`, 1, "empty parentheses"},
	{"empty-parens-after-and", `attributes:a AND ( )`, 18, "empty parentheses"},
	{"dot-nothing", `attributes.`, 12, "expected an attribute key after attributes."},
	{"colon-nothing", `attributes: `, 13, "expected an attribute key after attributes:"},
	{"dot-then-op", `attributes. = "x"`, 13, "expected an attribute key"},
	{"bare-attributes", `attributes = "x"`, 12, "expected '.' or ':' after attributes"},
	{"attributes-eof", `attributes`, 11, "expected '.' or ':' after attributes"},
	{"key-without-op", `attributes.a`, 13, "expected = or != after attributes.a"},
	{"key-without-op-and", `attributes.a AND attributes:b`, 14, "use attributes:a to test"},
	{"unmatched-close", `attributes:a )`, 14, "')' has no matching '('"},
	{"trailing-garbage", `attributes:a garbage`, 14, `expected AND, OR or end of filter after a complete condition, found "garbage"`},
	{"trailing-garbage-in-parens", `(attributes:a garbage)`, 15, `expected AND, OR or ')'`},
	{"juxtaposed-conditions", `attributes:a attributes:b`, 14, "expected AND, OR"},
	{"trailing-string", `attributes.a = "x" "y"`, 20, "found string literal"},
	{"comparison-on-existence", `attributes:a = "x"`, 14, "attributes:KEY only tests that the attribute exists"},
	{"dangling-not", `NOT`, 1, "dangling operator NOT"},
	{"dangling-minus", `attributes:a AND -`, 18, "dangling operator -"},
	{"dangling-not-in-parens", `(NOT)`, 2, "dangling operator NOT"},
	{"dangling-or-in-parens", `(attributes:a OR)`, 15, "dangling operator OR"},
	{"leading-and", `AND attributes:a`, 1, "found operator AND"},
	{"double-and", `attributes:a AND AND attributes:b`, 18, "found operator AND"},
	{"mixed-or-then-and", `attributes:a OR attributes:b AND attributes:c`, 30, "AND and OR cannot be mixed"},
	{"mixed-in-parens", `attributes:x AND (attributes:a OR attributes:b AND attributes:c)`, 48, "AND and OR cannot be mixed"},
	{"unclosed-inner-paren", `attributes.a = "x" AND (attributes:b`, 24, "'(' is never closed"},
	{"unknown-escape", `attributes.a = "\q"`, 17, `unknown escape sequence \q`},
	{"short-hex-escape", `attributes.a = "ab\x4"`, 19, `\x must be followed by exactly 2 hex digits`},
	{"short-octal-escape", `attributes.a = "\12"`, 17, "exactly 3 octal digits"},
	{"octal-too-big", `attributes.a = "\400"`, 17, `greater than \377`},
	{"surrogate-escape", `attributes.a = "\uD800"`, 17, "not a valid Unicode code point"},
	{"big-U-escape", `attributes.a = "\U00110000"`, 17, "not a valid Unicode code point"},
	{"short-u-escape", `attributes.a = "\u12"`, 17, `\u must be followed by exactly 4 hex digits`},
	{"trailing-backslash", `attributes.a = "x\`, 16, "unterminated string literal"},
	{"escaped-closing-quote", `attributes.a = "x\"`, 16, "unterminated string literal"},
	{"single-quotes", `attributes.a = 'x'`, 16, "double quotes"},
	{"single-quoted-key", `attributes:'x'`, 12, "double quotes"},
	{"escape-outside-literal", `attributes.a = \"x\"`, 16, "escape sequences are only allowed inside string literals"},
	{"escape-inside-key", `attributes:ab\x41`, 14, "escape sequences are only allowed inside string literals"},
	{"ampersands", `attributes:a && attributes:b`, 14, "use AND instead of &"},
	{"pipes", `attributes:a || attributes:b`, 14, "use OR instead of |"},
	{"bang-negation", `!attributes:a`, 1, "use NOT or - to negate"},
	{"empty-quoted-key", `attributes."" = "x"`, 12, "key must not be empty"},
	{"wrong-case-function", `hasprefix(attributes.a, "x")`, 1, "did you mean hasPrefix?"},
	{"hasPrefix-three-args", `hasPrefix(attributes.a, "x", "y")`, 28, "exactly 2 arguments"},
	{"hasPrefix-no-args", `hasPrefix()`, 11, "got none"},
	{"hasPrefix-key-as-prefix", `hasPrefix(attributes.a, attributes.b)`, 25, "must be a string literal, not a key"},
	{"hasPrefix-existence-arg", `hasPrefix(attributes:a, "x")`, 21, "not attributes:KEY"},
	{"hasPrefix-no-paren", `hasPrefix attributes.a`, 11, "expected '(' after hasPrefix"},
	{"hasPrefix-unclosed", `hasPrefix(attributes.a, "x"`, 10, "hasPrefix( is never closed"},
	{"hasPrefix-missing-prefix", `hasPrefix(attributes.a, )`, 25, "missing its prefix"},
	{"hasPrefix-bare-prefix", `hasPrefix(attributes.a, us)`, 25, "must be a string literal"},
	{"double-equals", `attributes.a == "x"`, 14, `unsupported operator "=="`},
	{"regex-operator", `attributes.a =~ "x.*"`, 14, `unsupported operator "=~"`},
	{"colon-in-key", `attributes.a:"x"`, 12, `key "a:" contains ':'`},
	{"colon-after-quoted-key", `attributes."a":"x"`, 15, "unsupported operator ':'"},
	{"glued-operator", `attributes.a="x"ANDattributes:b`, 17, `found "ANDattributes"`},
	{"number-value", `attributes.a = 1`, 16, `write "1"`},
	{"upper-attributes", `Attributes.a = "x"`, 1, "lower case"},
	{"lower-not", `not attributes:a`, 1, "use NOT instead of not"},
	{"lower-or", `attributes.a = "x" or attributes.b = "y"`, 20, "use OR instead of or"},
	{"unicode-key-unquoted", `attributes:日本`, 12, `contains '日': a key with characters other than`},
	{"slash-key", `attributes.a/b = "x"`, 12, `attributes."a/b"`},
	{"rune-column", `attributes."日本" = 'x'`, 19, "double quotes"},
	{"rune-column-after-newline", "attributes:\"é\"\nAND attributes:b x", 33, `found "x"`},
	{"invalid-utf8", "attributes:a\xff", 13, "not valid UTF-8"},
	{"too-long-multibyte", strings.Repeat("-", 253) + "😀😀", 254, "maximum is 256 bytes"},
	{"other-char", `attributes:a AND *`, 18, "expected a condition, found '*'"},
	{"missing-left-side", `= "x"`, 1, "missing left side of ="},
	{"number-condition", `42`, 1, `unexpected "42"`},
}

func TestParseValid(t *testing.T) {
	for _, tc := range validCases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Parse(tc.src)
			if err != nil {
				t.Fatalf("Parse(%q): unexpected error: %v", tc.src, err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("Parse(%q)\n got %s (%#v)\nwant %s (%#v)", tc.src, got, got, tc.want, tc.want)
			}
		})
	}
}

func TestParseInvalid(t *testing.T) {
	for _, tc := range invalidCases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Parse(tc.src)
			if err == nil {
				t.Fatalf("Parse(%q) = %s, want an error", tc.src, got)
			}
			if got != nil {
				t.Errorf("Parse(%q) returned a non-nil Expr with an error", tc.src)
			}
			var fe *Error
			if !errors.As(err, &fe) {
				t.Fatalf("Parse(%q) error %T is not *Error", tc.src, err)
			}
			if fe.Column != tc.col {
				t.Errorf("Parse(%q): column %d, want %d (%v)", tc.src, fe.Column, tc.col, err)
			}
			if want := utf8.RuneCountInString(tc.src[:fe.Offset]) + 1; fe.Column != want {
				t.Errorf("Parse(%q): offset %d does not match column %d", tc.src, fe.Offset, fe.Column)
			}
			if !strings.Contains(fe.Msg, tc.msg) {
				t.Errorf("Parse(%q): message %q does not contain %q", tc.src, fe.Msg, tc.msg)
			}
			if want := "column " + itoa(fe.Column) + ": " + fe.Msg; err.Error() != want {
				t.Errorf("Error() = %q, want %q", err.Error(), want)
			}
		})
	}
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}

func TestParseEmpty(t *testing.T) {
	e, err := Parse("")
	if e != nil || err != nil {
		t.Fatalf(`Parse("") = %v, %v; want nil, nil`, e, err)
	}
}

func TestCaseCounts(t *testing.T) {
	count := func(prefix string, names []string) (facts, own int) {
		for _, n := range names {
			if strings.HasPrefix(n, prefix) {
				facts++
			} else {
				own++
			}
		}
		return
	}
	var vn, in []string
	for _, c := range validCases {
		vn = append(vn, c.name)
	}
	for _, c := range invalidCases {
		in = append(in, c.name)
	}
	vf, vo := count("facts-v", vn)
	inf, io := count("facts-i", in)
	if vf != 18 || inf != 18 || vo+io < 20 {
		t.Fatalf("want 18 valid and 18 invalid facts examples and >= 20 own cases; got %d, %d, %d", vf, inf, vo+io)
	}
}

// roundTrip checks that e.String() parses back to an equal tree and that
// String is idempotent.
func roundTrip(t testing.TB, src string, e Expr) {
	t.Helper()
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
}

func TestRoundTrip(t *testing.T) {
	for _, tc := range validCases {
		t.Run(tc.name, func(t *testing.T) {
			e, err := Parse(tc.src)
			if err != nil {
				t.Fatal(err)
			}
			roundTrip(t, tc.src, e)
		})
	}
}

func TestCanonicalString(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{`-attributes:env`, `NOT attributes:env`},
		{`attributes:"env"`, `attributes:env`},
		{`attributes.a="x"AND(attributes:b)`, `attributes.a = "x" AND attributes:b`},
		{`((attributes:a OR attributes:b)) AND -(attributes:c AND attributes:d)`, `(attributes:a OR attributes:b) AND NOT (attributes:c AND attributes:d)`},
		{`attributes."iana.org/language_tag" = "\x41\n"`, `attributes."iana.org/language_tag" = "A\n"`},
		{`hasPrefix( attributes.a ,"\u00e9" )`, `hasPrefix(attributes.a, "é")`},
		{`attributes:"\u307F\u3093\u306A"`, `attributes:"みんな"`},
		{"attributes.a = \"\\xff\x01\"", `attributes.a = "\xff\x01"`},
	} {
		e, err := Parse(tc.src)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tc.src, err)
		}
		if got := e.String(); got != tc.want {
			t.Errorf("Parse(%q).String() = %q, want %q", tc.src, got, tc.want)
		}
	}
}

// TestCompactFallback covers sources that are valid but whose canonical form
// exceeds MaxLength: String must fall back to the compact form.
func TestCompactFallback(t *testing.T) {
	srcs := []string{
		strings.Repeat("-", 200) + "attributes:a",
		"attributes.a=\"" + strings.Repeat("\t", 200) + "\"",
		strings.TrimSuffix(strings.Repeat(`attributes.a="x"AND `, 13), "AND "),
		strings.TrimSuffix(strings.Repeat(`-(attributes:a OR attributes:"b")AND`, 7), "AND"),
	}
	for _, src := range srcs {
		e, err := Parse(src)
		if err != nil {
			t.Fatalf("Parse(%q): %v", src, err)
		}
		var canon strings.Builder
		write(&canon, e, false)
		if canon.Len() <= MaxLength {
			t.Fatalf("test source %q does not exercise the fallback", src)
		}
		out := e.String()
		if len(out) > len(src) {
			t.Errorf("compact String() is longer than the source:\n src %q\n out %q", src, out)
		}
		roundTrip(t, src, e)
	}
}

var benchSrcs = []string{
	`attributes:env`,
	`attributes.env = "prod" AND -attributes:"iana.org/language_tag"`,
	`(attributes.a = "1" AND attributes.b = "2") OR (attributes.a = "3" AND attributes.b = "4")`,
	`attributes:tenant AND (attributes.env = "prod" OR hasPrefix(attributes.region, "us-"))`,
	`attributes.path = "a\\b \"q\" \u307F\u3093\u306A"`,
}

func BenchmarkParse(b *testing.B) {
	var n int64
	for _, s := range benchSrcs {
		n += int64(len(s))
	}
	b.SetBytes(n)
	b.ReportAllocs()
	for b.Loop() {
		for _, s := range benchSrcs {
			if _, err := Parse(s); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func BenchmarkParseInvalid(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		for _, s := range []string{`attributes.env = "prod" AND attributes.tier = "1" OR attributes:debug`, `hasPrefix("pr", attributes.env)`} {
			if _, err := Parse(s); err == nil {
				b.Fatal("want error")
			}
		}
	}
}

func BenchmarkString(b *testing.B) {
	var es []Expr
	for _, s := range benchSrcs {
		e, err := Parse(s)
		if err != nil {
			b.Fatal(err)
		}
		es = append(es, e)
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, e := range es {
			_ = e.String()
		}
	}
}
