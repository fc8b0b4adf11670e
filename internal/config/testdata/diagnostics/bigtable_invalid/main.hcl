pubsubctl {
  project = "demo-project"
  stack   = "test"
}

subscription "orders-bt" {
  topic = topic.orders
  bigtable {
    table          = "orders-table"
    app_profile_id = "-bad"
  }
  push {
    endpoint = "https://example.com/push"
  }
}

topic "orders" {
}
