pubsubctl {
  project = "demo-project"
  stack   = "test"
}

topic "orders" {
  publishers = ["serviceAccount:app@demo-project.iam.gserviceaccount.com"]
}

subscription "orders-billing" {
  topic = topic.orders
  subscribers = ["serviceAccount:app@demo-project.iam.gserviceaccount.com"]
}
