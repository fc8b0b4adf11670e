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
// by method (see Client.RPCCounts and State.RPCs).
//
// The generated clients' own retries are switched off: every call goes
// through one retry loop (exponential backoff with full jitter, bounded by
// Options.MaxAttempts, respecting the context) that retries Unavailable and
// ResourceExhausted for every call, and also Aborted, Internal, Unknown and
// per-attempt deadlines for reads.
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
