package config

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/pubsubctl/pubsubctl/internal/schemacheck"
	"github.com/pubsubctl/pubsubctl/model"
)

// checkDefinitions turns checkSchemaDefinitions on; decoding tests turn
// it off together with validateModel.
var checkDefinitions = true

// checkSchemaDefinitions compiles every schema definition offline (Avro
// with hamba/avro, Protocol Buffers with protocompile, see package
// schemacheck) and reports each problem where it is: inside a heredoc
// definition at its line in the HCL file, inside a file() definition at
// its line in the schema file, otherwise at the definition attribute with
// the line and column inside the definition in the message.
func (l *loader) checkSchemaDefinitions(cfg *model.Config) hcl.Diagnostics {
	if !checkDefinitions {
		return nil
	}
	var diags hcl.Diagnostics
	for _, s := range cfg.Schemas {
		if strings.TrimSpace(s.Definition) == "" {
			continue // model.Validate reports the missing definition
		}
		var summary, kind string
		switch s.Type {
		case schemacheck.TypeAvro:
			summary, kind = "Invalid Avro schema", "an Avro schema"
		case schemacheck.TypeProto:
			summary, kind = "Invalid Protocol Buffer schema", "a Protocol Buffer schema"
		default:
			continue // model.Validate reports the type
		}
		_, probs := schemacheck.Compile(s.Type, s.Definition)
		if len(probs) == 0 {
			continue
		}
		attr := s.Meta.Range("definition")
		src := l.definitionSource(attr, s.Definition)
		for _, p := range probs {
			subject, where := src.locate(p, attr)
			diags = append(diags, model.NewDiagnostic(hcl.DiagError, subject, summary,
				"The definition of %s is not %s: %s%s. %s",
				model.Describe(s), kind, p.Message, where, schemaHint(s.Type)))
		}
	}
	return diags
}

func schemaHint(typ string) string {
	if typ == schemacheck.TypeAvro {
		return "pubsubctl parses it as Pub/Sub will when the schema is created; an Avro schema is JSON, usually a record such as {\"type\": \"record\", \"name\": \"Order\", \"fields\": [...]}."
	}
	return "pubsubctl compiles it as Pub/Sub will when the schema is created: one .proto file (proto2 or proto3, no imports) defining one top-level message, e.g. syntax = \"proto3\"; message Order { string id = 1; }."
}

// defSource says where the text of a definition lives, so that a line and
// column inside it can be turned into a position in a file.
type defSource struct {
	// heredoc: the definition is the literal body of a heredoc in the
	// HCL file filename, whose text is src.
	heredoc  bool
	filename string
	src      []byte
	first    int // 1-based line of the heredoc body in the HCL file
	strip    int // characters of indentation a <<- heredoc removed
	// file: the definition is file("path"), read from filename.
	fromFile bool
}

// definitionSource finds the expression at attr and works out where the
// text of def comes from.
func (l *loader) definitionSource(attr hcl.Range, def string) defSource {
	expr := l.expressionAt(attr)
	switch e := expr.(type) {
	case *hclsyntax.TemplateExpr:
		f := l.files[attr.Filename]
		if f == nil || !literalTemplate(e) || attr.Start.Byte+2 > len(f.Bytes) || string(f.Bytes[attr.Start.Byte:attr.Start.Byte+2]) != "<<" {
			return defSource{}
		}
		d := defSource{heredoc: true, filename: attr.Filename, src: f.Bytes, first: attr.Start.Line + 1}
		if bytes.HasPrefix(f.Bytes[attr.Start.Byte:], []byte("<<-")) {
			d.strip = flushIndent(f.Bytes, d.first, attr.End.Line-1)
		}
		return d
	case *hclsyntax.FunctionCallExpr:
		if e.Name != "file" || len(e.Args) != 1 {
			return defSource{}
		}
		v, diags := e.Args[0].Value(nil)
		if diags.HasErrors() || !v.IsKnown() || v.IsNull() || v.Type() != cty.String {
			return defSource{}
		}
		p := v.AsString()
		if !filepath.IsAbs(p) {
			p = filepath.Join(l.dir, p)
		}
		return defSource{fromFile: true, filename: p}
	}
	return defSource{}
}

// locate returns where to report p and what to add to its message.
func (d defSource) locate(p schemacheck.Problem, attr hcl.Range) (hcl.Range, string) {
	inside := ""
	if p.Line > 0 {
		inside = fmt.Sprintf(" (line %d, column %d of the definition)", p.Line, p.Column)
	}
	switch {
	case p.Line <= 0:
		return attr, ""
	case d.fromFile:
		pos := hcl.Pos{Line: p.Line, Column: p.Column}
		return hcl.Range{Filename: d.filename, Start: pos, End: hcl.Pos{Line: p.Line, Column: p.Column + 1}},
			fmt.Sprintf(" (definition = file(...) at %s:%d,%d)", attr.Filename, attr.Start.Line, attr.Start.Column)
	case d.heredoc:
		if r, ok := d.heredocPos(p); ok {
			return r, ""
		}
	}
	return attr, inside
}

// heredocPos maps a line and column of a heredoc's body to the HCL file:
// the body's line n is the file's line first+n-1, shifted right by the
// indentation that a <<- heredoc removed from every line.
func (d defSource) heredocPos(p schemacheck.Problem) (hcl.Range, bool) {
	line := d.first + p.Line - 1
	start, text, ok := lineOf(d.src, line)
	if !ok {
		return hcl.Range{}, false
	}
	runes := []rune(text)
	c := d.strip + p.Column
	if c < 1 || c > len(runes)+1 {
		return hcl.Range{}, false
	}
	b := start + len(string(runes[:c-1]))
	return hcl.Range{
		Filename: d.filename,
		Start:    hcl.Pos{Line: line, Column: c, Byte: b},
		End:      hcl.Pos{Line: line, Column: c + 1, Byte: b + 1},
	}, true
}

// lineOf returns the byte offset and text (without the newline) of the
// 1-based line n of src.
func lineOf(src []byte, n int) (int, string, bool) {
	off := 0
	for i := 1; i < n; i++ {
		j := bytes.IndexByte(src[off:], '\n')
		if j < 0 {
			return 0, "", false
		}
		off += j + 1
	}
	end := len(src)
	if j := bytes.IndexByte(src[off:], '\n'); j >= 0 {
		end = off + j
	}
	return off, strings.TrimSuffix(string(src[off:end]), "\r"), true
}

// flushIndent is the indentation a <<- heredoc removes: the least leading
// whitespace of its non-blank body lines (first to last, 1-based).
func flushIndent(src []byte, first, last int) int {
	least := -1
	for n := first; n <= last; n++ {
		_, text, ok := lineOf(src, n)
		if !ok {
			break
		}
		if strings.TrimSpace(text) == "" {
			continue
		}
		indent := len([]rune(text)) - len([]rune(strings.TrimLeft(text, " \t")))
		if least < 0 || indent < least {
			least = indent
		}
	}
	return max(least, 0)
}

func literalTemplate(e *hclsyntax.TemplateExpr) bool {
	for _, p := range e.Parts {
		if _, ok := p.(*hclsyntax.LiteralValueExpr); !ok {
			return false
		}
	}
	return true
}

// expressionAt finds the expression of the attribute whose value spans r.
func (l *loader) expressionAt(r hcl.Range) hclsyntax.Expression {
	f := l.files[r.Filename]
	if f == nil {
		return nil
	}
	body, ok := f.Body.(*hclsyntax.Body)
	if !ok {
		return nil
	}
	var find func(b *hclsyntax.Body) hclsyntax.Expression
	find = func(b *hclsyntax.Body) hclsyntax.Expression {
		for _, a := range b.Attributes {
			if a.Expr.Range() == r {
				return a.Expr
			}
		}
		for _, blk := range b.Blocks {
			if blk.Range().Overlaps(r) {
				if e := find(blk.Body); e != nil {
					return e
				}
			}
		}
		return nil
	}
	return find(body)
}
