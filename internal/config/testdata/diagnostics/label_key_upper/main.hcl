pubsubctl {
  project = "demo-project"
  stack   = "test"
}

topic "orders" {
  labels = { Team = "checkout" }
}
