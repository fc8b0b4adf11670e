pubsubctl {
  project = "demo-project"
  stack   = "test"
}

topic "orders" {
  tags = { "123456789012/environment" = "production" }
  message_transform {
    javascript_udf {
      function_name = "redact"
      code          = <<-EOT
        function redact(message, metadata) {
          const o = JSON.parse(message.data);
          delete o.card;
          return { data: JSON.stringify(o), attributes: message.attributes };
        }
      EOT
    }
  }
}

topic "clicks" {
  ingestion {
    aws_kinesis {
      stream_arn          = "arn:aws:kinesis:us-east-1:111111111111:stream/clicks"
      consumer_arn        = "arn:aws:kinesis:us-east-1:111111111111:stream/clicks/consumer/pubsub:1700000000"
      aws_role_arn        = "arn:aws:iam::111111111111:role/pubsub-ingestion"
      gcp_service_account = "ingest@demo-project.iam.gserviceaccount.com"
    }
    platform_logs { severity = "WARNING" }
  }
}

subscription "orders-bt" {
  topic = topic.orders
  tags  = { "tagKeys/123" = "tagValues/456" }
  bigtable {
    table           = "projects/demo-project/instances/orders/tables/events"
    app_profile_id  = "pubsub"
    write_metadata  = true
    service_account = "bt-writer@demo-project.iam.gserviceaccount.com"
  }
  message_transform {
    enabled = false
    ai_inference {
      endpoint   = "projects/demo-project/locations/us-central1/endpoints/123"
      parameters = jsonencode({ temperature = 0.2 })
    }
  }
}
