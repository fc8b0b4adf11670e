pubsubctl {
  project = "demo-project"
  stack   = "test"
}

topic "orders" {
  iam {
    role    = "pubsub.viewer"
    members = ["group:ops@example.com"]
  }
}
