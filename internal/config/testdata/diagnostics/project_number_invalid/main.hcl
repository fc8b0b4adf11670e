pubsubctl {
  project = "demo-project"
  stack   = "test"
  project_number = "12ab"
}

topic "orders" {
}

subscription "orders-billing" {
  topic = topic.orders
}
