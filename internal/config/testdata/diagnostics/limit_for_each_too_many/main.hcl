pubsubctl {
  project = "demo-project"
  stack   = "test"
}

topic "events" {
  for_each = toset(flatten([for a in range(101) : [for b in range(100) : "${a}-${b}"]]))
  name     = "events-${each.key}"
}
