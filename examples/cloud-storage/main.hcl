# Archive every audit event to Cloud Storage as Avro files, one file per
# five minutes or 100 MB, whichever comes first.

pubsubctl {
  project        = var.project
  stack          = "archive"
  project_number = "123456789012"
}

variable "project" {
  type    = string
  default = "demo-project"
}

topic "audit-events" {
  message_retention = "3d"
  labels = {
    team        = "security"
    data-class  = "restricted"
    cost-center = "cc-1234"
  }
  publishers = ["group:auditors@example.com"]
}

subscription "audit-events-archive" {
  topic = topic.audit-events

  cloud_storage {
    bucket                   = "${var.project}-audit-archive"
    filename_prefix          = "audit/"
    filename_suffix          = ".avro"
    filename_datetime_format = "YYYY-MM-DD/hh_mm_ssZ"
    max_duration             = "5m"
    max_bytes                = 100000000
    max_messages             = 10000

    avro {
      write_metadata = true
    }
  }
}

subscription "audit-events-text" {
  topic = topic.audit-events

  cloud_storage {
    bucket          = "${var.project}-audit-text"
    filename_prefix = "text/"
    text {}
  }

  lifecycle {
    prevent_destroy = true
  }
}
