# One topic per domain event and one subscription per consuming service,
# generated with for_each.

pubsubctl {
  project        = var.project
  stack          = "fan-out"
  project_number = "123456789012"
}

variable "project" {
  type    = string
  default = "demo-project"
}

variable "events" {
  type = map(object({
    retention = string
    consumers = list(string)
  }))
  default = {
    user-signed-up = { retention = "24h", consumers = ["email", "crm"] }
    user-deleted   = { retention = "7d", consumers = ["crm", "billing", "search"] }
  }
}

locals {
  # One entry per (event, consumer) pair: "user-deleted.crm" => {...}.
  subscriptions = merge([
    for event, cfg in var.events : {
      for consumer in cfg.consumers : "${event}.${consumer}" => {
        event    = event
        consumer = consumer
      }
    }
  ]...)
}

topic "event" {
  for_each          = var.events
  name              = "ev-${each.key}"
  message_retention = each.value.retention
  labels            = { event = each.key }
  publishers        = ["serviceAccount:events@${var.project}.iam.gserviceaccount.com"]
}

subscription "consumer" {
  for_each    = local.subscriptions
  name        = "ev-${each.value.event}-${each.value.consumer}"
  topic       = topic.event[each.value.event]
  labels      = { consumer = each.value.consumer }
  subscribers = ["serviceAccount:${each.value.consumer}@${var.project}.iam.gserviceaccount.com"]
}
