pubsubctl {
  project = "demo-project"
  stack   = "test"
}

topic "orders" {
  message_storage_policy {
    allowed_persistence_regions = []
  }
}
