pubsubctl {
  project = "demo-project"
  stack   = "test"
}

topic "clicks" {
  ingestion {
    aws_kinesis {
      stream_arn          = "arn:aws:kinesis:us-east-1:111111111111:stream/clicks"
      consumer_arn        = "arn:aws:kinesis:us-east-1:111111111111:stream/other/consumer/pubsub:1700000000"
      aws_role_arn        = "arn:aws:iam::1111:role/pubsub"
      gcp_service_account = "serviceAccount:ingest@demo-project.iam.gserviceaccount.com"
    }
  }
}
