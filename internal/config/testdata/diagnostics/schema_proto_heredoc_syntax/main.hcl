pubsubctl {
  project = "demo-project"
  stack   = "test"
}

schema "order" {
  type       = "PROTOCOL_BUFFER"
  definition = <<EOT
syntax = "proto3";
message Order {
  string id = 1
  int32 qty = 2;
}
EOT
}
