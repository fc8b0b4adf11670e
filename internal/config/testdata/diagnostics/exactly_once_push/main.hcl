pubsubctl {
  project = "demo-project"
  stack   = "test"
}

topic "orders" {
}

subscription "orders-billing" {
  topic = topic.orders
  enable_exactly_once_delivery = true
  push {
    endpoint = "https://example.com/push"
  }
}
