# The smallest useful configuration: one topic and one pull subscription.
# Everything else comes from pubsubctl's safe defaults: a dead-letter topic
# and subscription (events-worker-dlq), exponential backoff, no expiration,
# a 60s ack deadline and ownership labels. `pubsubctl plan` shows them all.

pubsubctl {
  project        = var.project
  stack          = "minimal"
  project_number = "123456789012"
}

variable "project" {
  type    = string
  default = "demo-project"
}

topic "events" {}

subscription "events-worker" {
  topic = topic.events
}
