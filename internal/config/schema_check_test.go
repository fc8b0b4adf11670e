package config

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestSchemaDefinitionPositions checks where a problem inside a definition
// is reported: at its own line and column in a heredoc (<<EOT and <<-EOT)
// or in the file that file() read, otherwise at the definition with the
// position inside it in the message.
func TestSchemaDefinitionPositions(t *testing.T) {
	header := "pubsubctl {\n  project = \"demo-project\"\n  stack   = \"test\"\n}\n"
	avsc := "{\n  \"type\": \"record\",\n  \"name\": \"Order\",\n  \"fields\": [{\"name\": \"id\", \"type\": \"strng\"}]\n}\n"
	tests := []struct {
		name       string
		files      map[string]string
		wantFile   string
		line, col  int
		wantDetail string
	}{
		{
			name: "flush heredoc",
			files: map[string]string{"main.hcl": header + `
schema "order" {
  type       = "AVRO"
  definition = <<-EOT
    {
      "type": "record",
      "name": "Order",
      "fields": [{"name": "id", "type": "strng"}]
    }
  EOT
}
`},
			wantFile: "main.hcl", line: 12, col: 41, wantDetail: "unknown type: strng",
		},
		{
			name: "plain heredoc",
			files: map[string]string{"main.hcl": header + `
schema "order" {
  type       = "PROTOCOL_BUFFER"
  definition = <<EOT
syntax = "proto3";
message Order {
  strng id = 1;
}
EOT
}
`},
			wantFile: "main.hcl", line: 11, col: 3, wantDetail: "unknown type strng",
		},
		{
			name: "file",
			files: map[string]string{
				"main.hcl":           header + "\nschema \"order\" {\n  type       = \"AVRO\"\n  definition = file(\"schemas/order.avsc\")\n}\n",
				"schemas/order.avsc": avsc,
			},
			wantFile: "schemas/order.avsc", line: 4, col: 37, wantDetail: "definition = file(...) at ",
		},
		{
			name: "quoted string",
			files: map[string]string{"main.hcl": header + `
schema "order" {
  type       = "AVRO"
  definition = "{\"type\": \"enum\", \"name\": \"E\", \"symbols\": [\"A\", \"A\"]}"
}
`},
			wantFile: "main.hcl", line: 8, col: 16, wantDetail: `duplicate symbol "A" (line 1, column 48 of the definition)`,
		},
		{
			name: "interpolated heredoc",
			files: map[string]string{"main.hcl": header + `
locals {
  t = "strng"
}
schema "order" {
  type       = "AVRO"
  definition = <<EOT
{"type": "record", "name": "O", "fields": [{"name": "id", "type": "${local.t}"}]}
EOT
}
`},
			wantFile: "main.hcl", line: 11, col: 16, wantDetail: "unknown type: strng (line 1, column 67 of the definition)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeDir(t, tt.files)
			_, diags := Load(Options{Dir: dir})
			if len(diags) != 1 {
				t.Fatalf("want one diagnostic, got:\n%s", diagLines(diags))
			}
			d := diags[0]
			if d.Subject == nil {
				t.Fatal("no subject")
			}
			if got, want := d.Subject.Filename, filepath.Join(dir, tt.wantFile); got != want {
				t.Errorf("file %s, want %s", got, want)
			}
			if d.Subject.Start.Line != tt.line || d.Subject.Start.Column != tt.col {
				t.Errorf("at %d,%d, want %d,%d (%s)", d.Subject.Start.Line, d.Subject.Start.Column, tt.line, tt.col, d.Detail)
			}
			if !strings.Contains(d.Detail, tt.wantDetail) {
				t.Errorf("detail %q does not contain %q", d.Detail, tt.wantDetail)
			}
		})
	}
}
