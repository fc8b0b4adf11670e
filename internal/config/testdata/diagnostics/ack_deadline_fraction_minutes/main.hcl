pubsubctl {
  project = "demo-project"
  stack   = "test"
}

topic "orders" {
}

subscription "orders-billing" {
  topic        = topic.orders
  ack_deadline = "1.5m"
}
