pubsubctl {
  project = "demo-project"
  stack   = "test"
}

topic "orders" {
}

subscription "orders-billing" {
  topic = topic.orders
  bigquery {
    table            = "demo-project:analytics.orders"
    use_topic_schema = true
    use_table_schema = true
  }
}
