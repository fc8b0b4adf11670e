pubsubctl {
  project = "demo-project"
  stack   = "Test Stack"
}

topic "orders" {
}

subscription "orders-billing" {
  topic = topic.orders
}
