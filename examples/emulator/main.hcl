# Ready for the local emulator (`pubsubctl emulator`, or the gcloud one via
# PUBSUB_EMULATOR_HOST): pull subscriptions only, since emulators cannot
# deliver push, BigQuery or Cloud Storage subscriptions.

pubsubctl {
  project        = "demo-project"
  stack          = "local"
  project_number = "123456789012"
}

schema "ticket" {
  type       = "PROTOCOL_BUFFER"
  definition = <<-PROTO
    syntax = "proto3";
    message Ticket {
      string id = 1;
      string title = 2;
      int32 priority = 3;
    }
  PROTO
}

topic "tickets" {
  labels = { env = "local" }
  schema {
    name     = schema.ticket
    encoding = "BINARY"
  }
}

subscription "tickets-triage" {
  topic                   = topic.tickets
  ack_deadline            = "30s"
  filter                  = "hasPrefix(attributes.queue, \"support-\")"
  enable_message_ordering = true
}

subscription "tickets-stats" {
  topic                        = topic.tickets
  retain_acked_messages        = true
  message_retention            = "1d"
  enable_exactly_once_delivery = true
  retry_policy                 = false
}
