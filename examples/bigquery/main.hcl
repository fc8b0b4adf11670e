# Stream page views straight into a BigQuery table that uses the topic's
# Avro schema.

pubsubctl {
  project        = var.project
  stack          = "analytics"
  project_number = "123456789012"
}

variable "project" {
  type    = string
  default = "demo-project"
}

variable "dataset" {
  type    = string
  default = "analytics"
}

schema "page-view" {
  type = "AVRO"
  definition = jsonencode({
    type = "record"
    name = "PageView"
    fields = [
      { name = "url", type = "string" },
      { name = "user_id", type = "string" },
      { name = "viewed_at", type = "long" },
    ]
  })
}

topic "page-views" {
  message_retention = "7d"
  schema {
    name     = schema.page-view
    encoding = "JSON"
  }
  publishers = ["serviceAccount:web@${var.project}.iam.gserviceaccount.com"]
}

subscription "page-views-bq" {
  topic = topic.page-views

  bigquery {
    table               = "${var.project}.${var.dataset}.page_views"
    use_topic_schema    = true
    write_metadata      = true
    drop_unknown_fields = true
  }
}
