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
