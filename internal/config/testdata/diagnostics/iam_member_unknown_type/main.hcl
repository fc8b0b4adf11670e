pubsubctl {
  project = "demo-project"
  stack   = "test"
}

topic "orders" {
  viewers = ["robot:r2@example.com"]
}
