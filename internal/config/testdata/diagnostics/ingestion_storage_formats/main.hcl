pubsubctl {
  project = "demo-project"
  stack   = "test"
}

topic "files" {
  ingestion {
    cloud_storage {
      bucket                     = "gs://landing"
      minimum_object_create_time = "yesterday"
      text_format {}
      avro_format {}
    }
    platform_logs {
      severity = "LOUD"
    }
  }
}
