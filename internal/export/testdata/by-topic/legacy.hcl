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
