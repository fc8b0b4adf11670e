pubsubctl {
  project = "demo-project"
  stack   = "test"
}

topic "orders" {
  labels = { size = "x${1e400}" }
}
