pubsubctl {
  project = "demo-project"
  stack   = "test"
}

topic "orders" {
}

subscription "orders-billing" {
  topic = topic.orders
  cloud_storage {
    bucket = "gs://my-bucket"
  }
}
