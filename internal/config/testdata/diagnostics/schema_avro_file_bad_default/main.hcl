pubsubctl {
  project = "demo-project"
  stack   = "test"
}

schema "order" {
  type       = "AVRO"
  definition = file("schemas/order.avsc")
}
