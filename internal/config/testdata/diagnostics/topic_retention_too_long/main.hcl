pubsubctl {
  project = "demo-project"
  stack   = "test"
}

topic "orders" {
  message_retention = "32d"
}
