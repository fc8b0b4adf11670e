pubsubctl {
  project = "demo-project"
  stack   = "test"
}

topic "orders" {
  message_transform {
    javascript_udf {
      function_name = "redact"
      code          = file("redact.js")
    }
  }
  message_transform {
    javascript_udf {
      function_name = "indented"
      code          = <<-EOT
        function indented(message) {
          return message +;
        }
      EOT
    }
  }
}
