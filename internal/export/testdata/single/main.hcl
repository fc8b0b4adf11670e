# Exported from project shop-prod by `pubsubctl export`.
#
# Wherever the project differs from pubsubctl's defaults the value is written
# explicitly, so this configuration describes the project exactly as it is:
# `pubsubctl plan --adopt` only adds the ownership labels. Delete an explicit
# value to move to pubsubctl's safer default; plan then shows the change.

pubsubctl {
  project        = "shop-prod"
  stack          = "shop"
  project_number = "123456789012"
}
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

topic "invoices_v1" {
  name = "invoices.v1"
  message_storage_policy {
    allowed_persistence_regions = ["europe-west1", "europe-west4"]
  }
  schema {
    name     = schema.invoice_v1
    encoding = "BINARY"
  }
}

subscription "invoices_v1-bq" {
  name  = "invoices.v1-bq"
  topic = topic.invoices_v1
  # Pub/Sub's default. Delete this line for pubsubctl's default, "60s".
  ack_deadline = "10s"
  # Pub/Sub's default: deleted after 31 idle days. Delete this line for
  # pubsubctl's default, "never".
  expiration = "31d"
  # No retry policy: redelivered at once. Delete this line for pubsubctl's
  # default, exponential backoff from 10s to 600s.
  retry_policy = false
  dead_letter {
    topic                 = topic.orders-failed
    max_delivery_attempts = 5
  }
  bigquery {
    table            = "shop-prod.analytics.invoices"
    use_topic_schema = true
    write_metadata   = true
  }
}

topic "legacy" {}

subscription "legacy-sub" {
  topic = topic.legacy
  # Pub/Sub's default. Delete this line for pubsubctl's default, "60s".
  ack_deadline = "10s"
  # Pub/Sub's default: deleted after 31 idle days. Delete this line for
  # pubsubctl's default, "never".
  expiration = "31d"
  # No retry policy: redelivered at once. Delete this line for pubsubctl's
  # default, exponential backoff from 10s to 600s.
  retry_policy = false
  # No dead-letter policy. Delete this block for pubsubctl's default:
  # dead-lettering to a new topic and subscription "legacy-sub-dlq".
  dead_letter {
    enabled = false
    reason  = "exported: no dead-letter policy live"
  }
}

topic "orders" {
  labels = {
    team = "checkout"
  }
  message_retention = "1d"
  schema {
    name     = schema.order
    encoding = "JSON"
  }
  publishers = ["serviceAccount:checkout@shop-prod.iam.gserviceaccount.com"]
  iam {
    role        = "roles/pubsub.editor"
    members     = ["group:platform@example.com"]
    allow_broad = true
  }
}

subscription "orders-archive" {
  topic = topic.orders
  # Pub/Sub's default. Delete this line for pubsubctl's default, "60s".
  ack_deadline = "10s"
  # Pub/Sub's default: deleted after 31 idle days. Delete this line for
  # pubsubctl's default, "never".
  expiration = "31d"
  # No retry policy: redelivered at once. Delete this line for pubsubctl's
  # default, exponential backoff from 10s to 600s.
  retry_policy = false
  # No dead-letter policy. Delete this block for pubsubctl's default:
  # dead-lettering to a new topic and subscription "orders-archive-dlq".
  dead_letter {
    enabled = false
    reason  = "exported: no dead-letter policy live"
  }
  cloud_storage {
    bucket          = "shop-archive"
    filename_prefix = "orders/"
    max_duration    = "5m"
    avro {
      write_metadata = true
    }
  }
}

subscription "orders-audit" {
  topic = topic.orders
  # Pub/Sub's default. Delete this line for pubsubctl's default, "60s".
  ack_deadline = "10s"
  # Pub/Sub's default: deleted after 31 idle days. Delete this line for
  # pubsubctl's default, "never".
  expiration = "31d"
  # No retry policy: redelivered at once. Delete this line for pubsubctl's
  # default, exponential backoff from 10s to 600s.
  retry_policy = false
  # No dead-letter policy. Delete this block for pubsubctl's default:
  # dead-lettering to a new topic and subscription "orders-audit-dlq".
  dead_letter {
    enabled = false
    reason  = "exported: no dead-letter policy live"
  }
}

subscription "orders-billing" {
  topic                   = topic.orders
  filter                  = "attributes.event_type = \"order.placed\""
  enable_message_ordering = true
  ack_deadline            = "30s"
  retry_policy {
    minimum_backoff = "5s"
  }
  dead_letter {
    topic                 = topic.orders-failed
    max_delivery_attempts = 10
  }
  labels = {
    consumer = "billing"
  }
  subscribers = ["serviceAccount:billing@shop-prod.iam.gserviceaccount.com"]
  viewers     = ["user:auditor@example.com"]
}

subscription "orders-push" {
  topic             = topic.orders
  message_retention = "3d"
  expiration        = "14d"
  # No dead-letter policy. Delete this block for pubsubctl's default:
  # dead-lettering to a new topic and subscription "orders-push-dlq".
  dead_letter {
    enabled = false
    reason  = "exported: no dead-letter policy live"
  }
  push {
    endpoint = "https://fulfilment.example.com/pubsub"
    oidc {
      service_account = "push-invoker@shop-prod.iam.gserviceaccount.com"
      audience        = "https://fulfilment.example.com"
    }
  }
  iam {
    role        = "roles/pubsub.viewer"
    members     = ["allAuthenticatedUsers"]
    allow_broad = true
  }
}

topic "orders-failed" {}

subscription "orders-failed" {
  topic = topic.orders-failed
  # Pub/Sub's default. Delete this line for pubsubctl's default, "60s".
  ack_deadline          = "10s"
  retain_acked_messages = true
  # No retry policy: redelivered at once. Delete this line for pubsubctl's
  # default, exponential backoff from 10s to 600s.
  retry_policy = false
  # No dead-letter policy. Delete this block for pubsubctl's default:
  # dead-lettering to a new topic and subscription "orders-failed-dlq".
  dead_letter {
    enabled = false
    reason  = "exported: no dead-letter policy live"
  }
}

subscription "partner-feed" {
  topic                        = "projects/partner-project/topics/feed"
  enable_exactly_once_delivery = true
  # Pub/Sub's default. Delete this line for pubsubctl's default, "60s".
  ack_deadline = "10s"
  # Pub/Sub's default: deleted after 31 idle days. Delete this line for
  # pubsubctl's default, "never".
  expiration = "31d"
  # No retry policy: redelivered at once. Delete this line for pubsubctl's
  # default, exponential backoff from 10s to 600s.
  retry_policy = false
  # No dead-letter policy. Delete this block for pubsubctl's default:
  # dead-lettering to a new topic and subscription "partner-feed-dlq".
  dead_letter {
    enabled = false
    reason  = "exported: no dead-letter policy live"
  }
}
