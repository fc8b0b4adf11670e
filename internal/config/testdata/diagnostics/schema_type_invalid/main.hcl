pubsubctl {
  project = "demo-project"
  stack   = "test"
}

schema "order" {
  type       = "JSON"
  definition = "{}"
}
