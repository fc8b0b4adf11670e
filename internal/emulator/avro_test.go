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
