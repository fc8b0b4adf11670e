pubsubctl {
  project = "demo-project"
  stack   = "test"
}

schema "order" {
  type       = "AVRO"
  definition = "{\"type\": \"enum\", \"name\": \"Color\", \"symbols\": [\"RED\", \"RED\"]}"
}
