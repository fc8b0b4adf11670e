pubsubctl {
  project = "demo-project"
  stack   = "test"
}

topic "clicks" {
  ingestion {
    aws_kinesis {
      stream_arn          = "arn:aws:kinesis:us-east-1:111111111111:stream/clicks"
      consumer_arn        = "arn:aws:kinesis:us-east-1:111111111111:stream/clicks/consumer/pubsub:1700000000"
      gcp_service_account = "ingest@demo-project.iam.gserviceaccount.com"
    }
  }
}
