pubsubctl {
  project = "demo-project"
  stack   = "test"
}

topic "orders" {
  publishers = [
    "user:alice@example.com",
    "group:ops@example.com",
    "principal://iam.googleapis.com/locations/global/workforcePools/pool/subject/alice",
    "principalSet://iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/pool/attribute.team/x",
  ]
  # A whole domain is a broad member: it needs an iam block with allow_broad.
  iam {
    role        = "roles/pubsub.viewer"
    members     = ["domain:example.com"]
    allow_broad = true
  }
  iam {
    role    = "projects/demo-project/roles/orderAuditor"
    members = ["serviceAccount:auditor@demo-project.iam.gserviceaccount.com"]
  }
}
