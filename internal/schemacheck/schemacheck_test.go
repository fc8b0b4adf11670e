package schemacheck

import (
	"strings"
	"testing"

	"github.com/hamba/avro/v2"
	"google.golang.org/protobuf/encoding/protowire"
)

const orderAvro = `{
  "type": "record",
  "name": "Order",
  "namespace": "shop",
  "fields": [
    {"name": "id", "type": "string"},
    {"name": "qty", "type": "int"},
    {"name": "price", "type": "double", "default": 0},
    {"name": "note", "type": ["null", "string"], "default": null},
    {"name": "color", "type": {"type": "enum", "name": "Color", "symbols": ["RED", "GREEN"]}, "default": "RED"},
    {"name": "tags", "type": {"type": "array", "items": "string"}, "default": []},
    {"name": "attrs", "type": {"type": "map", "values": "long"}, "default": {}},
    {"name": "hash", "type": {"type": "fixed", "name": "Hash", "size": 2}, "default": "ab"},
    {"name": "extra", "type": ["null", "long", "Color"], "default": null}
  ]
}`

const orderProto3 = `syntax = "proto3";
package shop;
message Order {
  string id = 1;
  int32 qty = 2;
  enum Color { RED = 0; GREEN = 1; }
  Color color = 3;
  repeated string tags = 4;
  map<string, int64> attrs = 5;
  Line line = 6;
  message Line { string sku = 1; }
}
`

const orderProto2 = `syntax = "proto2";
message Order {
  required string id = 1;
  optional int32 qty = 2;
}
`

func TestCompileProblems(t *testing.T) {
	tests := []struct {
		name, typ, def string
		want           string // substring of the first problem; "" for none
		line, col      int
	}{
		{"avro ok", TypeAvro, orderAvro, "", 0, 0},
		{"avro primitive ok", TypeAvro, `"string"`, "", 0, 0},
		{"avro union ok", TypeAvro, `["null", "string"]`, "", 0, 0},
		{"avro recursive ok", TypeAvro, `{"type":"record","name":"Node","fields":[{"name":"next","type":["null","Node"]}]}`, "", 0, 0},
		{"avro not json", TypeAvro, "{\n  type: record}", "not valid JSON", 2, 3},
		{"avro truncated", TypeAvro, `{"type": "record"`, "ends in the middle", 1, 18},
		{"avro trailing text", TypeAvro, `"string" "int"`, "text after its JSON value", 1, 10},
		{"avro unknown type", TypeAvro, "{\"type\":\"record\",\"name\":\"O\",\n\"fields\":[{\"name\":\"id\",\"type\":\"strng\"}]}", "unknown type: strng", 2, 31},
		{"avro number", TypeAvro, `42`, "unknown type", 0, 0},
		{"avro no fields", TypeAvro, `{"type":"record","name":"O"}`, "fields", 0, 0},
		{"avro bad name", TypeAvro, `{"type":"record","name":"1O","fields":[]}`, "invalid name", 1, 25},
		{"avro duplicate field", TypeAvro, `{"type":"record","name":"O","fields":[{"name":"a","type":"int"},{"name":"a","type":"long"}]}`, `duplicate field name "a"`, 1, 73},
		{"avro bad default", TypeAvro, `{"type":"record","name":"O","fields":[{"name":"qty","type":"int","default":"x"}]}`, `default of field "qty"`, 1, 47},
		{"avro union default not first branch", TypeAvro, `{"type":"record","name":"O","fields":[{"name":"v","type":["int","string"],"default":"x"}]}`, `default of field "v"`, 1, 47},
		{"avro union in union", TypeAvro, `["null", ["int"]]`, "union", 0, 0},
		{"avro duplicate union branch", TypeAvro, `["int", "int"]`, "unique", 0, 0},
		{"avro name defined twice", TypeAvro, `{"type":"record","name":"O","fields":[{"name":"a","type":{"type":"fixed","name":"O","size":1}}]}`, "", -1, 0},
		{"avro too deep", TypeAvro, strings.Repeat("[", 200) + strings.Repeat("]", 200), "nests more than", 1, 101},
		{"avro empty", TypeAvro, "  ", "empty", 0, 0},

		{"proto3 ok", TypeProto, orderProto3, "", 0, 0},
		{"proto2 ok", TypeProto, orderProto2, "", 0, 0},
		{"proto syntax error", TypeProto, "syntax = \"proto3\";\nmessage O {\n  string id = 1\n}\n", "syntax error", 4, 1},
		{"proto unknown type", TypeProto, "syntax = \"proto3\";\nmessage O {\n  strng id = 1;\n}\n", "unknown type strng", 3, 3},
		{"proto3 required", TypeProto, "syntax = \"proto3\";\nmessage O {\n  required string id = 1;\n}\n", "required", 3, 3},
		{"proto duplicate number", TypeProto, "syntax = \"proto3\";\nmessage O {\n  string a = 1;\n  string b = 1;\n}\n", "both have the same tag 1", 4, 14},
		{"proto import", TypeProto, "syntax = \"proto3\";\nimport \"x.proto\";\nmessage O { string a = 1; }\n", "imports are not supported", 2, 1},
		{"proto two messages", TypeProto, "syntax = \"proto3\";\nmessage O { string a = 1; }\nmessage P { string b = 1; }\n", "only one top-level type", 3, 1},
		{"proto top-level enum", TypeProto, "syntax = \"proto3\";\nenum E { A = 0; }\nmessage O { E e = 1; }\n", "nest enum E", 2, 1},
		{"proto no message", TypeProto, "syntax = \"proto3\";\n", "defines no message", 1, 1},
		{"proto editions", TypeProto, "edition = \"2023\";\nmessage O { string a = 1; }\n", "editions are not supported", 1, 1},
		{"proto avro text", TypeProto, `{"type": "record"}`, "syntax error", 1, 1},
		{"proto reserved number", TypeProto, "syntax = \"proto3\";\nmessage O { string a = 19000; }\n", "reserved", 2, 24},
		{"bad type", "JSON", "{}", "not a schema type", 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, probs := Compile(tt.typ, tt.def)
			switch {
			case tt.line < 0: // any outcome but a panic; documented below
				t.Logf("outcome: %v", probs)
				return
			case tt.want == "":
				if len(probs) > 0 || s == nil {
					t.Fatalf("want no problem, got %v", probs)
				}
				return
			case len(probs) == 0:
				t.Fatalf("want a problem containing %q, got none", tt.want)
			}
			p := probs[0]
			if !strings.Contains(p.Message, tt.want) {
				t.Errorf("problem %q does not contain %q", p.Message, tt.want)
			}
			if p.Line != tt.line || p.Column != tt.col {
				t.Errorf("problem %q at %d:%d, want %d:%d", p.Message, p.Line, p.Column, tt.line, tt.col)
			}
		})
	}
}

// avroBinary encodes v with the library (a trusted encoder) for the
// binary cases.
func avroBinary(t *testing.T, schema string, v any) []byte {
	t.Helper()
	s, err := avro.ParseWithCache(schema, "", &avro.SchemaCache{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := avro.Marshal(s, v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestValidateAvro(t *testing.T) {
	s, probs := Compile(TypeAvro, orderAvro)
	if probs != nil {
		t.Fatal(probs)
	}
	good := map[string]any{
		"id": "o-1", "qty": 3, "price": 1.5, "note": map[string]any{"string": "hi"},
		"color": "GREEN", "tags": []any{"a"}, "attrs": map[string]any{"k": int64(1)},
		"hash": [2]byte{1, 2}, "extra": map[string]any{"shop.Color": "RED"},
	}
	goodBin := avroBinary(t, orderAvro, good)
	tests := []struct {
		name, encoding string
		msg            string
		want           string // substring of the error; "" for valid
	}{
		{"json minimal", EncodingJSON, `{"id": "o-1", "qty": 3}`, ""},
		{"json full", EncodingJSON, `{"id": "o-1", "qty": 3, "price": 2.5, "note": {"string": "x"}, "color": "GREEN", "tags": ["a"], "attrs": {"k": 1}, "hash": "\u00ff\u0000", "extra": {"shop.Color": "RED"}}`, ""},
		{"json bare union", EncodingJSON, `{"id": "o-1", "qty": 3, "note": "x", "extra": 5}`, ""},
		{"json unknown field ignored", EncodingJSON, `{"id": "o-1", "qty": 3, "other": true}`, ""},
		{"json missing field", EncodingJSON, `{"id": "o-1"}`, `field "qty" of record shop.Order is missing`},
		{"json wrong type", EncodingJSON, `{"id": 1, "qty": 3}`, "$.id: want a string, got the number 1"},
		{"json int overflow", EncodingJSON, `{"id": "a", "qty": 3000000000}`, "$.qty: want an int"},
		{"json fraction for int", EncodingJSON, `{"id": "a", "qty": 1.5}`, "$.qty: want an int"},
		{"json bad enum", EncodingJSON, `{"id": "a", "qty": 1, "color": "BLUE"}`, `"BLUE" is not a symbol of enum shop.Color`},
		{"json bad array item", EncodingJSON, `{"id": "a", "qty": 1, "tags": ["x", 2]}`, "$.tags[1]"},
		{"json bad map value", EncodingJSON, `{"id": "a", "qty": 1, "attrs": {"k": "v"}}`, "$.attrs.k"},
		{"json fixed wrong size", EncodingJSON, `{"id": "a", "qty": 1, "hash": "abc"}`, "want 2 bytes"},
		{"json union wrong branch", EncodingJSON, `{"id": "a", "qty": 1, "note": {"long": 1}}`, "union [null, string]"},
		{"json null for string", EncodingJSON, `{"id": null, "qty": 1}`, "want a string, got null"},
		{"json not json", EncodingJSON, `{"id": `, "not valid JSON"},
		{"json two values", EncodingJSON, `{"id": "a", "qty": 1} {}`, "text after"},
		{"json array at top", EncodingJSON, `[]`, "want an object (record shop.Order)"},
		{"binary good", EncodingBinary, string(goodBin), ""},
		{"binary truncated", EncodingBinary, string(goodBin[:len(goodBin)-1]), "ends before the value does"},
		{"binary trailing byte", EncodingBinary, string(append(append([]byte{}, goodBin...), 0)), "bytes after its Avro value"},
		{"binary empty", EncodingBinary, "", "ends before"},
		{"binary bad union index", EncodingBinary, "\x06o-1\x06\x00\x00\x00\x00\x00\x00\x00\x00\x08", "no branch number 4"},
		{"binary huge string length", EncodingBinary, "\xfe\xff\xff\xff\x0f", "$.id"},
		{"binary json text", EncodingBinary, `{"id": "o-1", "qty": 3}`, "$."},
		{"bad encoding", "XML", `{}`, "not an encoding"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := s.Validate([]byte(tt.msg), tt.encoding)
			checkErr(t, err, tt.want)
		})
	}
}

func TestValidateAvroRecursionBounded(t *testing.T) {
	s, probs := Compile(TypeAvro, `{"type":"record","name":"Node","fields":[{"name":"next","type":["null","Node"]}]}`)
	if probs != nil {
		t.Fatal(probs)
	}
	deep := strings.Repeat(`{"next": {"Node": `, 500) + `{"next": null}` + strings.Repeat(`}}`, 500)
	checkErr(t, s.Validate([]byte(deep), EncodingJSON), "nests more than")
	bin := strings.Repeat("\x02", 100000) + "\x00"
	checkErr(t, s.Validate([]byte(bin), EncodingBinary), "nests more than")
	checkErr(t, s.Validate([]byte("\x02\x02\x00"), EncodingBinary), "")
}

func TestValidateProto(t *testing.T) {
	s3, probs := Compile(TypeProto, orderProto3)
	if probs != nil {
		t.Fatal(probs)
	}
	s2, probs := Compile(TypeProto, orderProto2)
	if probs != nil {
		t.Fatal(probs)
	}
	var wire []byte
	wire = protowire.AppendTag(wire, 1, protowire.BytesType)
	wire = protowire.AppendString(wire, "o-1")
	wire = protowire.AppendTag(wire, 2, protowire.VarintType)
	wire = protowire.AppendVarint(wire, 3)
	var qtyOnly []byte
	qtyOnly = protowire.AppendTag(qtyOnly, 2, protowire.VarintType)
	qtyOnly = protowire.AppendVarint(qtyOnly, 3)
	var wrongWire []byte
	wrongWire = protowire.AppendTag(wrongWire, 1, protowire.VarintType) // id is a string
	wrongWire = protowire.AppendVarint(wrongWire, 3)

	tests := []struct {
		name     string
		s        *Schema
		encoding string
		msg      string
		want     string
	}{
		{"json good", s3, EncodingJSON, `{"id": "o-1", "qty": 3, "color": "GREEN", "tags": ["a"], "attrs": {"k": "5"}, "line": {"sku": "x"}}`, ""},
		{"json empty object", s3, EncodingJSON, `{}`, ""},
		{"json unknown field", s3, EncodingJSON, `{"id": "o-1", "nope": 1}`, "unknown field"},
		{"json wrong type", s3, EncodingJSON, `{"qty": "three"}`, "shop.Order"},
		{"json bad enum", s3, EncodingJSON, `{"color": "BLUE"}`, "BLUE"},
		{"json not json", s3, EncodingJSON, `{"id": `, "shop.Order"},
		{"json proto2 missing required", s2, EncodingJSON, `{"qty": 3}`, "required field"},
		{"binary good", s3, EncodingBinary, string(wire), ""},
		{"binary empty is the default message", s3, EncodingBinary, "", ""},
		// As in every protobuf parser (and so in Pub/Sub), a field with
		// the wrong wire type is kept as an unknown field.
		{"binary wrong wire type is an unknown field", s3, EncodingBinary, string(wrongWire), ""},
		{"binary truncated", s3, EncodingBinary, string(wire[:len(wire)-1]), "shop.Order"},
		{"binary proto2 good", s2, EncodingBinary, string(wire), ""},
		{"binary proto2 missing required", s2, EncodingBinary, string(qtyOnly), "required field"},
		{"binary garbage", s3, EncodingBinary, "\xff\xff\xff", "shop.Order"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkErr(t, tt.s.Validate([]byte(tt.msg), tt.encoding), tt.want)
		})
	}
}

func TestValidateTooLarge(t *testing.T) {
	s, _ := Compile(TypeAvro, `"string"`)
	checkErr(t, s.Validate(make([]byte, MaxMessageSize+1), EncodingBinary), "at most")
}

func checkErr(t *testing.T, err error, want string) {
	t.Helper()
	switch {
	case want == "" && err != nil:
		t.Fatalf("want valid, got %v", err)
	case want != "" && err == nil:
		t.Fatalf("want an error containing %q, got none", want)
	case want != "" && !strings.Contains(err.Error(), want):
		t.Fatalf("error %q does not contain %q", err, want)
	}
}
