pubsubctl {
  project = "demo-project"
  stack   = "test"
}

schema "order" {
  type       = "PROTOCOL_BUFFER"
  definition = <<-EOT
    syntax = "proto3";
    import "google/protobuf/timestamp.proto";
    message Order {
      string id = 1;
    }
    message Line {
      string sku = 1;
    }
  EOT
}
