pubsubctl {
  project = "demo-project"
  stack   = "test"
}

topic "orders" {
}

subscription "orders-billing" {
  topic = topic.orders
  filter = <<-EOT
    attributes:a AND
  EOT
}
