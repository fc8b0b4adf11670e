pubsubctl {
  project = "demo-project"
  stack   = "test"
}

topic "orders" {
}

subscription "orders-billing" {
  topic = topic.orders
  dead_letter {
    enabled = false
    reason  = "the consumer is idempotent and replays from the source of truth"
  }
}
