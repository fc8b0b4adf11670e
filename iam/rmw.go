package iam

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/pubsubctl/pubsubctl/model"
)

// RMW configures ReadModifyWrite. Get and Set are required.
type RMW struct {
	// Get reads the live policy with its etag (GetIamPolicy with requested
	// policy version 3, so that conditional bindings are seen and kept).
	Get func(context.Context) (*model.Policy, error)
	// Set writes a policy carrying the etag it was read with. A stale etag
	// must come back as an error for which Conflict reports true.
	Set func(context.Context, *model.Policy) error
	// Conflict reports whether a Set error means "the policy changed since
	// it was read" (gRPC Aborted, HTTP 409). Nil means no error is one.
	Conflict func(error) bool
	// Attempts is the most read-modify-write rounds; 0 means 5.
	Attempts int
	// Backoff is the wait before round n+1 after n conflicts (n >= 1); nil
	// means 200ms doubled each time, at most 5s.
	Backoff func(n int) time.Duration
}

// ErrTooManyConflicts is wrapped by ReadModifyWrite's error when every
// round lost the race against a concurrent writer.
var ErrTooManyConflicts = errors.New("the IAM policy kept changing while pubsubctl was writing it")

// ReadModifyWrite converges one resource's policy on desired: it reads the
// live policy, computes Diff and Apply, and writes the result with the etag
// it read. When the write fails with a conflict it waits, reads again and
// recomputes from the new live policy, so that members someone else added
// meanwhile to roles pubsubctl does not manage survive. When the live policy
// already matches, nothing is written. It returns the changes of the round
// that was written (nil when none was needed).
func ReadModifyWrite(ctx context.Context, desired DesiredPolicy, r RMW) ([]MemberChange, error) {
	attempts := r.Attempts
	if attempts <= 0 {
		attempts = 5
	}
	backoff := r.Backoff
	if backoff == nil {
		backoff = defaultBackoff
	}
	var lastErr error
	for n := 0; n < attempts; n++ {
		if n > 0 {
			t := time.NewTimer(backoff(n))
			select {
			case <-ctx.Done():
				t.Stop()
				return nil, fmt.Errorf("%w (last conflict: %v)", ctx.Err(), lastErr)
			case <-t.C:
			}
		}
		live, err := r.Get(ctx)
		if err != nil {
			return nil, fmt.Errorf("read IAM policy: %w", err)
		}
		changes := Diff(desired, live)
		if len(changes) == 0 {
			return nil, nil
		}
		next := Apply(live, changes)
		if err := CheckLimits(next); err != nil {
			return nil, err
		}
		err = r.Set(ctx, next)
		if err == nil {
			return changes, nil
		}
		if r.Conflict == nil || !r.Conflict(err) {
			return nil, fmt.Errorf("write IAM policy: %w", err)
		}
		lastErr = err
	}
	return nil, fmt.Errorf("%w: gave up after %d attempts: %w", ErrTooManyConflicts, attempts, lastErr)
}

func defaultBackoff(n int) time.Duration {
	d := 200 * time.Millisecond
	for i := 1; i < n && d < 5*time.Second; i++ {
		d *= 2
	}
	return min(d, 5*time.Second)
}
