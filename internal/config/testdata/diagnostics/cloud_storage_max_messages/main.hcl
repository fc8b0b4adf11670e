pubsubctl {
  project = "demo-project"
  stack   = "test"
}

topic "orders" {
}

subscription "orders-billing" {
  topic = topic.orders
  cloud_storage {
    bucket       = "my-bucket"
    max_messages = 10
  }
}
