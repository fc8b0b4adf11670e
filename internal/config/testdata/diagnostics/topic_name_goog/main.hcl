pubsubctl {
  project = "demo-project"
  stack   = "test"
}

topic "goog-x" {
}
