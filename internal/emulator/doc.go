// Package emulator is an embedded Google Cloud Pub/Sub emulator for tests,
// local development and benchmarks.
//
// Its state machine is the engine subpackage (internal/emulator/engine),
// which began as a copy of cloud.google.com/go/pubsub/v2/pstest and is now
// the project's own: event-driven delivery with no work when idle (no
// per-subscription polling: a publish, an ack, a nack or a subscription's
// one timer for its next ack-deadline expiry or backoff end wakes exactly
// the subscriptions concerned), sorted name indexes for cheap creation and
// paged listing, retry-policy backoff, dead-lettering with delivery
// attempts counted per subscription, ordering keys, and push delivery.
// This package serves the engine on a gRPC server of its own and adds:
//
//   - panic recovery: no request, however malformed, stops the server; a
//     panic becomes codes.Internal and serving continues;
//   - a conformance layer that validates requests before the engine sees
//     them and fixes responses afterwards, so the emulator answers like the
//     real service (resource-name and label rules, update
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
// Delivery. A nacked message, or one whose ack deadline expired, is
// redelivered at once without a retry policy, and after the retry
// policy's exponential backoff (minimum_backoff doubling per delivery up
// to maximum_backoff) with one. Push subscriptions are delivered by HTTP
// POST in Pub/Sub's wrapped JSON format or, with no_wrapper, as the raw
// data (with write_metadata: the attributes and x-goog-pubsub-* headers);
// HTTP 102, 200, 201, 202 and 204 acknowledge, anything else, a redirect
// (never followed) or no answer within the ack deadline nacks with the
// push backoff (100 ms doubling to 60 s, or the retry policy's bounds).
// Ordering keys and dead-lettering apply to push as to pull. Pushes run on
// a bounded pool of workers (64 requests in flight, 16 per subscription),
// read at most 64 KiB of a response, and go only to loopback and private
// addresses: an endpoint on a public host is accepted on create, but each
// push fails at once with a logged reason (Options.Logf). Unlike Pub/Sub,
// the emulator accepts http:// push endpoints on loopback and private
// hosts (IP addresses, localhost, host.docker.internal, single-label names
// such as compose services).
//
// OIDC tokens (oidc.go). When a push config has an oidc_token, each push
// carries "Authorization: Bearer <JWT>", signed RS256 with a key the
// emulator generates (on first use), with Google's claims: iss
// https://accounts.google.com, aud the configured audience or else the
// endpoint URL, azp and sub a stable numeric ID derived from the service
// account, email, email_verified, iat and exp one hour later, and a kid
// header. The public key is served over HTTP (Options.CertsAddr, a free
// loopback port by default) as Google serves its own: /oauth2/v1/certs (a
// map of key ID to x509 certificate PEM, Server.CertsURL: the certs_url of
// Python google-auth's id_token.verify_token, what Node
// google-auth-library reads), /oauth2/v3/certs (a JWKS, Server.JWKSURL)
// and /.well-known/openid-configuration (Server.DiscoveryURL). The server
// lives and dies with the emulator.
//
// Persistence (state.go). With Options.DataDir, Start restores the state
// file there (topics, subscriptions with their unacknowledged messages and
// delivery attempts, schemas, IAM policies; deliveries in progress come
// back available) and Close writes it, atomically; Server.SaveState writes
// it on demand and Server.Snapshot/Restore use any io.Writer/io.Reader. The
// file is versioned JSON: a corrupt or foreign file, or another version,
// makes Start fail with an error naming it and leaves it untouched.
//
// Start returns a running *Server; point clients at Server.Addr (for example
// through PUBSUB_EMULATOR_HOST) or use Server.ClientOptions.
package emulator
