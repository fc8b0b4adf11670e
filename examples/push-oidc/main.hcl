# Push delivery to a Cloud Run service, authenticated with an OIDC token
# minted for a dedicated invoker service account.

pubsubctl {
  project        = var.project
  stack          = "notifications"
  project_number = "123456789012"
}

variable "project" {
  type    = string
  default = "demo-project"
}

variable "endpoint" {
  type        = string
  default     = "https://notifier-abc123-ew.a.run.app"
  description = "Base URL of the notifier service."

  validation {
    condition     = startswith(var.endpoint, "https://")
    error_message = "Push endpoints must use HTTPS."
  }
}

locals {
  invoker = "push-invoker@${var.project}.iam.gserviceaccount.com"
}

topic "notifications" {
  labels     = { team = "growth" }
  publishers = ["serviceAccount:api@${var.project}.iam.gserviceaccount.com"]
}

subscription "notifications-push" {
  topic        = topic.notifications
  ack_deadline = "30s"

  push {
    endpoint = "${var.endpoint}/pubsub/push"
    oidc {
      service_account = local.invoker
      audience        = var.endpoint
    }
  }

  retry_policy {
    minimum_backoff = "5s"
    maximum_backoff = "5m"
  }

  dead_letter {
    max_delivery_attempts = 15
  }
}

subscription "notifications-raw" {
  topic = topic.notifications

  push {
    endpoint = "${var.endpoint}/pubsub/raw"
    no_wrapper {
      write_metadata = true
    }
    oidc {
      service_account = local.invoker
    }
  }
}
