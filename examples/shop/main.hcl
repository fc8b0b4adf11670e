# The shop: orders are published by checkout and consumed by billing,
# fulfilment (push), and one audit subscription per region.

pubsubctl {
  project        = var.project
  stack          = "shop"
  project_number = "123456789012"
}

variable "project" {
  type        = string
  default     = "demo-project"
  description = "Google Cloud project that holds the shop's Pub/Sub resources."

  validation {
    condition     = length(var.project) > 5
    error_message = "A project ID has at least 6 characters."
  }
}

variable "regions" {
  type        = set(string)
  default     = ["eu", "us"]
  description = "Regions that get their own audit subscription."
}

locals {
  checkout = "serviceAccount:checkout@${var.project}.iam.gserviceaccount.com"
  billing  = "serviceAccount:billing@${var.project}.iam.gserviceaccount.com"
  auditor  = "serviceAccount:auditor@${var.project}.iam.gserviceaccount.com"
  team     = { team = "checkout" }
}

# Project-wide defaults: the built-in ones are safe; this only tunes them.
defaults {
  subscription {
    ack_deadline = "60s"
    dead_letter {
      max_delivery_attempts = 10
    }
  }
}

schema "order" {
  type       = "AVRO"
  definition = file("schemas/order.avsc")
}

topic "orders" {
  labels            = local.team
  message_retention = "24h"
  schema {
    name     = schema.order
    encoding = "JSON"
  }
  publishers = [local.checkout]
}

subscription "orders-billing" {
  topic                   = topic.orders
  filter                  = "attributes.event_type = \"order.placed\""
  enable_message_ordering = true
  subscribers             = [local.billing]
  labels                  = merge(local.team, { consumer = "billing" })
}

subscription "orders-push" {
  topic = topic.orders
  push {
    endpoint = "https://fulfilment.example.com/pubsub"
    oidc {
      service_account = "push-invoker@${var.project}.iam.gserviceaccount.com"
      audience        = "https://fulfilment.example.com"
    }
  }
  dead_letter {
    enabled = false
    reason  = "fulfilment retries on its side and keeps its own failure queue"
  }
}

subscription "orders-audit" {
  for_each    = var.regions
  name        = "orders-audit-${each.key}"
  topic       = topic.orders
  filter      = "attributes.region = \"${each.key}\""
  subscribers = [local.auditor]
}
