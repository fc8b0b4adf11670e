pubsubctl {
  project = "demo-project"
  stack   = "test"
}

topic "clicks" {
  ingestion {
    aws_msk {
      cluster_arn         = "arn:aws:kafka:us-east-1:111111111111:cluster/orders/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0-1"
      topic               = "clicks"
      aws_role_arn        = "arn:aws:iam::111111111111:role/pubsub"
      gcp_service_account = "ingest@demo-project.iam.gserviceaccount.com"
    }
    cloud_storage {
      bucket = "clicks-archive"
    }
  }
}
