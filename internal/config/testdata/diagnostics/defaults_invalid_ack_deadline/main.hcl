pubsubctl {
  project = "demo-project"
  stack   = "test"
}

defaults {
  subscription {
    ack_deadline = "5s"
  }
}

topic "orders" {
}

subscription "orders-billing" {
  topic = topic.orders
}

subscription "orders-audit" {
  topic = topic.orders
}
