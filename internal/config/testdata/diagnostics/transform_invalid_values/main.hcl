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
  }
  message_transform {
    javascript_udf {
      function_name = "f"
      code          = "function f(m) { return null }"
    }
  }
  message_transform {
    compression {
      algorithm = "GZIP"
      mode      = "SHRINK"
    }
  }
  message_transform {
    ai_inference {
      endpoint        = "projects/p/endpoints/e"
      service_account = "someone"
    }
  }
  message_transform {
    javascript_udf {
      function_name = "not-an-identifier"
      code          = "function x(m) { return m }"
    }
  }
  message_transform {
    javascript_udf {
      function_name = "sixth"
      code          = "function sixth(m) { return m }"
    }
  }
}
