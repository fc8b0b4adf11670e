pubsubctl {
  project = "demo-project"
  stack   = "test"
}

topic "ab" {
}
