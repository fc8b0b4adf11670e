pubsubctl {
  project = "demo-project"
  stack   = "test"
}

topic "orders" {
  schema {
    name     = schema.missing
    encoding = "JSON"
  }
}
