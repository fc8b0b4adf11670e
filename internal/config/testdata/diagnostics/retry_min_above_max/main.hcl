pubsubctl {
  project = "demo-project"
  stack   = "test"
}

topic "orders" {
}

subscription "orders-billing" {
  topic = topic.orders
  retry_policy {
    minimum_backoff = "60s"
    maximum_backoff = "30s"
  }
}
