pubsubctl {
  project = "demo-project"
  stack   = "test"
}

topic "orders" {
}

subscription "orders-billing" {
  topic = topic.orders
  enable_message_ordering = "yes"
}
