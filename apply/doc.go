// Package apply owns the executor: it carries out a plan.Plan against
// Pub/Sub, unattended, through the small Target interface that
// internal/live's *Client satisfies.
//
// What it guarantees:
//
//   - Guards. Check lists every change the options do not allow (a delete
//     without AllowDestroy, a replace without AllowReplace, and any delete or
//     replace of a resource with lifecycle.prevent_destroy, whatever the
//     flags). Execute refuses those changes too (status Refused) and skips
//     whatever depends on them, but the CLI is expected to refuse the whole
//     plan with Check before touching anything.
//   - Order. A change runs once every change it depends on (Change.DependsOn,
//     IAMChange.DependsOn; dependencies outside the plan count as satisfied)
//     has been applied; independent changes run in parallel, at most
//     Options.Parallelism at a time, started in plan order. A failure skips
//     every transitive dependent ("dependency topic.x failed") and lets
//     independent changes finish.
//   - Verification. Verify re-derives from live state and the configuration
//     that a plan touches only this stack's resources, writes exactly the
//     declared values and passes IAM lint (see docs/saved-plans.md); the CLI
//     runs it, with Check, before executing any plan.
//   - Idempotency. AlreadyExists on a create reads the resource and accepts
//     it when it carries this stack's ownership labels and the same immutable
//     fields (the outcome of an earlier attempt); otherwise the create fails
//     with "exists but is not managed by this stack". NotFound on a delete is
//     success. A mutation whose outcome is Unknown (a deadline, or Unknown
//     from the service) may have taken effect: the executor reads the
//     resource back and either accepts the mutation as applied or retries it.
//   - Retries. Every RPC goes through internal/live's one retry policy
//     (live.Policy: live.Classify turns errors into outcomes; exponential
//     backoff with full jitter, a longer floor after a quota refusal since
//     the admin quota window is a minute) with Options' limits: Unavailable
//     and Throttled are retried everywhere, ServerError only on reads,
//     Conflict on everything except SetIamPolicy. NotFound, AlreadyExists,
//     Precondition, Denied and Permanent errors are never retried as such,
//     except NotFound (and Precondition for IAM) on a resource this run has
//     just created, which Pub/Sub may not show yet (eventual consistency),
//     and only a few times. Target's methods make one attempt each, so the
//     executor's retries are the only ones.
//   - IAM. Every IAM change is an etag read-modify-write that recomputes the
//     member diff (iam.Diff, iam.Apply) against the freshly read policy, so
//     bindings someone else added meanwhile to roles the configuration does
//     not manage survive; Aborted (a concurrent change) re-reads and retries
//     up to Options.IAMRetries times.
//   - Replace. Delete, create and the resource's IAM run as one operation:
//     the policy is read before the delete, and right after the create the
//     declared IAM is applied on top of the bindings the old resource had,
//     so a replacement never leaves the new resource without its bindings
//     until a second apply. The plan's IAMChange of a replaced resource is
//     not run again on its own; its event says it was applied with the
//     replace.
//   - Quota. The executor has no rate limiter of its own: the Target paces
//     its calls (internal/live's per-project limit, shared with plan's
//     reads and slowed down by quota refusals), and Result.RateLimit says
//     what that limit did during the run.
//   - Interruption. Once ctx is cancelled no new operation starts; those in
//     flight finish on a context of their own (context.WithoutCancel plus
//     Options.OperationTimeout); the rest are Skipped ("not started:
//     interrupted") and Result.Interrupted is set.
//   - Reporting. Every error names the operation and the resource
//     ("create subscription.orders-billing (projects/p/subscriptions/
//     orders-billing): ...") and keeps the gRPC status reachable; Result.Events
//     holds one final event per change and per IAM change, in plan order,
//     whatever the completion order.
//
// The package does not plan, render or read whole live state: it only
// executes what the plan says.
package apply
