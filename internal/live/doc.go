// Package live is the only package that speaks to Pub/Sub: it owns the
// admin clients (topics, subscriptions, schemas, IAM), the conversion
// between Pub/Sub's protobuf messages and the model types, update masks,
// paged listing of live state, IAM policy reads and writes, and the retry
// policy for transient errors. Protobuf types never leave this package.
//
// A Client talks either to an emulator (Options.Emulator, or
// PUBSUB_EMULATOR_HOST in Options.Env) over an insecure gRPC connection
// without authentication, or to pubsub.googleapis.com with Application
// Default Credentials, optionally impersonating a service account. Every
// client shares a single gRPC connection, and an interceptor counts RPCs
// by method (see Client.RPCCounts and ReadOptions.RPCs).
//
// The generated clients' own retries are switched off. The package owns
// the one retry policy (Policy: which outcome is retried for reads,
// mutations and IAM writes, exponential backoff with full jitter, a longer
// wait after a quota refusal) and the one classification of errors
// (Classify: gRPC codes become Outcomes; no other package looks at codes).
// The client retries its own reads under it (Read's paged lists and policy
// reads, ProjectNumber); the single-resource methods that apply's executor
// calls (apply.Target) make one attempt each, and the executor retries them
// under its own Policy and hooks, so retries are never stacked.
//
// Every attempt of every RPC waits on the client's per-project rate limit
// (Limiter, Options.OpsPerMinute: 3,000 per minute against Pub/Sub, off
// against an emulator unless set), so plan's reads and apply's calls share
// Pub/Sub's administrator-operations quota; a quota refusal slows it down.
//
// Errors name the operation and the resource ("create topic
// projects/p/topics/t: rpc error: ...") and keep the gRPC status reachable
// through status.FromError, status.Code and errors.As; see Code,
// IsNotFound and IsAlreadyExists.
//
// Conversions follow the real service's defaults when reading: an ack
// deadline of 0 reads as 10s, a subscription without message retention as
// 7d, a subscription without an expiration policy as a 31-day TTL (an
// expiration policy without a TTL is "never"), a dead-letter policy with 0
// max delivery attempts as 5, and a Cloud Storage subscription without an
// Avro output format as text.
package live
