pubsubctl {
  project = "demo-project"
  stack   = "test"
}

variable "env" {
  type    = string
  default = "prod"
}

locals {
  checkout = "serviceAccount:checkout@demo-project.iam.gserviceaccount.com"
  billing  = "serviceAccount:billing@demo-project.iam.gserviceaccount.com"
}

schema "order" {
  type       = "AVRO"
  definition = jsonencode({ type = "record", name = "Order", fields = [{ name = "id", type = "string" }] })
}

topic "orders" {
  labels            = { team = "checkout" }
  message_retention = "24h"
  schema {
    name     = schema.order
    encoding = "JSON"
  }
  publishers = [local.checkout]
}

subscription "orders-billing" {
  topic                   = topic.orders
  filter                  = "attributes.env = \"${var.env}\" AND attributes:tenant"
  enable_message_ordering = true
  ack_deadline            = "600s"
  expiration              = "30d"
  subscribers             = [local.billing]
}

subscription "orders-push" {
  topic = topic.orders
  push {
    endpoint = "https://billing.example.com/pubsub"
    oidc {
      service_account = "push-invoker@demo-project.iam.gserviceaccount.com"
      audience        = "https://billing.example.com"
    }
  }
}

subscription "orders-audit" {
  for_each = toset(["eu", "us"])
  name     = "orders-audit-${each.key}"
  topic    = topic.orders
  filter   = "attributes.region = \"${each.key}\""
}
