pubsubctl {
  project = "demo-project"
  stack   = "test"
}

topic "orders" {
}

subscription "orders-billing" {
  topic = topic.orders
  retry_policy {
    minimum_backoff = "0.5m"
    maximum_backoff = "600s"
  }
}
