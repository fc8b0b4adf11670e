pubsubctl {
  project = "demo-project"
  stack   = "test"
}

topic "orders" {
  publishers = ["checkout@demo-project.iam.gserviceaccount.com"]
}
