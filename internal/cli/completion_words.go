package cli

import "strings"

// commandLine is a command line up to the cursor, split as a POSIX shell
// (and fish, for what completion needs) splits it.
type commandLine struct {
	words []string // the complete words, unquoted
	cur   string   // the word under the cursor, unquoted ("" after a blank)
	raw   string   // the word under the cursor, as typed
	quote byte     // the quote the word under the cursor leaves open: ', " or 0
	// plain marks the bytes of raw that are outside quotes and not
	// escaped: only those can break a word for readline.
	plain []bool
	open  int // index in raw of the open quote, or -1
}

// splitCommandLine splits line into words, removing quotes and escapes.
func splitCommandLine(line string) commandLine {
	var cl commandLine
	var w strings.Builder
	in := false // inside a word
	start := 0
	cl.open = -1
	for i := 0; i < len(line); i++ {
		c := line[i]
		plain := false
		switch {
		case cl.quote == '\'':
			if c == '\'' {
				cl.quote, cl.open = 0, -1
			} else {
				w.WriteByte(c)
			}
		case cl.quote == '"':
			switch {
			case c == '"':
				cl.quote, cl.open = 0, -1
			case c == '\\' && i+1 < len(line) && strings.IndexByte("\"\\$`\n", line[i+1]) >= 0:
				i++
				cl.plain = append(cl.plain, false)
				w.WriteByte(line[i])
			default:
				w.WriteByte(c)
			}
		case c == ' ' || c == '\t' || c == '\n':
			if in {
				cl.words = append(cl.words, w.String())
				w.Reset()
				in = false
			}
			cl.plain = cl.plain[:0]
			continue
		default:
			if !in {
				in, start = true, i
			}
			switch c {
			case '\\':
				if i+1 < len(line) {
					i++
					cl.plain = append(cl.plain, false)
					w.WriteByte(line[i])
				}
			case '\'', '"':
				cl.quote, cl.open = c, i-start
			default:
				plain = true
				w.WriteByte(c)
			}
		}
		cl.plain = append(cl.plain, plain)
	}
	if in {
		cl.cur, cl.raw = w.String(), line[start:]
	}
	return cl
}

// defaultWordBreaks is bash's default COMP_WORDBREAKS.
const defaultWordBreaks = " \t\n\"'><=;|&(:"

// bashPrefix is the unquoted text of the word under the cursor that
// readline keeps when it inserts a completion: up to an open quote, else
// up to the last word-break character outside quotes (the = of
// --flag=VALUE).
func (cl commandLine) bashPrefix(breaks string) string {
	if breaks == "" {
		breaks = defaultWordBreaks
	}
	start := 0
	if cl.open >= 0 {
		start = cl.open + 1
	} else {
		for i := len(cl.raw) - 1; i >= 0; i-- {
			if i < len(cl.plain) && cl.plain[i] && strings.IndexByte(breaks, cl.raw[i]) >= 0 {
				start = i + 1
				break
			}
		}
	}
	return splitCommandLine(cl.raw[:start]).cur
}

// shellQuoteAs quotes s for insertion where the word so far leaves quote
// open: escaped with backslashes outside quotes, and inside double quotes
// the characters they keep special; inside single quotes nothing but a
// single quote can be special.
func shellQuoteAs(s string, quote byte) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch quote {
		case '\'':
			if c == '\'' {
				b.WriteString(`'\''`)
				continue
			}
		case '"':
			if strings.IndexByte("\"\\$`", c) >= 0 {
				b.WriteByte('\\')
			}
		default:
			if !isShellSafe(c) {
				b.WriteByte('\\')
			}
		}
		b.WriteByte(c)
	}
	return b.String()
}

func isShellSafe(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		strings.IndexByte("_-.,/+@%=:", c) >= 0 || c >= 0x80
}
