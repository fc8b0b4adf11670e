package emulator

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// TestAvroDefinition checks checkAvroDefinition against the verdicts of the
// official emulator (cloud-pubsub-emulator 0.8.20, which parses with the
// Java Avro library) on the same definitions: ok means it accepted them.
func TestAvroDefinition(t *testing.T) {
	tests := []struct {
		def string
		ok  bool
	}{
		{`{"type":"record","name":"x","fields":[{"name":"a","type":"nosuchtype"}]}`, false},
		{`"string"`, true},
		{`"nosuch"`, false},
		{`{"type":"nosuch"}`, false},
		{`{"type":"enum","name":"E","symbols":["A"]}`, true},
		{`{"type":"record","name":"L","fields":[{"name":"next","type":["null","L"]}]}`, true},
		{`{"type":"record","name":"R","fields":[{"name":"a","type":"R"}]}`, true},
		{`{"type":"record","name":"R","fields":[{"name":"a","type":"B"},{"name":"b","type":{"type":"record","name":"B","fields":[]}}]}`, false}, // used before defined
		{`{"type":"record","name":"R","fields":[{"name":"a","type":"string"},{"name":"a","type":"int"}]}`, false},
		{`{"type":"record","name":"R","fields":[{"name":"a","type":["null","string","string"]}]}`, false},
		{`{"type":"record","name":"1R","fields":[]}`, false},
		{`{"type":"record","name":"R","namespace":"a.b","fields":[{"name":"e","type":{"type":"enum","name":"E","symbols":["A"]}},{"name":"f","type":"a.b.E"},{"name":"g","type":"E"}]}`, true},
		{`{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"string","logicalType":"uuid"}}]}`, true},
		{`{"type":"record","name":"R","fields":[{"name":"a"}]}`, false},
		{`{"type":"record","name":"R"}`, false},
		{`{"type":"record","name":"R","fields":[]}`, true},
		{`{"type":"enum","name":"E","symbols":["1A"]}`, false},
		{`{"type":"enum","name":"E","symbols":["A","A"]}`, false},
		{`{"type":"enum","name":"E","symbols":[]}`, true},
		{`{"type":"enum","name":"E","symbols":["A"],"default":"B"}`, false},
		{`{"type":"enum","name":"E","symbols":["A"],"namespace":"x.y"}`, true},
		{`{"type":"fixed","name":"F"}`, false},
		{`{"type":"fixed","name":"F","size":-1}`, false},
		{`{"type":"fixed","name":"F","size":1.5}`, false},
		{`{"type":"array"}`, false},
		{`{"type":"map"}`, false},
		{`{"type":"record","name":"string","fields":[]}`, false},
		{`{"type":"record","name":"R","namespace":"1a","fields":[]}`, true},
		{`{"type":"record","name":"R","namespace":"","fields":[]}`, true},
		{`{"type":"record","name":"R","namespace":null,"fields":[]}`, true},
		{`{"type":{"type":"string"}}`, false},
		{`[]`, true},
		{`["null"]`, true},
		{`[{"type":"array","items":"int"},{"type":"array","items":"string"}]`, false},
		{`["null",["int"]]`, false},
		{`["int","long","float"]`, true},
		{`[{"type":"record","name":"A","fields":[]},{"type":"record","name":"B","fields":[]}]`, true},
		{`{"type":"error","name":"R","fields":[]}`, true},
		{`{"type":"string"} x`, false},
		{`null`, false},
		{`42`, false},
		{`not json`, false},
		{`{"type":"record","name":"R","fields":[{"name":"a-b","type":"int"}]}`, false},
		{`{"type":"record","name":"a.b.R","fields":[{"name":"x","type":"a.b.R"},{"name":"y","type":"R"}]}`, true},
		{`{"type":"record","name":"R","namespace":"n","fields":[{"name":"x","type":{"type":"record","name":"S","namespace":"","fields":[]}},{"name":"y","type":"S"}]}`, true},
		{`{"type":"record","name":"R","namespace":"n","fields":[{"name":"x","type":{"type":"record","name":"S","fields":[]}},{"name":"y","type":"n.S"}]}`, true},
		{`{"type":"record","name":"R","fields":[{"name":"x","type":{"type":"record","name":"R","fields":[]}}]}`, false},
		{`{"type":"record","name":"R","fields":[{"name":"x","type":"int","order":"bogus"}]}`, false},
		{`{"type":"record","name":"R","fields":[{"name":"x","type":"nosuch","default":1}]}`, false},
		{`{"type":"record","name":"R","fields":[{"name":"x","type":{"type":"bytes","logicalType":"decimal","precision":0}}]}`, true},
		// Field defaults.
		{`{"type":"record","name":"R","fields":[{"name":"a","type":["null","string"],"default":"x"}]}`, false},
		{`{"type":"record","name":"R","fields":[{"name":"a","type":["string","null"],"default":"x"}]}`, true},
		{`{"type":"record","name":"R","fields":[{"name":"a","type":"float","default":"NaN"}]}`, true},
		{`{"type":"record","name":"R","fields":[{"name":"a","type":"int","default":1.5}]}`, false},
		{`{"type":"record","name":"R","fields":[{"name":"a","type":"int","default":3000000000}]}`, false},
		{`{"type":"record","name":"R","fields":[{"name":"a","type":"int","default":"1"}]}`, false},
		{`{"type":"record","name":"R","fields":[{"name":"a","type":"long","default":1.0}]}`, false},
		{`{"type":"record","name":"R","fields":[{"name":"a","type":"double","default":1}]}`, true},
		{`{"type":"record","name":"R","fields":[{"name":"a","type":"bytes","default":"\u00ff"}]}`, true},
		{`{"type":"record","name":"R","fields":[{"name":"a","type":"boolean","default":null}]}`, false},
		{`{"type":"record","name":"R","fields":[{"name":"a","type":"string","default":null}]}`, false},
		{`{"type":"record","name":"R","fields":[{"name":"a","type":"null","default":null}]}`, true},
		{`{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"record","name":"S","fields":[{"name":"x","type":"int"}]},"default":{}}]}`, false},
		{`{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"record","name":"S","fields":[{"name":"x","type":"int","default":1}]},"default":{}}]}`, true},
		{`{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"array","items":"int"},"default":[1,"x"]}]}`, false},
		{`{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"map","values":"int"},"default":{"k":1}}]}`, true},
		{`{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"fixed","name":"F","size":2},"default":"ab"}]}`, true},
		{`{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"enum","name":"E","symbols":["A"]},"default":"B"}]}`, true},
		{`{"type":"record","name":"R","fields":[{"name":"x","type":["null","int"],"default":null},{"name":"y","type":{"type":"array","items":["null","R"]}}]}`, true},
		// A record whose default needs its own default: finite, accepted.
		{`{"type":"record","name":"R","fields":[{"name":"x","type":"R","default":{}}]}`, true},
		{avro, true},
	}
	for _, tt := range tests {
		err := checkAvroDefinition(tt.def)
		if (err == nil) != tt.ok {
			t.Errorf("checkAvroDefinition(%s) = %v, want ok=%v", tt.def, err, tt.ok)
		}
		if err != nil && status.Code(err) != codes.InvalidArgument {
			t.Errorf("checkAvroDefinition(%s): code %v, want InvalidArgument", tt.def, status.Code(err))
		}
	}
	err := checkAvroDefinition(`{"type":"record","name":"x","fields":[{"name":"a","type":"nosuchtype"}]}`)
	if msg := status.Convert(err).Message(); !strings.Contains(msg, `field "a" of record "x"`) || !strings.Contains(msg, `"nosuchtype"`) {
		t.Errorf("message %q does not name the field and the type", msg)
	}
}

// TestAvroDefinitionRepoSchemas: every Avro schema file in the repository
// is accepted.
func TestAvroDefinitionRepoSchemas(t *testing.T) {
	files, _ := filepath.Glob("../../examples/*/schemas/*.avsc")
	more, _ := filepath.Glob("../export/testdata/*/schemas/*.avsc")
	files = append(files, more...)
	if len(files) == 0 {
		t.Skip("no .avsc files found")
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := checkAvroDefinition(string(b)); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
	def := `{"type": "record", "name": "Order", "namespace": "shop", "fields": [
	    {"name": "id", "type": "string"},
	    {"name": "total", "type": {"type": "bytes", "logicalType": "decimal", "precision": 9}},
	    {"name": "status", "type": {"type": "enum", "name": "Status", "symbols": ["NEW", "PAID"]}},
	    {"name": "note", "type": ["null", "string"], "default": null},
	    {"name": "tags", "type": {"type": "array", "items": "string"}, "default": []},
	    {"name": "attrs", "type": {"type": "map", "values": "long"}, "default": {}},
	    {"name": "prev", "type": ["null", "shop.Status"], "default": null},
	    {"name": "line", "type": {"type": "record", "name": "Line", "fields": [{"name": "sku", "type": "string"}]}, "default": {"sku": "x"}}]}`
	if err := checkAvroDefinition(def); err != nil {
		t.Errorf("the schema of TestAvroJSONValidation: %v", err)
	}
}
