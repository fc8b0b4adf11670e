pubsubctl {
  project = "demo-project"
  stack   = "test"
}

topic "orders" {
}

topic "orders-copy" {
  name = "orders"
}
