schema "invoice_v1" {
  name       = "invoice.v1"
  type       = "PROTOCOL_BUFFER"
  definition = file("schemas/invoice.v1.proto")
}

schema "order" {
  type       = "AVRO"
  definition = file("schemas/order.avsc")
  iam {
    role        = "roles/pubsub.viewer"
    members     = ["domain:example.com"]
    allow_broad = true
  }
}
