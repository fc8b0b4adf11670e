pubsubctl {
  project = "demo-project"
  stack   = "test"
}

topic "orders" {
  iam {
    role    = "roles/editor"
    members = ["group:ops@example.com"]
  }
}
