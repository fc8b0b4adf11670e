// Package plan owns the plan: the pure comparison of a desired
// configuration with live state. It normalizes both sides so an unchanged
// configuration is an exact no-op, diffs them field by field into Changes
// (create, update, replace with reasons, delete, adopt), decides ownership
// from labels, flags danger, orders changes by dependency, and digests the
// live state and the configuration so a saved plan can be verified
// (Digest, ConfigDigest, Divergence). Which fields are compared, and which
// force a replace, come from the field table (model.Fields). It also
// builds the changes of `pubsubctl forget` (ForgetChange: the ownership
// labels removed), which apply's executor runs like any other. A Plan is
// plain data: renderers and the executor only read it.
package plan
