pubsubctl {
  project = "demo-project"
  stack   = "test"
}

defaults {
  topic {
    message_retention = "0s"
  }
}

topic "orders" {
}

topic "payments" {
}
