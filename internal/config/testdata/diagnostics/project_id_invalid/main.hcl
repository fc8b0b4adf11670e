pubsubctl {
  project = "Demo_Project"
  stack   = "test"
}

topic "orders" {
}

subscription "orders-billing" {
  topic = topic.orders
}
