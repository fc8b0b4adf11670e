pubsubctl {
  project = "demo-project"
  stack   = "test"
}

variable "token" {
  type      = string
  sensitive = true
  default   = "short"
  validation {
    condition     = length(var.token) >= 20
    error_message = "The token ${var.token} is too short."
  }
}
