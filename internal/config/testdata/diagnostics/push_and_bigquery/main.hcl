pubsubctl {
  project = "demo-project"
  stack   = "test"
}

topic "orders" {
}

subscription "orders-billing" {
  topic = topic.orders
  push {
    endpoint = "https://example.com/push"
  }
  bigquery {
    table = "demo-project.analytics.orders"
  }
}
