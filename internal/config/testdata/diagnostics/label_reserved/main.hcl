pubsubctl {
  project = "demo-project"
  stack   = "test"
}

topic "orders" {
  labels = { "managed-by" = "terraform" }
}
