// Package emulator is an embedded Google Cloud Pub/Sub emulator for tests,
// local development and benchmarks.
//
// It re-hosts the state machine of cloud.google.com/go/pubsub/v2/pstest on a
// gRPC server of its own, so that it can add what pstest lacks:
//
//   - panic recovery: no request, however malformed, stops the server; a
//     panic becomes codes.Internal and serving continues;
//   - a conformance layer that validates requests before pstest sees them and
//     fixes responses afterwards, so the emulator answers like the real
//     service where pstest differs (resource-name and label rules, update
//     masks, ack deadlines, retention up to 31 days, server defaults,
//     project-exact listing with paging, schema semantics, messages checked
//     against the topic's Avro schema on publish, ...). conformance.go holds
//     the layer and routes each RPC to its handler in conformance_topics.go,
//     conformance_subscriptions.go (with the snapshot RPCs),
//     conformance_messages.go (publish, pull, acknowledge, seek,
//     StreamingPull) or conformance_schemas.go; the field rules themselves
//     are in validate.go;
//   - the service's limits (limits.go): publish requests and messages of at
//     most 10 MiB, exactly-once delivery on pull subscriptions only, Pull
//     max_messages of at least 1;
//   - schema definitions compiled as the service does: Avro type names,
//     unions and defaults (avrodef.go); a proto2/proto3 parser that wants
//     exactly one top-level message, no imports and field types defined in
//     the schema (protodef.go);
//   - an in-memory google.iam.v1.IAMPolicy service for topics, subscriptions
//     and schemas, with etags, member/role validation (role names are
//     case-sensitive: roles/Editor is refused) and policy bounds (1,500
//     principals, 250 groups, 1,024-character members);
//   - the standard gRPC health service;
//   - fault injection and per-method RPC counters;
//   - an optional administrator-operations quota (quota.go; Options.Quota,
//     Server.SetQuota): a token bucket per project that answers
//     ResourceExhausted with the service's message above the rate, counting
//     every RPC but the data plane (Publish, Pull, StreamingPull,
//     Acknowledge, ModifyAckDeadline).
//
// The emulator keeps its own copy of Pub/Sub's field rules (resource names,
// labels, ranges and defaults, updatable and immutable fields, IAM roles) on
// purpose: it is the independent check of pubsubctl's own tables, so it must
// not import them (neither model's validation nor plan's field table), and a
// mistake in one copy shows up as a disagreement in the tests.
//
// Known limit: pstest runs one delivery goroutine per subscription that
// takes the server-wide lock every 10 ms, so an idle emulator with 1,000
// subscriptions uses about a quarter of a core and one with 10,000 more
// than a core, and requests slow down accordingly (scale_bench_test.go).
//
// Start returns a running *Server; point clients at Server.Addr (for example
// through PUBSUB_EMULATOR_HOST) or use Server.ClientOptions.
package emulator
