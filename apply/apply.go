package apply

import (
	"context"
	"fmt"
	"math/rand"
	"time"

	"github.com/pubsubctl/pubsubctl/internal/live"
	"github.com/pubsubctl/pubsubctl/model"
)

// Target is what the executor changes: internal/live's *Client satisfies
// it. Errors keep their gRPC status (status.FromError, or errors.As with
// interface{ GRPCStatus() *status.Status }).
//
// The executor has no rate limit of its own: the Target paces its calls.
// live.Client waits on its per-project client-side limit (live.Limiter)
// before every attempt of every RPC, plan's reads included, so that reads
// and writes share one budget as they share Pub/Sub's quota. A Target that
// also reports on its limit (RateLimited) has the figures of the run in
// Result.RateLimit.
type Target interface {
	CreateSchema(ctx context.Context, s *model.Schema) (*model.Schema, error)
	CommitSchema(ctx context.Context, s *model.Schema) (*model.Schema, error)
	DeleteSchema(ctx context.Context, id string) error
	CreateTopic(ctx context.Context, t *model.Topic) (*model.Topic, error)
	UpdateTopic(ctx context.Context, t *model.Topic, fields []string) (*model.Topic, error)
	DeleteTopic(ctx context.Context, id string) error
	CreateSubscription(ctx context.Context, s *model.Subscription) (*model.Subscription, error)
	UpdateSubscription(ctx context.Context, s *model.Subscription, fields []string) (*model.Subscription, error)
	DeleteSubscription(ctx context.Context, id string) error
	GetTopic(ctx context.Context, id string) (*model.Topic, error)
	GetSubscription(ctx context.Context, id string) (*model.Subscription, error)
	GetSchema(ctx context.Context, id string) (*model.Schema, error)
	GetPolicy(ctx context.Context, kind model.Kind, fullName string) (*model.Policy, error)
	SetPolicy(ctx context.Context, kind model.Kind, fullName string, p *model.Policy) (*model.Policy, error)
}

// RateLimited is a Target that reports what its client-side rate limit
// did (live.Client does).
type RateLimited interface {
	LimitStats() live.LimitStats
}

// Defaults of Options.
const (
	DefaultParallelism      = 8
	DefaultMaxAttempts      = 8
	DefaultBaseBackoff      = 500 * time.Millisecond
	DefaultMaxBackoff       = 30 * time.Second
	DefaultIAMRetries       = 5
	DefaultOperationTimeout = 10 * time.Minute
)

// Options tune Execute and Check. The zero value is usable: every zero
// field takes its default.
type Options struct {
	// Parallelism bounds the operations in flight; default 8. The rate
	// of calls is the Target's business (see Target).
	Parallelism int
	// AllowDestroy allows deletes.
	AllowDestroy bool
	// AllowReplace allows replaces (delete then create).
	AllowReplace bool
	// AllowOrphan allows deleting a topic that has subscriptions this
	// stack does not manage (plan.Change.Orphans).
	AllowOrphan bool
	// MaxAttempts bounds the attempts of one RPC that fails with a
	// transient error (or whose outcome is unknown); default 8.
	MaxAttempts int
	// BaseBackoff is the first backoff window; default 500ms. Backoff
	// doubles per retry (full jitter) up to MaxBackoff; ResourceExhausted
	// waits at least 2×BaseBackoff (1s by default) since the quota window
	// is a minute.
	BaseBackoff time.Duration
	// MaxBackoff caps one backoff; default 30s.
	MaxBackoff time.Duration
	// IAMRetries is how many times an IAM read-modify-write is redone after
	// an etag conflict (Aborted); default 5, negative means never.
	IAMRetries int
	// OperationTimeout bounds one operation (all its RPCs and retries). It
	// is also the deadline of operations still in flight when ctx is
	// cancelled, since they finish on a context of their own; default 10m.
	OperationTimeout time.Duration
	// Progress is called when an operation starts (Status Started) and for
	// every final event, from any goroutine; it may be nil.
	Progress func(Event)
	// Rand is the jitter source; nil means one seeded from the clock. It
	// is only used under a lock.
	Rand *rand.Rand
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

func (o Options) withDefaults() Options {
	o.Parallelism = positiveOr(o.Parallelism, DefaultParallelism)
	o.MaxAttempts = positiveOr(o.MaxAttempts, DefaultMaxAttempts)
	o.BaseBackoff = positiveOr(o.BaseBackoff, DefaultBaseBackoff)
	o.MaxBackoff = max(positiveOr(o.MaxBackoff, DefaultMaxBackoff), o.BaseBackoff)
	o.OperationTimeout = positiveOr(o.OperationTimeout, DefaultOperationTimeout)
	switch {
	case o.IAMRetries == 0:
		o.IAMRetries = DefaultIAMRetries
	case o.IAMRetries < 0:
		o.IAMRetries = 0
	}
	if o.Rand == nil {
		o.Rand = rand.New(rand.NewSource(time.Now().UnixNano()))
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// positiveOr returns v, or def when v is not positive (an option left
// unset).
func positiveOr[T int | time.Duration](v, def T) T {
	if v > 0 {
		return v
	}
	return def
}

// Status is the state of an operation.
type Status int

// Statuses. Started is only ever passed to Options.Progress; the events of
// a Result are final.
const (
	Applied Status = iota + 1
	Failed
	Skipped // a dependency failed or was refused, or the run was interrupted
	Refused // a guard refused it (see Check)
	Started
)

// String returns "applied", "failed", "skipped", "refused" or "started".
func (s Status) String() string {
	switch s {
	case Applied:
		return "applied"
	case Failed:
		return "failed"
	case Skipped:
		return "skipped"
	case Refused:
		return "refused"
	case Started:
		return "started"
	}
	return fmt.Sprintf("Status(%d)", int(s))
}

// Operations of an Event.
const (
	OpCreate  = "create"
	OpUpdate  = "update"
	OpReplace = "replace"
	OpDelete  = "delete"
	OpAdopt   = "adopt"
	OpForget  = "forget"
	OpIAM     = "iam"
)

// Event reports one operation: the change of one resource (Op is its
// action) or the IAM change of one resource (Op "iam").
type Event struct {
	Address model.Address
	Op      string
	Status  Status
	// Err is set when Status is Failed or Refused; it names the operation
	// and the resource and keeps the gRPC status of the cause.
	Err      error
	Duration time.Duration
	// Attempts is 1 plus the number of retries the operation needed
	// (transient errors, unknown outcomes, IAM conflicts); 0 for an
	// operation that did not run.
	Attempts int
	// Detail says what happened beyond the status: "already existed with
	// this stack's labels", "dependency topic.x failed", ...
	Detail string
}

// Result is the outcome of Execute.
type Result struct {
	// Events holds the final event of every change and then every IAM
	// change, in plan order whatever the completion order.
	Events                            []Event
	Applied, Failed, Skipped, Refused int
	// Interrupted is set when ctx was cancelled before every operation
	// could start.
	Interrupted bool
	Elapsed     time.Duration
	// RateLimit is what the Target's client-side rate limit did during
	// Execute (time waited, calls delayed, quota refusals), when the
	// Target is RateLimited; zero otherwise.
	RateLimit live.LimitStats
}

// OK reports whether everything was applied.
func (r *Result) OK() bool {
	return r.Failed == 0 && r.Skipped == 0 && r.Refused == 0 && !r.Interrupted
}
