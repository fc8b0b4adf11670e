package schemacheck

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/hamba/avro/v2"
)

// maxValueDepth bounds how deeply a message may nest (records inside
// records of a recursive schema, arrays of arrays): deeper messages are
// refused rather than risking the stack.
const maxValueDepth = 200

type avroSchema struct {
	root avro.Schema
}

// readerConfig lets the binary reader create strings and bytes as large as
// a Pub/Sub message, and no larger.
var readerConfig = avro.Config{MaxByteSliceSize: MaxMessageSize, MaxSliceAllocSize: MaxMessageSize}.Freeze()

// compileAvro checks that def is exactly one JSON value (locating a syntax
// error) and then parses it with hamba/avro, in a cache of its own (the
// library's default cache would let one schema see another's names).
func compileAvro(def string) (*avroSchema, *Problem) {
	dec := json.NewDecoder(strings.NewReader(def))
	dec.UseNumber()
	var root any
	if err := dec.Decode(&root); err != nil {
		p := &Problem{Message: "the definition is not valid JSON: " + strings.TrimPrefix(err.Error(), "json: ")}
		var se *json.SyntaxError
		switch {
		case errors.As(err, &se):
			p.Line, p.Column = position(def, int(se.Offset)-1)
		case errors.Is(err, io.ErrUnexpectedEOF):
			p.Message = "the definition is not valid JSON: it ends in the middle of a value"
			p.Line, p.Column = position(def, len(strings.TrimRight(def, " \t\r\n")))
		}
		return nil, p
	}
	off := int(dec.InputOffset())
	if _, err := dec.Token(); err != io.EOF {
		p := &Problem{Message: "the definition has text after its JSON value"}
		rest := def[off:]
		p.Line, p.Column = position(def, off+len(rest)-len(strings.TrimLeft(rest, " \t\r\n")))
		return nil, p
	}
	s, err := avro.ParseWithCache(def, "", &avro.SchemaCache{})
	if err != nil {
		msg := avroMessage(err)
		if m := badDefaultRE.FindStringSubmatch(msg); m != nil {
			// The library's wording ("invalid default for field f. <nil> not a int") says little.
			msg = fmt.Sprintf("the default of field %q does not match the field's type (a union field's default must match the union's first branch)", m[1])
		}
		p := &Problem{Message: msg}
		p.Line, p.Column = locate(def, msg)
		return nil, p
	}
	return &avroSchema{root: s}, nil
}

// avroMessage is the library's error without its "avro: " prefix.
func avroMessage(err error) string {
	return strings.TrimPrefix(err.Error(), "avro: ")
}

var badDefaultRE = regexp.MustCompile(`^invalid default for field ([^ .]+)\.`)

var quotedRE = regexp.MustCompile(`"([^"\\]{1,200})"|: ([A-Za-z_][A-Za-z0-9_.]{0,200})$`)

// locate finds where in def the last name an error message quotes (or
// ends with) appears as a JSON string (the last occurrence for a
// duplicate); 0, 0 when the message names nothing that the definition
// contains exactly once.
func locate(def, msg string) (line, col int) {
	var names []string
	for _, m := range quotedRE.FindAllStringSubmatch(msg, -1) {
		names = append(names, m[1]+m[2])
	}
	for i := len(names) - 1; i >= 0; i-- {
		name := names[i]
		if name == "" {
			continue
		}
		lit := strconv.Quote(name)
		switch n := strings.Count(def, lit); {
		case n == 1:
			return position(def, strings.Index(def, lit))
		case n > 1 && strings.HasPrefix(msg, "duplicate"):
			return position(def, strings.LastIndex(def, lit)) // the second one is the duplicate
		}
		// A short name: the last component of a full name.
		if j := strings.LastIndexByte(name, '.'); j >= 0 {
			if lit := strconv.Quote(name[j+1:]); strings.Count(def, lit) == 1 {
				return position(def, strings.Index(def, lit))
			}
		}
	}
	return 0, 0
}

// --- JSON encoding ---

// validateJSON checks a message in Pub/Sub's JSON encoding of Avro: one
// JSON value whose record fields, enums, arrays, maps and fixed values
// match the schema. As Pub/Sub accepts, a union value may be wrapped as
// {"TYPE": value} (Avro's JSON encoding) or given bare, a record field the
// schema does not declare is ignored, and a missing field is accepted when
// it has a default or a nullable type.
func (s *avroSchema) validateJSON(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return fmt.Errorf("the message is not valid JSON: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
	if _, err := dec.Token(); err != io.EOF {
		return fmt.Errorf("the message has text after its JSON value")
	}
	return avroJSON(s.root, v, "$", 0)
}

func avroJSON(t avro.Schema, v any, path string, depth int) error {
	if depth > maxValueDepth {
		return fmt.Errorf("%s: the message nests more than %d levels deep", path, maxValueDepth)
	}
	if ref, ok := t.(*avro.RefSchema); ok {
		t = ref.Schema()
	}
	switch t := t.(type) {
	case *avro.NullSchema:
		if v != nil {
			return mismatch(path, "null", v)
		}
	case *avro.PrimitiveSchema:
		return avroPrimitiveJSON(t.Type(), v, path)
	case *avro.EnumSchema:
		str, ok := v.(string)
		if !ok {
			return mismatch(path, "a symbol of enum "+t.FullName(), v)
		}
		for _, sym := range t.Symbols() {
			if sym == str {
				return nil
			}
		}
		return fmt.Errorf("%s: %q is not a symbol of enum %s (%s)", path, str, t.FullName(), strings.Join(t.Symbols(), ", "))
	case *avro.FixedSchema:
		str, ok := v.(string)
		if !ok {
			return mismatch(path, fmt.Sprintf("a string of %d bytes (fixed %s)", t.Size(), t.FullName()), v)
		}
		if n, ok := byteString(str); !ok || n != t.Size() {
			return fmt.Errorf("%s: want %d bytes (fixed %s, one character per byte), got %d characters", path, t.Size(), t.FullName(), utf8.RuneCountInString(str))
		}
	case *avro.ArraySchema:
		arr, ok := v.([]any)
		if !ok {
			return mismatch(path, "an array", v)
		}
		for i, item := range arr {
			if err := avroJSON(t.Items(), item, fmt.Sprintf("%s[%d]", path, i), depth+1); err != nil {
				return err
			}
		}
	case *avro.MapSchema:
		obj, ok := v.(map[string]any)
		if !ok {
			return mismatch(path, "an object (map)", v)
		}
		for _, k := range sortedKeys(obj) {
			if err := avroJSON(t.Values(), obj[k], path+"."+k, depth+1); err != nil {
				return err
			}
		}
	case *avro.RecordSchema:
		obj, ok := v.(map[string]any)
		if !ok {
			return mismatch(path, "an object (record "+t.FullName()+")", v)
		}
		for _, f := range t.Fields() {
			fv, present := obj[f.Name()]
			if !present {
				if f.HasDefault() || nullable(f.Type()) {
					continue
				}
				return fmt.Errorf("%s: field %q of record %s is missing (it has no default)", path, f.Name(), t.FullName())
			}
			if err := avroJSON(f.Type(), fv, path+"."+f.Name(), depth+1); err != nil {
				return err
			}
		}
	case *avro.UnionSchema:
		return avroUnionJSON(t, v, path, depth)
	default:
		return fmt.Errorf("%s: unsupported Avro type %s", path, t.Type())
	}
	return nil
}

func avroUnionJSON(t *avro.UnionSchema, v any, path string, depth int) error {
	if v == nil {
		if t.Nullable() {
			return nil
		}
		return mismatch(path, "a value of union "+unionNames(t), v)
	}
	if m, ok := v.(map[string]any); ok && len(m) == 1 {
		for k, inner := range m {
			for _, b := range t.Types() {
				if branchName(b) == k {
					return avroJSON(b, inner, path+"."+k, depth+1)
				}
			}
		}
	}
	for _, b := range t.Types() {
		if _, isNull := b.(*avro.NullSchema); !isNull && avroJSON(b, v, path, depth+1) == nil {
			return nil
		}
	}
	return mismatch(path, "a value of union "+unionNames(t)+` (wrapped as {"TYPE": value} or bare)`, v)
}

func avroPrimitiveJSON(typ avro.Type, v any, path string) error {
	switch typ {
	case avro.Boolean:
		if _, ok := v.(bool); !ok {
			return mismatch(path, "a boolean", v)
		}
	case avro.Int, avro.Long:
		n, ok := v.(json.Number)
		if !ok {
			return mismatch(path, "an "+string(typ), v)
		}
		i, err := n.Int64()
		if err != nil || (typ == avro.Int && (i < math.MinInt32 || i > math.MaxInt32)) {
			return fmt.Errorf("%s: want an %s, got %s", path, typ, n)
		}
	case avro.Float, avro.Double:
		if _, ok := v.(json.Number); !ok {
			return mismatch(path, "a number ("+string(typ)+")", v)
		}
	case avro.String:
		if _, ok := v.(string); !ok {
			return mismatch(path, "a string", v)
		}
	case avro.Bytes:
		str, ok := v.(string)
		if !ok {
			return mismatch(path, "a string (bytes, one character per byte)", v)
		}
		if _, ok := byteString(str); !ok {
			return fmt.Errorf("%s: bytes are written one character per byte (U+0000 to U+00FF); the string has a character above U+00FF", path)
		}
	}
	return nil
}

// byteString returns how many bytes the Avro JSON encoding of bytes or
// fixed str stands for, and whether every character is a byte.
func byteString(str string) (int, bool) {
	n := 0
	for _, r := range str {
		if r > 0xFF {
			return 0, false
		}
		n++
	}
	return n, true
}

func nullable(t avro.Schema) bool {
	switch t := t.(type) {
	case *avro.NullSchema:
		return true
	case *avro.UnionSchema:
		return t.Nullable()
	}
	return false
}

// branchName is the key of a union branch in the Avro JSON encoding: a
// named type's full name, otherwise the type.
func branchName(b avro.Schema) string {
	if n, ok := b.(avro.NamedSchema); ok {
		return n.FullName()
	}
	if ref, ok := b.(*avro.RefSchema); ok {
		return ref.Schema().FullName()
	}
	return string(b.Type())
}

func unionNames(t *avro.UnionSchema) string {
	var names []string
	for _, b := range t.Types() {
		names = append(names, branchName(b))
	}
	return "[" + strings.Join(names, ", ") + "]"
}

func mismatch(path, want string, got any) error {
	return fmt.Errorf("%s: want %s, got %s", path, want, describeJSON(got))
}

func describeJSON(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case json.Number:
		return "the number " + v.String()
	case string:
		if len(v) > 40 {
			return "a string"
		}
		return "the string " + strconv.Quote(v)
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

// --- binary encoding ---

// validateBinary checks that data is exactly one value of the schema in
// Avro's binary encoding, read with the library's reader.
func (s *avroSchema) validateBinary(data []byte) error {
	r := avro.NewReader(nil, 0, avro.WithReaderConfig(readerConfig)).Reset(data)
	path := readAvro(s.root, r, "$", 0)
	if r.Error != nil {
		if errors.Is(r.Error, io.ErrUnexpectedEOF) || errors.Is(r.Error, io.EOF) {
			return fmt.Errorf("%s: the message ends before the value does", path)
		}
		return fmt.Errorf("%s: %s", path, avroMessage(r.Error))
	}
	if r.Peek(); r.Error == nil {
		return fmt.Errorf("the message has bytes after its Avro value")
	}
	return nil
}

// readAvro reads one value of t from r and returns the path of the value
// being read when r.Error was set ("" when none was).
func readAvro(t avro.Schema, r *avro.Reader, path string, depth int) string {
	if r.Error != nil {
		return path
	}
	if depth > maxValueDepth {
		r.Error = fmt.Errorf("the message nests more than %d levels deep", maxValueDepth)
		return path
	}
	if ref, ok := t.(*avro.RefSchema); ok {
		t = ref.Schema()
	}
	switch t := t.(type) {
	case *avro.NullSchema:
	case *avro.PrimitiveSchema:
		switch t.Type() {
		case avro.Boolean:
			r.ReadBool()
		case avro.Int:
			r.ReadInt()
		case avro.Long:
			r.ReadLong()
		case avro.Float:
			r.ReadFloat()
		case avro.Double:
			r.ReadDouble()
		case avro.String:
			r.ReadString()
		case avro.Bytes:
			r.ReadBytes()
		}
	case *avro.EnumSchema:
		if i := r.ReadInt(); r.Error == nil && (i < 0 || int(i) >= len(t.Symbols())) {
			r.Error = fmt.Errorf("enum %s has no symbol number %d", t.FullName(), i)
		}
	case *avro.FixedSchema:
		r.Read(make([]byte, t.Size()))
	case *avro.ArraySchema:
		return readBlocks(r, path, func(i int64) string {
			return readAvro(t.Items(), r, fmt.Sprintf("%s[%d]", path, i), depth+1)
		})
	case *avro.MapSchema:
		return readBlocks(r, path, func(i int64) string {
			k := r.ReadString()
			return readAvro(t.Values(), r, path+"."+k, depth+1)
		})
	case *avro.RecordSchema:
		for _, f := range t.Fields() {
			if p := readAvro(f.Type(), r, path+"."+f.Name(), depth+1); r.Error != nil {
				return p
			}
		}
	case *avro.UnionSchema:
		i := r.ReadLong()
		if r.Error != nil {
			return path
		}
		types := t.Types()
		if i < 0 || i >= int64(len(types)) {
			r.Error = fmt.Errorf("union %s has no branch number %d", unionNames(t), i)
			return path
		}
		return readAvro(types[i], r, path, depth+1)
	default:
		r.Error = fmt.Errorf("unsupported Avro type %s", t.Type())
	}
	if r.Error != nil {
		return path
	}
	return ""
}

// readBlocks reads the blocks of an array or map, calling item for each
// item, and returns the path where reading failed.
func readBlocks(r *avro.Reader, path string, item func(i int64) string) string {
	var n int64
	for {
		count, _ := r.ReadBlockHeader()
		if r.Error != nil {
			return path
		}
		if count == 0 {
			return ""
		}
		if count < 0 || count > MaxMessageSize {
			r.Error = fmt.Errorf("a block claims %d items", count)
			return path
		}
		for range count {
			if p := item(n); r.Error != nil {
				return p
			}
			n++
		}
	}
}
