pubsubctl {
  project = "demo-project"
  stack   = "test"
}

topic "hubs" {
  ingestion {
    azure_event_hubs {
      resource_group      = "rg"
      namespace           = "ns"
      event_hub           = "orders"
      client_id           = "not-a-uuid"
      tenant_id           = "00000000-0000-0000-0000-000000000000"
      subscription_id     = "00000000-0000-0000-0000-000000000001"
      gcp_service_account = "ingest@demo-project.iam.gserviceaccount.com"
    }
  }
}

topic "kafka" {
  ingestion {
    confluent_cloud {
      bootstrap_server    = "pkc-123.us-east1.gcp.confluent.cloud"
      cluster_id          = "lkc-123"
      topic               = "orders"
      identity_pool_id    = "pool-1"
      gcp_service_account = "ingest@demo-project.iam.gserviceaccount.com"
    }
  }
}
