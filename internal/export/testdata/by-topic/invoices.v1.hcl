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
