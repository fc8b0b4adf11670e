pubsubctl {
  project = "demo-project"
  stack   = "test"
}

locals {
  grid = [for a in range(1000) : [for b in range(1000) : "${a}-${b}"]]
}
