pubsubctl {
  project = "demo-project"
  stack   = "test"
}

topic "orders" {
  message_transform {
    javascript_udf {
      function_name = "f"
      code          = "function f(m) { return m }"
    }
    compression {
      algorithm = "ZLIB"
      mode      = "COMPRESS"
    }
  }
  message_transform {
    javascript_udf {
      function_name = "f"
      code          = "function f(m) { return null }"
    }
  }
  message_transform {
  }
  message_transform {
    compression {
      algorithm = "GZIP"
      mode      = "SHRINK"
    }
  }
  message_transform {
    ai_inference {
      endpoint   = "projects/p/endpoints/e"
      parameters = "[1, 2]"
    }
  }
}
