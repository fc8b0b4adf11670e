pubsubctl {
  project = "demo-project"
  stack   = "test"
}

topic "orders" {
  iam {
    role      = "roles/pubsub.publisher"
    members   = ["group:ops@example.com"]
    condition {
      title      = "until 2030"
      expression = "request.time < timestamp(\"2030-01-01T00:00:00Z\")"
    }
  }
}
