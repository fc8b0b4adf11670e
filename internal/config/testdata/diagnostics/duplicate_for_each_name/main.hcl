pubsubctl {
  project = "demo-project"
  stack   = "test"
}

topic "orders" {
}

subscription "audit" {
  for_each = toset(["eu", "us"])
  name     = "orders-audit"
  topic    = topic.orders
}
