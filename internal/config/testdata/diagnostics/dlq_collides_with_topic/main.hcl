pubsubctl {
  project = "demo-project"
  stack   = "test"
}

topic "orders" {
}

topic "orders-billing-dlq" {
}

subscription "orders-billing" {
  topic = topic.orders
}
