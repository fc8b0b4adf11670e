pubsubctl {
  project = "demo-project"
  stack   = "test"
}

topic "orders" {
  message_transform {
    javascript_udf {
      function_name = "redact"
      code          = <<EOT
function redact(message, metadata) {
  return message;
}}
EOT
    }
  }
}

subscription "orders-audit" {
  topic = topic.orders
  message_transform {
    javascript_udf {
      function_name = "audit"
      code          = "function other(m) { return m }"
    }
  }
}
