schema "invoice_v1" {
  name       = "invoice.v1"
  type       = "PROTOCOL_BUFFER"
  definition = file("schemas/invoice.v1.proto")
}

schema "order" {
  type       = "AVRO"
  definition = file("schemas/order.avsc")
  viewers    = ["domain:example.com"]
}
