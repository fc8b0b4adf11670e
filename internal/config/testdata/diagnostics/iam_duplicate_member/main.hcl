pubsubctl {
  project = "demo-project"
  stack   = "test"
}

topic "orders" {
  publishers = [
    "group:ops@example.com",
    "group:ops@example.com",
  ]
}
