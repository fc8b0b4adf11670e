pubsubctl {
  project = "demo-project"
  stack   = "test"
}

topic "orders" {
  iam {
    role        = "roles/Editor"
    members     = ["group:ops@example.com"]
    allow_broad = true
  }
}
