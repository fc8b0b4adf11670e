# The Pub/Sub resources of the compose example: the emulator service
# (compose.yaml) is bootstrapped from this directory, and with --watch an
# edit here is applied to it while it runs.

pubsubctl {
  project        = "demo-project"
  stack          = "local"
  project_number = "123456789012"
}

topic "orders" {
  labels = { env = "local" }
}

subscription "orders-worker" {
  topic        = topic.orders
  ack_deadline = "30s"
}
