pubsubctl {
  project = "demo-project"
  stack   = "test"
}

topic "orders" {
}

queue "orders" {
}
