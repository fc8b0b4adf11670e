// Package export turns the live Pub/Sub resources of a project into a
// pubsubctl configuration (`pubsubctl export`). (Letting go of resources,
// `pubsubctl forget`, is a plan action: plan.ForgetChange.)
//
// Generate writes HCL that describes the project exactly as it is. Because
// pubsubctl's built-in defaults are safer than Pub/Sub's own (dead-lettering
// on, backoff 10s..600s, no expiration, a 60s ack deadline), every value that
// differs from pubsubctl's default is written explicitly: a subscription
// without a dead-letter policy gets dead_letter { enabled = false ... }, one
// without a retry policy retry_policy = false, Pub/Sub's 31-day expiration
// expiration = "31d", and so on. Values equal to pubsubctl's defaults are
// left out. Loading the result and planning it against the same project with
// --adopt therefore shows adopt actions that only add the ownership labels
// (managed-by, pubsubctl-stack), and no IAM change.
//
// References are written instead of names wherever the target is exported
// too (topic = topic.orders, schema { name = schema.order }). Resource IDs
// that are not valid HCL identifiers (they contain . ~ + or %) get a
// sanitized block label and an explicit name argument, so they can still be
// referenced. Schema definitions go to schemas/<name>.avsc or .proto next to
// the configuration and are read back with file().
//
// The package only depends on the model: the caller reads live state (with
// internal/live) and writes the files (WriteFiles).
package export
