package config

import (
	"testing"
)

// TestErrors checks diagnostics for invalid configurations, with exact
// positions. Every source starts with header (4 lines), so the first line
// of the snippet is line 5.
func TestErrors(t *testing.T) {
	tests := []struct {
		name string
		src  string
		opts Options
		want []string
	}{
		{
			name: "unknown argument with suggestion",
			src: header + `topic "orders" {
  mesage_retention = "1h"
}
`,
			want: []string{`main.hcl:6,3: error: Unsupported argument; An argument named "mesage_retention" is not expected here. Did you mean "message_retention"?`},
		},
		{
			name: "unknown block type with suggestion",
			src: header + `subscription "s" {
  topic = "t"
  retry_polcy {
    minimum_backoff = "1s"
  }
}
`,
			want: []string{`main.hcl:7,3: error: Unsupported block type; Blocks of type "retry_polcy" are not expected here. Did you mean "retry_policy"?`},
		},
		{
			name: "unknown top-level block",
			src: header + `topics "orders" {}
`,
			want: []string{`main.hcl:5,1: error: Unsupported block type; Did you mean "topic"?`},
		},
		{
			name: "argument where a block is expected",
			src: header + `subscription "s" {
  topic = "t"
  push = { endpoint = "https://x.example.com" }
}
`,
			want: []string{`main.hcl:7,3: error: Unsupported argument; Did you mean to define a block of type "push"?`},
		},
		{
			name: "block where an argument is expected",
			src: header + `topic "t" {
  labels {
    team = "x"
  }
}
`,
			want: []string{`main.hcl:6,3: error: Unsupported block type; Did you mean to define argument "labels"? If so, use the equals sign`},
		},
		{
			name: "argument of another kind",
			src: header + `subscription "s" {
  topic      = "t"
  publishers = ["user:a@example.com"]
}
`,
			want: []string{`main.hcl:7,3: error: Unsupported argument; "publishers" is only valid in topic blocks.`},
		},
		{
			name: "undeclared topic reference",
			src: header + `topic "orders" {}
subscription "s" {
  topic = topic.order
}
`,
			want: []string{`main.hcl:7,11: error: Reference to undeclared topic; A topic labelled "order" has not been declared. Did you mean "orders"?`},
		},
		{
			name: "undeclared schema reference",
			src: header + `schema "order-v1" {
  type       = "AVRO"
  definition = "{}"
}
topic "orders" {
  schema {
    name = schema.order-v2
  }
}
`,
			want: []string{`main.hcl:11,12: error: Reference to undeclared schema; Did you mean "order-v1"?`},
		},
		{
			name: "undeclared variable and local",
			src: header + `variable "region" {
  default = "eu"
}
locals {
  prefix = "shop"
}
topic "t" {
  name   = "${local.prefx}-${var.regon}"
}
`,
			want: []string{
				`main.hcl:12,15: error: Reference to undeclared local value; Did you mean "prefix"?`,
				`main.hcl:12,30: error: Reference to undeclared input variable; Did you mean "region"?`,
			},
		},
		{
			name: "unknown root name",
			src: header + `topic "orders" {}
subscription "s" {
  topic = tpic.orders
}
`,
			want: []string{`main.hcl:7,11: error: Reference to unknown name; There is nothing named "tpic" here. Did you mean "topic"?`},
		},
		{
			name: "each outside for_each",
			src: header + `topic "t" {
  name = "t-${each.key}"
}
`,
			want: []string{`main.hcl:6,15: error: Reference to "each" without for_each;`},
		},
		{
			name: "invalid each attribute",
			src: header + `topic "t" {
  for_each = toset(["a"])
  name     = "t-${each.kye}"
}
`,
			want: []string{`main.hcl:7,19: error: Invalid each attribute; Did you mean "key"?`},
		},
		{
			name: "for_each without name",
			src: header + `topic "t" {
  for_each = toset(["a", "b"])
}
`,
			want: []string{`main.hcl:6,3: error: Missing name for for_each; name = "t-${each.key}"`},
		},
		{
			name: "for_each over a list",
			src: header + `topic "t" {
  for_each = ["a", "b"]
  name     = each.key
}
`,
			want: []string{`main.hcl:6,14: error: Invalid for_each argument; Convert it with toset(...).`},
		},
		{
			name: "reference to for_each resource without key",
			src: header + `topic "t" {
  for_each = toset(["a", "b"])
  name     = "t-${each.key}"
}
subscription "s" {
  topic = topic.t
}
`,
			want: []string{`main.hcl:10,11: error: Incorrect argument type; pick one, e.g. topic.NAME["KEY"]`},
		},
		{
			name: "unknown for_each key",
			src: header + `topic "t" {
  for_each = toset(["a", "b"])
  name     = "t-${each.key}"
}
subscription "s" {
  topic = topic.t["c"]
}
`,
			want: []string{`main.hcl:10,18: error: Invalid index;`},
		},
		{
			name: "missing required argument",
			src: header + `subscription "s" {
  ack_deadline = "20s"
}
`,
			want: []string{`main.hcl:5,1: error: Missing required argument; The argument "topic" is required in subscription "s"`},
		},
		{
			name: "invalid duration",
			src: header + `subscription "s" {
  topic        = "t"
  ack_deadline = "20 seconds"
}
`,
			want: []string{`main.hcl:7,18: error: Invalid duration; Argument "ack_deadline": invalid duration "20 seconds"`},
		},
		{
			name: "number where a duration is expected",
			src: header + `subscription "s" {
  topic        = "t"
  ack_deadline = 20
}
`,
			want: []string{`main.hcl:7,18: error: Incorrect argument type; a duration string with a unit is required (e.g. "60s", "10m", "7d"), got number.`},
		},
		{
			name: "number where a string is expected",
			src: header + `subscription "s" {
  topic  = "t"
  filter = 5
}
`,
			want: []string{`main.hcl:7,12: error: Incorrect argument type; Inappropriate value for argument "filter": string required, got number.`},
		},
		{
			name: "string where a bool is expected",
			src: header + `subscription "s" {
  topic                   = "t"
  enable_message_ordering = "yes"
}
`,
			want: []string{`main.hcl:7,29: error: Incorrect argument type; bool required, got string.`},
		},
		{
			name: "label value of the wrong type",
			src: header + `topic "t" {
  labels = { team = "a", version = 2 }
}
`,
			want: []string{`main.hcl:6,12: error: Incorrect argument type; element "version": string required, got number.`},
		},
		{
			name: "fractional max_delivery_attempts",
			src: header + `subscription "s" {
  topic = "t"
  dead_letter {
    max_delivery_attempts = 5.5
  }
}
`,
			want: []string{`main.hcl:8,29: error: Invalid number; must be a whole number.`},
		},
		{
			name: "dead_letter = true",
			src: header + `subscription "s" {
  topic       = "t"
  dead_letter = true
}
`,
			want: []string{`main.hcl:7,17: error: Invalid dead_letter value; dead-lettering is on by default`},
		},
		{
			name: "retry_policy = true",
			src: header + `subscription "s" {
  topic        = "t"
  retry_policy = true
}
`,
			want: []string{`main.hcl:7,18: error: Invalid retry_policy value; Use a retry_policy block`},
		},
		{
			name: "dead_letter as a string",
			src: header + `subscription "s" {
  topic       = "t"
  dead_letter = "off"
}
`,
			want: []string{`main.hcl:7,17: error: Incorrect argument type; false (or a dead_letter block) required, got string.`},
		},
		{
			name: "dead_letter argument and block",
			src: header + `subscription "s" {
  topic       = "t"
  dead_letter = false
  dead_letter {
    max_delivery_attempts = 7
  }
}
`,
			want: []string{`main.hcl:8,3: error: Conflicting dead_letter settings; dead_letter is set both as an argument (at `},
		},
		{
			name: "disabled dead_letter with settings",
			src: header + `subscription "s" {
  topic = "t"
  dead_letter {
    enabled               = false
    max_delivery_attempts = 7
  }
}
`,
			want: []string{`main.hcl:9,5: error: Conflicting dead_letter settings; max_delivery_attempts has no effect`},
		},
		{
			name: "reason without enabled = false",
			src: header + `subscription "s" {
  topic = "t"
  dead_letter {
    reason = "because"
  }
}
`,
			want: []string{`main.hcl:8,5: error: Unexpected reason; only applies together with enabled = false`},
		},
		{
			name: "text and avro",
			src: header + `subscription "s" {
  topic = "t"
  cloud_storage {
    bucket = "b"
    text {}
    avro {}
  }
}
`,
			want: []string{`main.hcl:10,5: error: Conflicting output formats;`},
		},
		{
			name: "invalid iam_policy",
			src: header + `topic "t" {
  iam_policy = "additive"
}
`,
			want: []string{`main.hcl:6,16: error: Invalid iam_policy; The only value is "authoritative"`},
		},
		{
			name: "invalid topic name",
			src: header + `subscription "s" {
  topic = "projects/p/subscriptions/x"
}
`,
			want: []string{`main.hcl:6,11: error: Invalid topic name; use a reference such as topic.orders`},
		},
		{
			name: "duplicate resource label",
			src: header + `topic "t" {}
topic "t" {}
`,
			want: []string{`main.hcl:6,7: error: Duplicate topic; A topic labelled "t" was already declared at `},
		},
		{
			name: "invalid label",
			src: header + `topic "orders.v1" {}
`,
			want: []string{`main.hcl:5,7: error: Invalid topic label; name = "orders.v1"`},
		},
		{
			name: "missing label",
			src: header + `topic {}
`,
			want: []string{`main.hcl:5,1: error: Missing name for topic;`},
		},
		{
			name: "extra label",
			src: header + `topic "a" "b" {}
`,
			want: []string{`main.hcl:5,11: error: Extraneous label for topic;`},
		},
		{
			name: "duplicate single block",
			src: header + `topic "t" {
  lifecycle {
    prevent_destroy = true
  }
  lifecycle {
    prevent_destroy = false
  }
}
`,
			want: []string{`main.hcl:9,3: error: Duplicate lifecycle block; Only one lifecycle block is allowed in topic "t"`},
		},
		{
			name: "missing pubsubctl block",
			src: `topic "t" {}
`,
			// The rest is still checked, with a placeholder project.
			want: []string{`main.hcl:1,1: error: Missing pubsubctl block;`, `main.hcl:1,7: error: Invalid topic name; "t" is 1 characters long`},
		},
		{
			name: "duplicate pubsubctl block",
			src:  header + header,
			want: []string{`main.hcl:5,1: error: Duplicate pubsubctl block;`},
		},
		{
			name: "missing stack",
			src: `pubsubctl {
  project = "p"
}
`,
			want: []string{`main.hcl:1,1: error: Missing required argument; The argument "stack" is required in the pubsubctl block`},
		},
		{
			name: "missing project",
			src: `pubsubctl {
  stack = "s"
}
`,
			want: []string{`main.hcl:1,1: error: No project set; Set it with --project, with project = "..." in the pubsubctl block, or with the PUBSUBCTL_PROJECT or GOOGLE_CLOUD_PROJECT environment variable.`},
		},
		{
			name: "cycle between locals",
			src: header + `locals {
  a = local.b
  b = "${local.a}-x"
}
`,
			want: []string{`main.hcl:7,10: error: Cycle in references; local.a refers to itself: local.a → local.b → local.a.`},
		},
		{
			name: "cycle through a resource name",
			src: header + `locals {
  name = "${topic.t}-x"
}
topic "t" {
  name = local.name
}
`,
			want: []string{`main.hcl:6,13: error: Cycle in references; topic.t refers to itself: topic.t → local.name → topic.t.`},
		},
		{
			name: "self-referencing local",
			src: header + `locals {
  a = local.a
}
`,
			want: []string{`main.hcl:6,7: error: Cycle in references; local.a refers to itself: local.a → local.a.`},
		},
		{
			name: "variable default referencing a variable",
			src: header + `variable "a" {
  default = "x"
}
variable "b" {
  default = var.a
}
`,
			want: []string{`main.hcl:9,13: error: Reference not allowed; A variable's default cannot refer to var values`},
		},
		{
			name: "variable without value",
			src: header + `variable "region" {
  type = string
}
`,
			want: []string{`main.hcl:5,1: error: No value for required variable; pass --var region=VALUE`},
		},
		{
			name: "variable default of the wrong type",
			src: header + `variable "n" {
  type    = number
  default = "many"
}
`,
			want: []string{`main.hcl:7,13: error: Invalid value for variable; The value of var.n (from its default) is not a valid number`},
		},
		{
			name: "variable validation",
			src: header + `variable "project" {
  default = "abc"
  validation {
    condition     = length(var.project) > 5
    error_message = "Project IDs have at least 6 characters."
  }
}
`,
			want: []string{`main.hcl:8,21: error: Invalid value for variable; Project IDs have at least 6 characters.`},
		},
		{
			name: "undeclared --var",
			src: header + `variable "region" {
  default = "eu"
}
`,
			opts: Options{Vars: map[string]string{"regoin": "us"}},
			want: []string{`<value for --var regoin>:1,1: error: Value for undeclared variable; Did you mean "region"?`},
		},
		{
			name: "invalid --var expression for a list",
			src: header + `variable "regions" {
  type    = list(string)
  default = []
}
`,
			opts: Options{Vars: map[string]string{"regions": `["eu",`}},
			want: []string{`<value for var.regions from --var regions>:1,7: error: Missing expression;`},
		},
		{
			name: "invalid type expression",
			src: header + `variable "x" {
  type = strin
}
`,
			want: []string{`main.hcl:6,10: error: Invalid type specification;`},
		},
		{
			name: "file not found",
			src: header + `schema "s" {
  type       = "AVRO"
  definition = file("missing.avsc")
}
`,
			want: []string{`main.hcl:7,16: error: Error in function call; no file exists at "missing.avsc"`},
		},
		{
			name: "unknown function",
			src: header + `topic "t" {
  name = uppr("x")
}
`,
			want: []string{`main.hcl:6,10: error: Call to unknown function; There is no function named "uppr". Did you mean "upper"?`},
		},
		{
			name: "duplicate defaults block",
			src: header + `defaults {}
defaults {}
`,
			want: []string{`main.hcl:6,1: error: Duplicate defaults block;`},
		},
		{
			name: "unknown defaults setting",
			src: header + `defaults {
  subscription {
    ack_dedline = "20s"
  }
}
`,
			want: []string{`main.hcl:7,5: error: Unsupported argument; Did you mean "ack_deadline"?`},
		},
		{
			name: "attribute in defaults",
			src: header + `defaults {
  ack_deadline = "20s"
}
`,
			want: []string{`main.hcl:6,3: error: Unsupported argument; Only blocks are allowed here.`},
		},
		{
			name: "block in locals",
			src: header + `locals {
  x {}
}
`,
			want: []string{`main.hcl:6,3: error: Unsupported block type; A locals block contains only arguments`},
		},
		{
			name: "duplicate local",
			src: header + `locals {
  a = 1
}
locals {
  a = 2
}
`,
			want: []string{`main.hcl:9,3: error: Duplicate local value;`},
		},
		{
			name: "syntax error",
			src: header + `topic "t" {
  name = 
}
`,
			want: []string{`main.hcl:6,10: error: Invalid expression;`},
		},
		{
			name: "conflicting retry_policy",
			src: header + `defaults {
  subscription {
    retry_policy = false
    retry_policy {
      minimum_backoff = "1s"
    }
  }
}
`,
			want: []string{`main.hcl:8,5: error: Conflicting retry_policy settings;`},
		},
		{
			name: "null for_each",
			src: header + `topic "t" {
  for_each = null
  name     = "x"
}
`,
			want: []string{`main.hcl:6,14: error: Invalid for_each argument; The for_each value is null`},
		},
		{
			name: "errors are reported once for all instances",
			src: header + `subscription "s" {
  for_each = toset(["a", "b", "c"])
  name     = "s-${each.key}"
  topic    = "t"
  filter   = 1
}
`,
			want: []string{`main.hcl:9,14: error: Incorrect argument type;`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, diags := loadSrc(t, tt.src, tt.opts)
			wantDiags(t, diags, tt.want...)
		})
	}
}

func TestProjectCycle(t *testing.T) {
	_, diags := loadSrc(t, `pubsubctl {
  project = local.p
  stack   = "s"
}
locals {
  p = trimprefix(topic.t, "projects/")
}
topic "t" {}
`, Options{})
	wantDiags(t, diags, "main.hcl:6,18: error: Cycle in references; pubsubctl.project refers to itself: pubsubctl.project → local.p → topic.t → pubsubctl.project.")
}
