pubsubctl {
  project = "demo-project"
  stack   = "test"
}

variable "tenants" {
  type      = set(string)
  sensitive = true
  default   = ["acme"]
}

topic "tenant" {
  for_each = var.tenants
  name     = "tenant-${each.key}"
}

topic "secret" {
  name = "orders-${join("-", var.tenants)}"
}
