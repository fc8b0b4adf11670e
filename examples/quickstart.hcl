# A whole configuration in one file: the quickest way to try pubsubctl.
#
#   pubsubctl validate examples/quickstart.hcl
#   pubsubctl emulator --port 8085 &
#   export PUBSUB_EMULATOR_HOST=127.0.0.1:8085
#   pubsubctl plan examples/quickstart.hcl
#
# It is the only *.hcl file directly in examples/, so `pubsubctl validate
# examples` loads exactly this configuration; every other example is a
# directory of its own (examples/shop, examples/minimal, ...).

pubsubctl {
  project        = var.project
  stack          = "quickstart"
  project_number = "123456789012"
}

variable "project" {
  type    = string
  default = "demo-project"
}

topic "signups" {
  labels     = { team = "growth" }
  publishers = ["serviceAccount:web@${var.project}.iam.gserviceaccount.com"]
}

# Pull subscription with pubsubctl's safe defaults: dead-letter topic and
# subscription signups-welcome-dlq (5 attempts), backoff 10s..600s, never
# expires, 60s ack deadline.
subscription "signups-welcome" {
  topic       = topic.signups
  filter      = "attributes.plan != \"trial\""
  subscribers = ["serviceAccount:mailer@${var.project}.iam.gserviceaccount.com"]
}
