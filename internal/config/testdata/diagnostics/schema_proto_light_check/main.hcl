pubsubctl {
  project = "demo-project"
  stack   = "test"
}

schema "order" {
  type       = "PROTOCOL_BUFFER"
  definition = "{\"type\": \"record\"}"
}
