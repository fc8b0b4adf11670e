pubsubctl {
  project = "demo-project"
  stack   = "test"
}

topic "orders" {
}

subscription "orders-billing" {
  topic = topic.orders
  push {
    endpoint = "https://example.com/push"
    oidc {
      service_account = "serviceAccount:invoker@demo-project.iam.gserviceaccount.com"
    }
  }
}
