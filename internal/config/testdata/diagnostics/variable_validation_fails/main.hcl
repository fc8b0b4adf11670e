pubsubctl {
  project = "demo-project"
  stack   = "test"
}

variable "team" {
  type    = string
  default = "X"
  validation {
    condition     = lower(var.team) == var.team
    error_message = "The team must be lower case."
  }
}

topic "orders" {
  labels = { team = var.team }
}
