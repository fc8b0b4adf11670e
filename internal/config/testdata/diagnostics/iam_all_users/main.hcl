pubsubctl {
  project = "demo-project"
  stack   = "test"
}

topic "orders" {
  viewers = ["group:ops@example.com", "allUsers"]
}
