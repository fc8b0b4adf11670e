pubsubctl {
  project = "demo-project"
  stack   = "test"
}

topic "orders" {
}

subscription "orders-billing" {
  topic = topic.orders
  subscribers = ["deleted:user:bob@example.com?uid=123"]
}
