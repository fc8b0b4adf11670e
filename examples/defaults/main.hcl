# A defaults block changes pubsubctl's safe built-in defaults for every
# resource of this configuration; a resource can still override any of
# them, and `pubsubctl plan` shows where each value came from.

pubsubctl {
  project        = var.project
  stack          = "payments"
  project_number = "123456789012"
}

variable "project" {
  type    = string
  default = "demo-project"
}

defaults {
  subscription {
    ack_deadline      = "120s"
    message_retention = "3d"
    expiration        = "never"
    retry_policy {
      minimum_backoff = "30s"
      maximum_backoff = "10m"
    }
    dead_letter {
      max_delivery_attempts = 20
    }
    labels = { team = "payments" }
  }
  topic {
    message_retention = "7d"
    labels            = { team = "payments" }
  }
}

topic "payments" {}

# Uses every default.
subscription "payments-ledger" {
  topic = topic.payments
}

# Overrides some of them.
subscription "payments-fraud" {
  topic                        = topic.payments
  ack_deadline                 = "20s"
  enable_exactly_once_delivery = true
  labels                       = { team = "risk" }
  dead_letter {
    max_delivery_attempts = 5
  }
}
