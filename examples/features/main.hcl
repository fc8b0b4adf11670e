# Every newer Pub/Sub feature pubsubctl describes, in one stack:
# - a topic whose JavaScript UDF redacts card numbers and drops test orders
#   on publish (try it: pubsubctl transform test topic.orders -m samples.jsonl),
# - a subscription whose own UDF tags messages before delivery,
# - a Bigtable subscription,
# - import topics ingesting from Amazon Kinesis and from Cloud Storage,
# - tags bound at creation (a tag change replaces the resource).

pubsubctl {
  project        = var.project
  stack          = "features"
  project_number = "123456789012"
}

variable "project" {
  type    = string
  default = "demo-project"
}

topic "orders" {
  tags = { "123456789012/environment" = "production" }

  message_transform {
    javascript_udf {
      function_name = "redact"
      code          = file("redact.js")
    }
  }
  # Kept for later, not applied.
  message_transform {
    enabled = false
    ai_inference {
      endpoint   = "projects/${var.project}/locations/us-central1/endpoints/1234567890"
      parameters = jsonencode({ temperature = 0.2 })
    }
  }
}

subscription "orders-audit" {
  topic = topic.orders
  tags  = { "123456789012/environment" = "production" }

  message_transform {
    javascript_udf {
      function_name = "audit"
      code          = <<-EOT
        function audit(message, metadata) {
          message.attributes.audited_id = metadata.message_id;
          return message;
        }
      EOT
    }
  }
}

subscription "orders-bigtable" {
  topic = topic.orders

  bigtable {
    table           = "projects/${var.project}/instances/orders/tables/events"
    app_profile_id  = "pubsub"
    write_metadata  = true
    service_account = "bigtable-writer@${var.project}.iam.gserviceaccount.com"
  }
}

topic "clicks" {
  ingestion {
    aws_kinesis {
      stream_arn          = "arn:aws:kinesis:us-east-1:111111111111:stream/clicks"
      consumer_arn        = "arn:aws:kinesis:us-east-1:111111111111:stream/clicks/consumer/pubsub:1700000000"
      aws_role_arn        = "arn:aws:iam::111111111111:role/pubsub-ingestion"
      gcp_service_account = "ingestion@${var.project}.iam.gserviceaccount.com"
    }
    platform_logs {
      severity = "WARNING"
    }
  }
}

topic "landing" {
  ingestion {
    cloud_storage {
      bucket     = "${var.project}-landing"
      match_glob = "**.json"
      text_format {
        delimiter = "\n"
      }
    }
  }
}

subscription "clicks" {
  topic = topic.clicks
}
