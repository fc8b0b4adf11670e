pubsubctl {
  project = "demo-project"
  stack   = "test"
}

topic "orders" {
  labels = { team = "Check Out" }
}
