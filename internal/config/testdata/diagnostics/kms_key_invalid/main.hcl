pubsubctl {
  project = "demo-project"
  stack   = "test"
}

topic "orders" {
  kms_key_name = "my-key"
}
