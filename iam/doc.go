// Package iam owns pubsubctl's IAM policy math: turning the IAM declared on a
// resource (shortcuts, iam blocks, iam_policy = "authoritative" and the
// service agent's dead-letter grants) into a desired policy, diffing it
// member by member against a live policy, and producing the policy to write
// back in an etag read-modify-write loop. It is the one home of the IAM
// rules: member and role grammar (rules.go; deleted: members only in live
// policies), broad roles and broad members, and Lint, the least-privilege
// lint of a configuration that the loader runs after model.Validate; the
// Pub/Sub service agent's dead-letter grants (AddDeadLetterGrants); and the
// list of permissions the identity running pubsubctl needs.
//
// The rules:
//
//   - For every role a resource declares, the member set is authoritative:
//     missing members are added and extra members are removed.
//   - Roles the configuration never names are left exactly as they are,
//     unless the resource says iam_policy = "authoritative", in which case the
//     whole policy is managed and undeclared roles lose their members.
//   - A role named only by additive bindings (pubsubctl's own dead-letter
//     grants to the Pub/Sub service agent) only has its members ensured; no
//     member is ever removed from it. When the user also declares that role,
//     the grant joins the authoritative member set.
//   - Conditional bindings found live are never touched (Pub/Sub does not
//     support conditions, but a policy written by another tool may carry
//     them); ConditionalBindings reports them.
//   - Members compare exactly, except that the e-mail of user:,
//     serviceAccount: and group: members and the name of domain: members
//     compare case-insensitively, because IAM stores them in lower case (see
//     CanonicalMember).
//
// The package makes no network calls and knows no protobuf types: the one
// etag read-modify-write loop that uses Diff and Apply is apply's executor
// (apply/iam.go), which talks to Pub/Sub through internal/live.
package iam
