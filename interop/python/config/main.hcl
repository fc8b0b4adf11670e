# The Python interop check's configuration (interop/python/check.py): a push
# subscription, with OIDC tokens and message ordering, to the FastAPI app
# the check runs on a free port of 127.0.0.1.

pubsubctl {
  project        = "interop-project"
  stack          = "python"
  project_number = "123456789012"
}

variable "push_endpoint" {
  type        = string
  description = "URL of the FastAPI app's push route (http:// on loopback: the emulator accepts it)."
}

topic "orders" {}

subscription "orders-push" {
  topic                   = topic.orders
  ack_deadline            = "10s"
  enable_message_ordering = true

  push {
    endpoint = var.push_endpoint
    oidc {
      service_account = "pusher@interop-project.iam.gserviceaccount.com"
      audience        = "https://orders.example.com"
    }
  }

  retry_policy {
    minimum_backoff = "1s"
    maximum_backoff = "5s"
  }
}
