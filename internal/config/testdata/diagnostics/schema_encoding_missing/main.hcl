pubsubctl {
  project = "demo-project"
  stack   = "test"
}

schema "order" {
  type       = "AVRO"
  definition = "{\"type\": \"string\"}"
}

topic "orders" {
  schema {
    name = schema.order
  }
}
