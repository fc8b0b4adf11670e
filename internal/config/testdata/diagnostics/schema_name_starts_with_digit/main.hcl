pubsubctl {
  project = "demo-project"
  stack   = "test"
}

schema "order" {
  name       = "1order"
  type       = "AVRO"
  definition = "{\"type\": \"string\"}"
}
