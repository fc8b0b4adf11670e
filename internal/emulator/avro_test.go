package emulator

import "testing"

func TestAvroJSONValidation(t *testing.T) {
	const def = `{
	  "type": "record", "name": "Order", "namespace": "shop",
	  "fields": [
	    {"name": "id", "type": "string"},
	    {"name": "qty", "type": "int"},
	    {"name": "total", "type": {"type": "bytes", "logicalType": "decimal", "precision": 9}},
	    {"name": "status", "type": {"type": "enum", "name": "Status", "symbols": ["NEW", "PAID"]}},
	    {"name": "note", "type": ["null", "string"], "default": null},
	    {"name": "tags", "type": {"type": "array", "items": "string"}, "default": []},
	    {"name": "attrs", "type": {"type": "map", "values": "long"}, "default": {}},
	    {"name": "prev", "type": ["null", "shop.Status"], "default": null},
	    {"name": "line", "type": {"type": "record", "name": "Line", "fields": [{"name": "sku", "type": "string"}]}, "default": {"sku": "x"}}
	  ]
	}`
	s := newAvroSchema(def)
	if s == nil {
		t.Fatal("schema not parsed")
	}
	base := `"id": "o1", "qty": 2, "total": "\u0001", "status": "NEW"`
	tests := []struct {
		msg  string
		want bool
	}{
		{`{` + base + `}`, true},
		{`{` + base + `, "note": null}`, true},
		{`{` + base + `, "note": {"string": "gift"}}`, true},
		{`{` + base + `, "note": "gift"}`, true}, // bare union value: accepted (lenient)
		{`{` + base + `, "note": {"int": 1}}`, false},
		{`{` + base + `, "tags": ["a", "b"], "attrs": {"x": 1}}`, true},
		{`{` + base + `, "tags": ["a", 1]}`, false},
		{`{` + base + `, "attrs": {"x": "1"}}`, false},
		{`{` + base + `, "prev": {"shop.Status": "PAID"}}`, true},
		{`{` + base + `, "prev": {"shop.Status": "LOST"}}`, false},
		{`{` + base + `, "line": {"sku": "s1"}}`, true},
		{`{` + base + `, "line": {}}`, false},
		{`{` + base + `, "unknown": 1}`, true}, // undeclared fields ignored (lenient)
		{`{"id": "o1", "qty": 2, "total": "", "status": "LOST"}`, false},
		{`{"id": "o1", "qty": 3000000000, "total": "", "status": "NEW"}`, false}, // int overflow
		{`{"id": "o1", "qty": 1.5, "total": "", "status": "NEW"}`, false},
		{`{"id": "o1", "total": "", "status": "NEW"}`, false}, // required field missing
		{`[]`, false},
		{`{` + base + `} {}`, false},
		{`not json`, false},
	}
	for _, tt := range tests {
		if got := s.validJSON([]byte(tt.msg)); got != tt.want {
			t.Errorf("validJSON(%s) = %v, want %v", tt.msg, got, tt.want)
		}
	}
	if newAvroSchema("not json") != nil {
		t.Error("an unparsable schema must disable validation")
	}
	if !newAvroSchema(`"string"`).validJSON([]byte(`"x"`)) || newAvroSchema(`"string"`).validJSON([]byte(`1`)) {
		t.Error("primitive top-level schema")
	}
}

// zz encodes a long in Avro's zig-zag varint form.
func zz(v int64) []byte {
	u := uint64((v << 1) ^ (v >> 63))
	var out []byte
	for u >= 0x80 {
		out = append(out, byte(u)|0x80)
		u >>= 7
	}
	return append(out, byte(u))
}

func cat(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func str(s string) []byte { return cat(zz(int64(len(s))), []byte(s)) }

func TestAvroBinaryValidation(t *testing.T) {
	const def = `{
	  "type": "record", "name": "Order",
	  "fields": [
	    {"name": "id", "type": "string"},
	    {"name": "qty", "type": "int"},
	    {"name": "price", "type": "double"},
	    {"name": "paid", "type": "boolean"},
	    {"name": "status", "type": {"type": "enum", "name": "Status", "symbols": ["NEW", "PAID"]}},
	    {"name": "note", "type": ["null", "string"]},
	    {"name": "tags", "type": {"type": "array", "items": "string"}},
	    {"name": "attrs", "type": {"type": "map", "values": "long"}},
	    {"name": "hash", "type": {"type": "fixed", "name": "H", "size": 2}},
	    {"name": "prev", "type": ["null", "Status"]}
	  ]
	}`
	s := newAvroSchema(def)
	dbl := make([]byte, 8)
	good := cat(str("o1"), zz(2), dbl, []byte{1}, zz(1), zz(1), str("gift"),
		zz(2), str("a"), str("b"), zz(0), zz(1), str("k"), zz(7), zz(0), []byte{0xab, 0xcd}, zz(1), zz(0))
	tests := []struct {
		name string
		msg  []byte
		want bool
	}{
		{"valid", good, true},
		{"trailing byte", cat(good, []byte{0}), false},
		{"truncated", good[:len(good)-1], false},
		{"empty", nil, false},
		{"bad enum index", cat(str("o1"), zz(2), dbl, []byte{1}, zz(5)), false},
		{"bad boolean", cat(str("o1"), zz(2), dbl, []byte{2}), false},
		{"bad union index", cat(str("o1"), zz(2), dbl, []byte{0}, zz(0), zz(7)), false},
		{"int overflow", cat(str("o1"), zz(1<<40)), false},
		{"string longer than the message", cat(zz(100), []byte("ab")), false},
		{"invalid utf-8 string", cat(str("\xff\xfe")), false},
		{"json sent to a binary topic", []byte(`{"id": "o1"}`), false},
	}
	for _, tt := range tests {
		if got := s.validBinary(tt.msg); got != tt.want {
			t.Errorf("%s: validBinary = %v, want %v", tt.name, got, tt.want)
		}
	}
	if newAvroSchema(`"string"`).validBinary(str("\xff\xfe")) || !newAvroSchema(`"string"`).validBinary(str("ok")) {
		t.Error("strings must be UTF-8")
	}
	// Negative block counts (with a byte size) are valid Avro.
	arr := newAvroSchema(`{"type": "array", "items": "long"}`)
	if !arr.validBinary(cat(zz(-2), zz(2), zz(1), zz(2), zz(0))) {
		t.Error("negative block count rejected")
	}
	// A huge count of null items is neither a hang nor a rejection.
	if !newAvroSchema(`{"type": "array", "items": "null"}`).validBinary(cat(zz(1<<62), zz(0))) {
		t.Error("array of nulls")
	}
	// Constructs the checker does not know are accepted.
	if !newAvroSchema(`{"type": "record", "name": "R", "fields": [{"name": "x", "type": "some.Unknown"}]}`).validBinary([]byte{1, 2, 3}) {
		t.Error("unknown named type must not reject")
	}
}

// FuzzAvro: neither validator may panic or hang on any schema and message.
func FuzzAvro(f *testing.F) {
	f.Add(`{"type":"record","name":"R","fields":[{"name":"a","type":"string"},{"name":"b","type":{"type":"array","items":["null","long"]}}]}`, []byte("\x02x\x03\x02\x00\x00"))
	f.Add(`{"type":"map","values":{"type":"enum","name":"E","symbols":["A"]}}`, []byte(`{"k": "A"}`))
	f.Add(`["null",{"type":"fixed","name":"F","size":3}]`, []byte("\x02abc"))
	f.Add(`{"type":"record","name":"L","fields":[{"name":"next","type":["null","L"]}]}`, []byte("\x02\x02\x02\x00"))
	f.Fuzz(func(t *testing.T, def string, msg []byte) {
		s := newAvroSchema(def)
		if s == nil {
			return
		}
		s.validJSON(msg)
		s.validBinary(msg)
	})
}
