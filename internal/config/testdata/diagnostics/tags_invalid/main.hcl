pubsubctl {
  project = "demo-project"
  stack   = "test"
}

topic "orders" {
  tags = {
    "123456789012/environment" = "production"
    "environment"              = "production"
    "tagKeys/123"              = "production"
    "my-project/cost center"   = "-x-"
  }
}
