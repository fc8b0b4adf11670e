# Exported from project shop-prod by `pubsubctl export`.
#
# Wherever the project differs from pubsubctl's defaults the value is written
# explicitly, so this configuration describes the project exactly as it is:
# `pubsubctl plan --adopt` only adds the ownership labels. Delete an explicit
# value to move to pubsubctl's safer default; plan then shows the change.

pubsubctl {
  project        = "shop-prod"
  stack          = "shop"
  project_number = "123456789012"
}
