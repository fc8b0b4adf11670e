pubsubctl {
  project = "demo-project"
  stack   = "test"
}

topic "orders" {
}

subscription "orders-billing" {
  topic = topic.orders
  filter = "attributes.a = \"1\" AND attributes.b = \"2\" OR attributes:c"
}
