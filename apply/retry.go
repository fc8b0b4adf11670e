package apply

import (
	"context"
	"fmt"
	"time"

	"github.com/pubsubctl/pubsubctl/internal/live"
)

// The executor's calls go through live.Policy, the one retry policy: it
// classifies errors (live.Classify) and owns the backoff. The executor
// decides what an outcome means for an operation: which reads settle an
// unknown outcome, which NotFound is eventual consistency, when an etag
// conflict starts a new read-modify-write round.

// opRun accounts for one operation: it is used by one goroutine only.
type opRun struct {
	x       *executor
	retries int
	notes   []string
}

func (r *opRun) note(format string, args ...any) {
	r.notes = append(r.notes, fmt.Sprintf(format, args...))
}

// call runs one RPC of kind k through the retry policy (the Target
// rate-limits each attempt itself). resolve (mutations only; may be nil) settles an unknown outcome:
// it reads the resource back and reports whether the mutation has taken
// effect, in which case call returns nil. settle (may be nil) reports
// whether an otherwise permanent error is eventual consistency worth a few
// retries.
func (r *opRun) call(ctx context.Context, k live.CallKind, fn func(context.Context) error, resolve func(context.Context) (bool, error), settle func(error) bool) error {
	return r.x.policy.Do(ctx, k, fn, live.Hooks{
		Resolve: resolve,
		Settle:  settle,
		Retry:   func(live.Outcome) { r.retries++ },
		Note:    func(s string) { r.notes = append(r.notes, s) },
	})
}

// newPolicy is the executor's retry policy: Options' limits and
// Options.Rand for jitter. It waits on no rate limit: the Target does
// (see Target), so that there is one limiter per project, not one per
// caller.
func (x *executor) newPolicy() live.Policy {
	return live.Policy{
		MaxAttempts: x.o.MaxAttempts,
		BaseBackoff: x.o.BaseBackoff,
		MaxBackoff:  x.o.MaxBackoff,
		Jitter:      x.jitter,
	}
}

// jitter returns a random duration in [0, d] from Options.Rand.
func (x *executor) jitter(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	x.randMu.Lock()
	defer x.randMu.Unlock()
	return time.Duration(x.o.Rand.Int63n(int64(d) + 1))
}
