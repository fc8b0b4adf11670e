pubsubctl {
  project = "demo-project"
  stack   = "test"
}

schema "order" {
  type       = "AVRO"
  definition = <<-EOT
    {
      "type": "record",
      "name": "Order",
      "fields": [
        {"name": "id", "type": "strng"}
      ]
    }
  EOT
}
