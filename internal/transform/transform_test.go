package transform

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func mustCompile(t *testing.T, fn, code string) *Program {
	t.Helper()
	p, err := Compile(UDF{FunctionName: fn, Code: code})
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	return p
}

func TestCompileErrors(t *testing.T) {
	for _, tc := range []struct {
		name, fn, code string
		line, col      int
		want           string
	}{
		{"syntax", "f", "function f(message) {\n  return message\n  }}\n", 3, 4, "Unexpected token"},
		{"missing function", "g", "function f(message) { return message }", 0, 0, `does not declare a function named "g"`},
		{"not a function", "f", "var f = 3", 0, 0, "does not declare"},
		{"empty name", "", "function f() {}", 0, 0, "function_name is empty"},
		{"too long", "f", "function f(m) { return m }\n//" + strings.Repeat("x", MaxCodeBytes), 0, 0, "at most"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Compile(UDF{FunctionName: tc.fn, Code: tc.code})
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("err = %v, want a *SyntaxError", err)
			}
			if se.Line != tc.line || (tc.col != 0 && se.Column != tc.col) || !strings.Contains(se.Message, tc.want) {
				t.Errorf("got %d:%d %q, want %d:%d containing %q", se.Line, se.Column, se.Message, tc.line, tc.col, tc.want)
			}
		})
	}
	for _, ok := range []string{
		"function f(m, md) { return m }",
		"var f = function(m) { return m }",
		"const f = (m) => m",
	} {
		if _, err := Compile(UDF{FunctionName: "f", Code: ok}); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
}

func TestRun(t *testing.T) {
	pub := time.Date(2024, 5, 6, 7, 8, 9, 123, time.UTC)
	in := Message{Data: []byte(`{"n":1,"card":"4111"}`), Attributes: map[string]string{"type": "placed"},
		MessageID: "42", OrderingKey: "k", PublishTime: pub}
	for _, tc := range []struct {
		name, code string
		want       *Message // nil: filtered
		fail       string
	}{
		{"identity", "function f(m) { return m }", &Message{Data: in.Data, Attributes: in.Attributes}, ""},
		{"rewrite", `function f(m, md) {
			const o = JSON.parse(m.data); delete o.card;
			m.attributes.seen = md.message_id + "|" + md.publish_time + "|" + md.ordering_key;
			return {data: JSON.stringify(o), attributes: m.attributes};
		}`, &Message{Data: []byte(`{"n":1}`), Attributes: map[string]string{"type": "placed", "seen": "42|2024-05-06T07:08:09Z|k"}}, ""},
		{"drop attributes", `function f(m) { return {data: m.data} }`, &Message{Data: in.Data}, ""},
		{"filter", `function f(m) { return m.attributes.type === "placed" ? null : m }`, nil, ""},
		{"throw", `function f(m) { throw new Error("bad order") }`, nil, "threw Error: bad order"},
		{"undefined", `function f(m) { }`, nil, "returned undefined"},
		{"number data", `function f(m) { return {data: 3} }`, nil, "not a string"},
		{"no data", `function f(m) { return {attributes: {}} }`, nil, "no data"},
		{"attr number", `function f(m) { return {data: "", attributes: {a: 1}} }`, nil, `attribute "a" is a number`},
		{"array", `function f(m) { return [m] }`, nil, "an array"},
		{"loop", `function f(m) { for (;;) {} }`, nil, "ran longer than"},
		{"allocate", `function f(m) { const a = []; for (;;) { a.push(new Array(100000).fill(m.data)) } }`, nil, "stopped"},
		{"recursion", `function f(m) { return f(m) }`, nil, "f failed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := mustCompile(t, "f", tc.code)
			lim := DefaultLimits
			lim.Timeout = 300 * time.Millisecond
			start := time.Now()
			out, err := p.Run(in, lim)
			if time.Since(start) > 5*time.Second {
				t.Errorf("took %s", time.Since(start))
			}
			if tc.fail != "" {
				var f *Failure
				if !errors.As(err, &f) || !strings.Contains(err.Error(), tc.fail) {
					t.Fatalf("err = %v, want a failure containing %q", err, tc.fail)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if (out == nil) != (tc.want == nil) {
				t.Fatalf("out = %+v, want %+v", out, tc.want)
			}
			if out == nil {
				return
			}
			if string(out.Data) != string(tc.want.Data) || len(out.Attributes) != len(tc.want.Attributes) {
				t.Fatalf("out = %q %v, want %q %v", out.Data, out.Attributes, tc.want.Data, tc.want.Attributes)
			}
			for k, v := range tc.want.Attributes {
				if out.Attributes[k] != v {
					t.Errorf("attribute %s = %q, want %q", k, out.Attributes[k], v)
				}
			}
			if out.MessageID != "42" || !out.PublishTime.Equal(pub) {
				t.Errorf("metadata not kept: %+v", out)
			}
		})
	}
}

func TestRunRejectsBinaryAndOversizedInput(t *testing.T) {
	p := mustCompile(t, "f", "function f(m) { return m }")
	if _, err := p.Run(Message{Data: []byte{0xff, 0xfe}}, DefaultLimits); err == nil || !strings.Contains(err.Error(), "UTF-8") {
		t.Errorf("binary data: %v", err)
	}
	lim := DefaultLimits
	lim.MaxData = 4
	if _, err := p.Run(Message{Data: []byte("12345")}, lim); err == nil || !strings.Contains(err.Error(), "more than") {
		t.Errorf("oversized: %v", err)
	}
}

func TestRunChain(t *testing.T) {
	up := mustCompile(t, "up", "function up(m) { return {data: m.data.toUpperCase(), attributes: m.attributes} }")
	tag := mustCompile(t, "tag", "function tag(m) { m.attributes.step = 'two'; return m }")
	drop := mustCompile(t, "drop", "function drop(m) { return m.data === 'SKIP' ? null : m }")
	steps := []Step{{Name: "a", Program: up}, {Name: "b", Program: tag, Disabled: true}, {Name: "c", Program: drop}, {Name: "d", Program: tag}}
	out, res, err := RunChain(steps, Message{Data: []byte("hello")}, DefaultLimits)
	if err != nil || out == nil || string(out.Data) != "HELLO" || out.Attributes["step"] != "two" || len(res) != 4 || !res[1].Skipped {
		t.Fatalf("out=%+v res=%+v err=%v", out, res, err)
	}
	out, res, err = RunChain(steps, Message{Data: []byte("skip")}, DefaultLimits)
	if err != nil || out != nil || len(res) != 3 || !res[2].Filtered {
		t.Fatalf("filter: out=%+v res=%+v err=%v", out, res, err)
	}
}

func TestZlibChain(t *testing.T) {
	up := mustCompile(t, "up", "function up(m) { return {data: m.data.toUpperCase()} }")
	steps := []Step{{Name: "up", Program: up}, {Name: "zip", Native: Zlib(true)}, {Name: "unzip", Native: Zlib(false)}}
	out, _, err := RunChain(steps, Message{Data: []byte("hello")}, DefaultLimits)
	if err != nil || string(out.Data) != "HELLO" {
		t.Fatalf("out=%v err=%v", out, err)
	}
	if _, _, err := RunChain(steps[2:], Message{Data: []byte("plain")}, DefaultLimits); err == nil || !strings.Contains(err.Error(), "not zlib") {
		t.Errorf("decompressing plain data: %v", err)
	}
	// A bomb: 1 MB of zeros compresses to about 1 KB; a 4 KB limit stops it.
	zipped, _ := Zlib(true)(Message{Data: make([]byte, 1<<20)}, DefaultLimits)
	lim := DefaultLimits
	lim.MaxData = 4096
	if _, err := Zlib(false)(*zipped, lim); err == nil || !strings.Contains(err.Error(), "more than 4096") {
		t.Errorf("bomb: %v", err)
	}
}
