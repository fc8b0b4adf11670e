pubsubctl {
  project = "demo-project"
  stack   = "test"
}

topic "orders" {
  iam {
    role = "roles/pubsub.publisher"
    members = [
      "domain:example.com",
      "principalSet://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/github/*",
    ]
    allow_broad = true
  }
}
