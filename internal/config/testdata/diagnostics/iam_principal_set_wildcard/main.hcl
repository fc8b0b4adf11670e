pubsubctl {
  project = "demo-project"
  stack   = "test"
}

topic "orders" {
  publishers = [
    "principalSet://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/github/*",
  ]
}
