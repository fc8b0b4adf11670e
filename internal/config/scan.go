package config

import (
	"fmt"

	"github.com/pubsubctl/pubsubctl/internal/safefile"

	"github.com/apparentlymart/go-textseg/v15/textseg"
	"github.com/hashicorp/hcl/v2"
)

// Source checks. The HCL parsers (native and JSON) recurse once per level
// of nesting and keep every token of a file in memory, so a text is
// checked against MaxNestingDepth, MaxOperatorChain and a token budget
// before a parser sees it. The check is a single non-recursive pass over
// the bytes that allocates only its bracket stack (at most
// MaxNestingDepth+2 entries); it follows HCL's strings, heredocs,
// comments and templates closely enough that it never counts less nesting
// than the parser will see (it may count a little more inside malformed
// text, which the parser rejects anyway).

// scanKind says which syntax a text is in.
type scanKind int

const (
	scanHCL  scanKind = iota // a native-syntax file (.hcl, var-file)
	scanExpr                 // a native-syntax expression (--var, environment)
	scanJSON                 // a JSON var-file
)

// scanFrame is one open bracket, string or template sequence.
type scanFrame struct {
	kind   byte // 'r' root, '(' '[' '{' brackets, 'i' ${...} or %{...}, '"' quoted string, 'h' heredoc
	ops    int  // operators in a row in the current expression (code frames)
	dirs   int  // open %{if}/%{for} directives (string frames)
	bol    bool // heredoc: at the beginning of a line
	marker []byte
}

type sourceScanner struct {
	src      []byte
	filename string
	start    hcl.Pos
	stack    []scanFrame
	dirs     int // open directives in all string frames
	tokens   int
	term     bool // the previous token ended a term (postfix [ is an index)
}

// scanSource checks src and returns the number of tokens it has (an upper
// estimate of what the HCL lexer produces) and, when a limit is exceeded,
// an error diagnostic pointing at the place. maxTokens is the token budget
// left for this text.
func scanSource(src []byte, filename string, start hcl.Pos, kind scanKind, maxTokens int) (int, *hcl.Diagnostic) {
	s := &sourceScanner{src: src, filename: filename, start: start}
	var d *hcl.Diagnostic
	if kind == scanJSON {
		d = s.json(maxTokens)
	} else {
		d = s.native(maxTokens)
	}
	return s.tokens, d
}

func (s *sourceScanner) top() *scanFrame { return &s.stack[len(s.stack)-1] }

// push opens a frame at offset i and checks the nesting depth.
func (s *sourceScanner) push(f scanFrame, i, width int) *hcl.Diagnostic {
	s.stack = append(s.stack, f)
	return s.checkDepth(i, width)
}

func (s *sourceScanner) checkDepth(i, width int) *hcl.Diagnostic {
	if len(s.stack)-1+s.dirs > MaxNestingDepth {
		return s.diag(i, width, "Nesting too deep",
			fmt.Sprintf("This opens level %d of nested brackets, braces, parentheses, string templates and template directives; at most %d levels are allowed. Move inner parts into locals.",
				len(s.stack)-1+s.dirs, MaxNestingDepth))
	}
	return nil
}

func (s *sourceScanner) pop() {
	if len(s.stack) <= 1 {
		return
	}
	s.dirs -= s.top().dirs
	s.stack = s.stack[:len(s.stack)-1]
}

// op counts an operator at offset i in the current expression.
func (s *sourceScanner) op(i, width int) *hcl.Diagnostic {
	s.tokens++
	s.term = false
	t := s.top()
	t.ops++
	if t.ops > MaxOperatorChain {
		return s.diag(i, width, "Expression too long",
			fmt.Sprintf("This expression has more than %s operators in a row; at most %s are allowed in one expression. Split it with locals.",
				safefile.FormatCount(MaxOperatorChain), safefile.FormatCount(MaxOperatorChain)))
	}
	return nil
}

func (s *sourceScanner) checkTokens(i, max int) *hcl.Diagnostic {
	if s.tokens > max {
		return s.diag(i, 1, "Too many tokens",
			fmt.Sprintf("This text has more than %s tokens (names, numbers, strings, operators and brackets); a configuration file may have at most %s, and all configuration and variable files together at most %s. Split the configuration, or use for_each instead of writing out many similar blocks.",
				safefile.FormatCount(int64(max)), safefile.FormatCount(MaxFileTokens), safefile.FormatCount(MaxConfigTokens)))
	}
	return nil
}

func isIdentStart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

func isIdentByte(c byte) bool {
	return isIdentStart(c) || c == '-' || c >= '0' && c <= '9'
}

func (s *sourceScanner) at(i int) byte {
	if i < len(s.src) {
		return s.src[i]
	}
	return 0
}

// native scans HCL native syntax.
func (s *sourceScanner) native(maxTokens int) *hcl.Diagnostic {
	src := s.src
	s.stack = append(make([]scanFrame, 0, 16), scanFrame{kind: 'r'})
	i := 0
	for i < len(src) {
		if s.tokens > maxTokens {
			return s.checkTokens(i, maxTokens)
		}
		t := s.top()
		switch t.kind {
		case '"':
			if d := s.quoted(&i); d != nil {
				return d
			}
			continue
		case 'h':
			if d := s.heredoc(&i); d != nil {
				return d
			}
			continue
		}
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\r':
			i++
		case c == '\n':
			s.tokens++
			if t.kind == 'r' || t.kind == '{' {
				t.ops = 0
			}
			s.term = false
			i++
		case c == '#' || c == '/' && s.at(i+1) == '/':
			for i < len(src) && src[i] != '\n' {
				i++
			}
			s.tokens++
		case c == '/' && s.at(i+1) == '*':
			i += 2
			for i < len(src) && !(src[i] == '*' && s.at(i+1) == '/') {
				i++
			}
			i += 2
			s.tokens++
		case c == '"':
			s.tokens += 2 // the quote and the literal after it
			s.term = false
			if d := s.push(scanFrame{kind: '"'}, i, 1); d != nil {
				return d
			}
			i++
		case c == '<' && s.at(i+1) == '<':
			if marker, next, ok := heredocStart(src, i); ok {
				s.tokens++
				s.term = false
				if d := s.push(scanFrame{kind: 'h', marker: marker, bol: true}, i, 2); d != nil {
					return d
				}
				i = next
				continue
			}
			if d := s.op(i, 2); d != nil {
				return d
			}
			i += 2
		case c == '(' || c == '{' || c == '[':
			if c == '[' && s.term {
				// A postfix index nests the expression before it.
				if d := s.op(i, 1); d != nil {
					return d
				}
			}
			s.tokens++
			s.term = false
			if d := s.push(scanFrame{kind: c}, i, 1); d != nil {
				return d
			}
			i++
		case c == ')' || c == ']' || c == '}':
			s.tokens++
			inInterp := t.kind == 'i'
			s.pop()
			s.term = !inInterp
			i++
		case c == ',':
			s.tokens++
			t.ops = 0
			s.term = false
			i++
		case c == '=':
			switch s.at(i + 1) {
			case '=':
				if d := s.op(i, 2); d != nil {
					return d
				}
				i += 2
			case '>':
				s.tokens++
				t.ops = 0
				s.term = false
				i += 2
			default:
				s.tokens++
				t.ops = 0
				s.term = false
				i++
			}
		case c == '!' || c == '<' || c == '>':
			w := 1
			if s.at(i+1) == '=' {
				w = 2
			}
			if d := s.op(i, w); d != nil {
				return d
			}
			i += w
		case c == '&' || c == '|':
			w := 1
			if s.at(i+1) == c {
				w = 2
			}
			if d := s.op(i, w); d != nil {
				return d
			}
			i += w
		case c == '+' || c == '-' || c == '*' || c == '/' || c == '%' || c == '?':
			if d := s.op(i, 1); d != nil {
				return d
			}
			i++
		case c >= '0' && c <= '9':
			for i < len(src) && (src[i] >= '0' && src[i] <= '9' || src[i] == '.') {
				i++
			}
			if i < len(src) && (src[i] == 'e' || src[i] == 'E') {
				i++
				if i < len(src) && (src[i] == '+' || src[i] == '-') {
					i++
				}
				for i < len(src) && src[i] >= '0' && src[i] <= '9' {
					i++
				}
			}
			s.tokens++
			s.term = true
		case isIdentStart(c):
			for i < len(src) && isIdentByte(src[i]) {
				i++
			}
			s.tokens++
			s.term = true
		case c == '.':
			// Attribute access and "..." keep the term going.
			s.tokens++
			i++
		default:
			s.tokens++
			s.term = false
			i++
		}
	}
	s.tokens++ // end of file
	if s.tokens > maxTokens {
		return s.checkTokens(len(src)-1, maxTokens)
	}
	return nil
}

// heredocStart recognizes <<ID or <<-ID followed by a newline at src[i:]
// and returns the marker and the offset after the newline.
func heredocStart(src []byte, i int) ([]byte, int, bool) {
	j := i + 2
	if j < len(src) && src[j] == '-' {
		j++
	}
	k := j
	if k >= len(src) || !isIdentStart(src[k]) {
		return nil, 0, false
	}
	for k < len(src) && isIdentByte(src[k]) {
		k++
	}
	marker := src[j:k]
	if k < len(src) && src[k] == '\r' {
		k++
	}
	if k >= len(src) || src[k] != '\n' {
		return nil, 0, false
	}
	return marker, k + 1, true
}

// template handles "${", "%{", "$${" and "%%{" at src[*i] inside a string
// or heredoc. It reports whether it consumed anything.
func (s *sourceScanner) template(i *int) (bool, *hcl.Diagnostic) {
	src, j := s.src, *i
	c := src[j]
	if c != '$' && c != '%' {
		return false, nil
	}
	if s.at(j+1) == c && s.at(j+2) == '{' {
		*i = j + 3 // escaped: $${ or %%{
		return true, nil
	}
	if s.at(j+1) != '{' {
		return false, nil
	}
	s.tokens += 2 // the opener, and the literal that follows the sequence
	s.term = false
	if c == '%' {
		k := j + 2
		if s.at(k) == '~' {
			k++
		}
		for s.at(k) == ' ' || s.at(k) == '\t' {
			k++
		}
		w := k
		for w < len(src) && src[w] >= 'a' && src[w] <= 'z' {
			w++
		}
		t := s.top()
		switch string(src[k:w]) {
		case "if", "for":
			t.dirs++
			s.dirs++
			if d := s.checkDepth(j, 2); d != nil {
				return true, d
			}
		case "endif", "endfor":
			if t.dirs > 0 {
				t.dirs--
				s.dirs--
			}
		}
	}
	*i = j + 2
	return true, s.push(scanFrame{kind: 'i'}, j, 2)
}

// quoted scans a quoted string from src[*i] up to its end, a template
// sequence or the end of the line.
func (s *sourceScanner) quoted(i *int) *hcl.Diagnostic {
	src := s.src
	for *i < len(src) {
		switch src[*i] {
		case '\\':
			*i += 2
			continue
		case '"':
			s.pop()
			s.tokens++
			s.term = true
			*i++
			return nil
		case '\n':
			// Unterminated: the parser reports it. The newline belongs to
			// the enclosing code.
			s.pop()
			return nil
		}
		ok, d := s.template(i)
		if d != nil {
			return d
		}
		if !ok {
			*i++
		}
		if ok {
			return nil
		}
	}
	if *i > len(src) {
		*i = len(src)
	}
	return nil
}

// heredoc scans a heredoc from src[*i] up to its end marker or a template
// sequence.
func (s *sourceScanner) heredoc(i *int) *hcl.Diagnostic {
	src := s.src
	for *i < len(src) {
		t := s.top()
		if t.bol {
			t.bol = false
			s.tokens++
			k := *i
			for k < len(src) && (src[k] == ' ' || src[k] == '\t') {
				k++
			}
			if end := k + len(t.marker); end <= len(src) && string(src[k:end]) == string(t.marker) {
				e := end
				for e < len(src) && (src[e] == ' ' || src[e] == '\t' || src[e] == '\r') {
					e++
				}
				if e >= len(src) || src[e] == '\n' {
					s.pop()
					s.term = true
					*i = end
					return nil
				}
			}
		}
		if src[*i] == '\n' {
			t.bol = true
			*i++
			continue
		}
		ok, d := s.template(i)
		if d != nil {
			return d
		}
		if ok {
			return nil
		}
		*i++
	}
	return nil
}

// json scans JSON: strings, and [ { nesting.
func (s *sourceScanner) json(maxTokens int) *hcl.Diagnostic {
	src := s.src
	depth := 0
	i := 0
	for i < len(src) {
		if s.tokens > maxTokens {
			return s.checkTokens(i, maxTokens)
		}
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			i++
		case c == '"':
			i++
			for i < len(src) && src[i] != '"' {
				if src[i] == '\\' {
					i++
				}
				i++
			}
			i++
			s.tokens++
		case c == '[' || c == '{':
			depth++
			s.tokens++
			if depth > MaxNestingDepth {
				return s.diag(i, 1, "Nesting too deep",
					fmt.Sprintf("This opens level %d of nested brackets and braces; at most %d levels are allowed.", depth, MaxNestingDepth))
			}
			i++
		case c == ']' || c == '}':
			if depth > 0 {
				depth--
			}
			s.tokens++
			i++
		case c == ',' || c == ':':
			s.tokens++
			i++
		default:
			for i < len(src) && !isJSONDelim(src[i]) {
				i++
			}
			s.tokens++
		}
	}
	if s.tokens > maxTokens {
		return s.checkTokens(len(src)-1, maxTokens)
	}
	return nil
}

func isJSONDelim(c byte) bool {
	switch c {
	case ' ', '\t', '\r', '\n', '"', '[', ']', '{', '}', ',', ':':
		return true
	}
	return false
}

// diag reports a problem at src[i:i+width].
func (s *sourceScanner) diag(i, width int, summary, detail string) *hcl.Diagnostic {
	if i > len(s.src) {
		i = len(s.src)
	}
	if i < 0 {
		i = 0
	}
	end := i + width
	if end > len(s.src) {
		end = len(s.src)
	}
	start := posAt(s.src, s.start, i)
	endPos := posAt(s.src, s.start, end)
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  summary,
		Detail:   detail,
		Subject:  &hcl.Range{Filename: s.filename, Start: start, End: endPos},
	}
}

// posAt is the position of byte offset off of src, which starts at start:
// lines counted by "\n", columns by grapheme clusters as HCL does.
func posAt(src []byte, start hcl.Pos, off int) hcl.Pos {
	line, lineStart := start.Line, 0
	for j := 0; j < off; j++ {
		if src[j] == '\n' {
			line++
			lineStart = j + 1
		}
	}
	col := 1
	if line == start.Line {
		col = start.Column
	}
	rest := src[lineStart:off]
	for len(rest) > 0 {
		adv, _, err := textseg.ScanGraphemeClusters(rest, true)
		if err != nil || adv <= 0 {
			break
		}
		rest = rest[adv:]
		col++
	}
	return hcl.Pos{Line: line, Column: col, Byte: start.Byte + off}
}
