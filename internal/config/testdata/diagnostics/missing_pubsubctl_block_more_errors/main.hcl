topic "orders" {
  message_retention = "1m"
}

subscription "orders-billing" {
  topic        = topic.orders
  ack_deadline = "5s"
}
