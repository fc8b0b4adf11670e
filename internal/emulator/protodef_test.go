package emulator

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

func TestProtoDefinition(t *testing.T) {
	valid := []string{
		`syntax = "proto3"; message M { string a = 1; }`,
		// gcloud pubsub schemas create's own example.
		`syntax = 'proto3'; message Message { optional string key = 1; }`,
		"syntax = \"proto3\";\nmessage Ticket {\n  string id = 1;\n  string title = 2;\n  int32 priority = 3;\n}\n",
		`message M { optional string a = 1; }`, // no syntax: proto2
		`message M {}`,
		`// An order.
		syntax = "proto3";
		package shop.v1;
		option java_package = "com.example.shop";
		option (my.file_opt).x = { a: 1 b: "two" c { d: [1, 2] } };
		/* The message. */
		message Order {
		  enum Status { option allow_alias = true; NEW = 0; OPEN = 0; PAID = 1; }
		  message Line { string sku = 1; int64 qty = 2; }
		  string id = 1 [json_name = "orderId", deprecated = true];
		  Status status = 2;
		  repeated Line lines = 3;
		  map<string, Line> by_sku = 4;
		  map<int32, .shop.v1.Order.Status> codes = 5;
		  oneof payment { string card = 6; bytes token = 7 [(my.opt) = -inf]; }
		  reserved 8, 10 to 12, 100 to max;
		  reserved "old", "older";
		  optional double total = 13;
		  Nested.Deep deep = 14;
		  message Nested { message Deep { float f = 1; } }
		  sfixed64 big = 0x1F;
		  uint32 oct = 017;
		  google_type wrapped = 20;
		  message google_type { bool b = 1; }
		}`,
		`syntax = "proto2";
		message M {
		  required int32 id = 1 [default = 5];
		  optional group Result = 2 { optional string url = 3; repeated string snippets = 4; }
		  extensions 100 to 199, 500 to max;
		  extend M { optional int32 ext = 100; }
		  enum E { NEG = -1; ZERO = 0; reserved -5 to -2; reserved "GONE"; }
		  optional E e = 5 [default = NEG];
		  optional string s = 6 [default = "a" "b"];
		  optional double d = 7 [default = 1.5e3];
		  oneof o { string x = 8; int32 y = 9; }
		}`,
	}
	for _, def := range valid {
		if err := checkProtoDefinition(def); err != nil {
			t.Errorf("rejected a valid definition: %v\n%s", err, def)
		}
	}
	invalid := []struct{ def, want string }{
		{`this is not proto`, `found "this"`},
		{`syntax = "proto3";`, "no message"},
		{`syntax = "proto4"; message M { string a = 1; }`, "unknown syntax"},
		{`edition = "2023"; message M { string a = 1; }`, "edition"},
		{`message M { optional string a = 1; } syntax = "proto3";`, "first statement"},
		{`syntax = "proto3"; message M { Line.Nested.Deep d = 1; message Line {} message Nested { message Deep {} } }`, "unknown type"},
		{`syntax = "proto3"; import "google/protobuf/timestamp.proto"; message M { google.protobuf.Timestamp t = 1; }`, "import"},
		{`syntax = "proto3"; message M { string a = 1; } message N { string b = 1; }`, "second top-level message"},
		{`syntax = "proto3"; enum E { A = 0; } message M { E a = 1; }`, "top-level enum"},
		{`syntax = "proto3"; enum E { A = 0; }`, "top-level enum"},
		{`syntax = "proto3"; message M { string a = 1; } service S { rpc R (M) returns (M); }`, "top-level service"},
		{`syntax = "proto3"; message M { nosuchtype a = 1; }`, `unknown type "nosuchtype"`},
		{`syntax = "proto3"; message M { N a = 1; message O { N b = 1; } }`, `unknown type "N"`},
		{`syntax = "proto3"; message M { string a = 1; string b = 1; }`, "already used"},
		{`syntax = "proto3"; message M { string a = 1; int32 a = 2; }`, "defined twice"},
		{`syntax = "proto3"; message M { string a = 1 }`, `expected ";"`},
		{`syntax = "proto3"; message M { string a; }`, `expected "="`},
		{`syntax = "proto3"; message M { string a = 1;`, `missing "}"`},
		{`syntax = "proto3"; message M { string a = 1; } }`, `found "}"`},
		{`syntax = "proto3"; message M { string a = 0; }`, "out of range"},
		{`syntax = "proto3"; message M { string a = 536870912; }`, "out of range"},
		{`syntax = "proto3"; message M { string a = 19000; }`, "reserved"},
		{`syntax = "proto3"; message M { required string a = 1; }`, "required"},
		{`syntax = "proto3"; message M { string a = 1 [default = "x"]; }`, "default"},
		{`syntax = "proto3"; message M { optional group G = 1 { string x = 2; } }`, "groups"},
		{`syntax = "proto3"; message M { extensions 100 to 200; }`, "extension ranges"},
		{`syntax = "proto3"; message M { enum E { A = 1; } }`, "must be 0"},
		{`syntax = "proto3"; message M { enum E { } }`, "no values"},
		{`syntax = "proto3"; message M { map<float, string> m = 1; }`, "map key"},
		{`syntax = "proto3"; message M { repeated map<string, string> m = 1; }`, "map fields"},
		{`syntax = "proto3"; message M { oneof o { } }`, "no fields"},
		{`syntax = "proto3"; message M { oneof o { repeated string a = 1; } }`, "oneof"},
		{`message M { string a = 1; }`, "needs a label in proto2"},
		{`syntax = "proto3"; message M { string a = "1"; }`, "field number"},
		{`syntax = "proto3"; message M { string a = 1; } /* open`, "comment"},
		{`syntax = "proto3"; message M { string a = 1 [json_name = "x]; }`, "string literal"},
		{`syntax = "proto3"; message M { string a = 1; message M2 {} message M2 {} }`, "already defined"},
		{`syntax = "proto3"; message M { string a = 1; } #`, "unexpected character"},
		{`syntax = "proto3"; message M { string a = 1x; }`, "invalid number"},
	}
	for _, tt := range invalid {
		err := checkProtoDefinition(tt.def)
		if err == nil {
			t.Errorf("accepted an invalid definition (%s): %s", tt.want, tt.def)
			continue
		}
		st := status.Convert(err)
		if st.Code() != codes.InvalidArgument || !strings.Contains(st.Message(), tt.want) || !strings.Contains(st.Message(), "PROTOCOL_BUFFER") {
			t.Errorf("%s:\n got %v %q, want InvalidArgument mentioning %q", tt.def, st.Code(), st.Message(), tt.want)
		}
	}
}

// TestProtoDefinitionRepoSchemas: every .proto schema file in the
// repository is accepted.
func TestProtoDefinitionRepoSchemas(t *testing.T) {
	var files []string
	for _, g := range []string{"../../examples/*/schemas/*.proto", "../export/testdata/*/schemas/*.proto", "../../testdata/*/*/*.proto"} {
		m, _ := filepath.Glob(g)
		files = append(files, m...)
	}
	if len(files) == 0 {
		t.Skip("no .proto files found")
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := checkProtoDefinition(string(b)); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}

// FuzzSchemaDefinition: neither definition checker may panic or hang.
func FuzzSchemaDefinition(f *testing.F) {
	f.Add(`syntax = "proto3"; message M { map<string, int32> m = 1; oneof o { string a = 2; } }`)
	f.Add(`message M { optional group G = 1 { optional int32 x = 2; } extensions 10 to max; }`)
	f.Add(`{"type":"record","name":"R","fields":[{"name":"a","type":["null","R"],"default":null}]}`)
	f.Fuzz(func(t *testing.T, def string) {
		_ = checkProtoDefinition(def)
		_ = checkAvroDefinition(def)
	})
}
