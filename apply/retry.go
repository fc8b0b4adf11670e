package apply

import (
	"context"
	"errors"
	"fmt"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// callKind says which errors of an RPC are worth retrying.
type callKind int

const (
	// kRead is an idempotent read: Unavailable, ResourceExhausted,
	// Aborted, Internal, DeadlineExceeded and Unknown are retried.
	kRead callKind = iota
	// kMutate changes something: Unavailable, ResourceExhausted and
	// Aborted are retried (the request was refused); DeadlineExceeded and
	// Unknown mean the outcome is unknown, so the resource is read back
	// before retrying.
	kMutate
	// kSetIAM is SetIamPolicy: like kMutate, but Aborted is an etag
	// conflict, which only a new read-modify-write round resolves.
	kSetIAM
)

// consistencyRetries bounds the retries of NotFound (and, for IAM,
// FailedPrecondition) on a resource this run has just created, which
// Pub/Sub may not show yet.
const consistencyRetries = 4

// codeOf returns the gRPC code of err and whether err carries one (context
// errors count as DeadlineExceeded and Canceled). A local error without a
// status is Unknown with ok false: it is never retried, since it is not an
// answer of the service.
func codeOf(err error) (c codes.Code, ok bool) {
	if err == nil {
		return codes.OK, true
	}
	var se interface{ GRPCStatus() *status.Status }
	if errors.As(err, &se) {
		if s := se.GRPCStatus(); s != nil {
			return s.Code(), true
		}
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return codes.DeadlineExceeded, true
	case errors.Is(err, context.Canceled):
		return codes.Canceled, true
	}
	return codes.Unknown, false
}

func code(err error) codes.Code {
	c, _ := codeOf(err)
	return c
}

// opRun accounts for one operation: it is used by one goroutine only.
type opRun struct {
	x       *executor
	retries int
	notes   []string
}

func (r *opRun) note(format string, args ...any) {
	r.notes = append(r.notes, fmt.Sprintf(format, args...))
}

// call runs one RPC through the rate limiter, retrying what kind k allows.
//
// resolve (mutations only; may be nil) settles an unknown outcome: it reads
// the resource back and reports whether the mutation has taken effect, in
// which case call returns nil. settle (may be nil) reports whether an
// otherwise permanent error is eventual consistency worth a few retries.
func (r *opRun) call(ctx context.Context, k callKind, fn func(context.Context) error, resolve func(context.Context) (bool, error), settle func(error) bool) error {
	x := r.x
	settled := 0
	for attempt := 1; ; attempt++ {
		if err := x.lim.Wait(ctx); err != nil {
			return fmt.Errorf("waiting for the client-side rate limit: %w", err)
		}
		err := fn(ctx)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return err // the operation's own deadline: give up
		}
		c, isStatus := codeOf(err)
		retry, unknown := false, false
		switch {
		case !isStatus:
		case c == codes.Unavailable || c == codes.ResourceExhausted:
			retry = true
		case c == codes.Aborted:
			retry = k != kSetIAM
		case c == codes.Internal:
			retry = k == kRead
		case c == codes.DeadlineExceeded || c == codes.Unknown:
			retry = true
			if k != kRead {
				unknown = true
				if resolve != nil {
					if ok, rerr := resolve(ctx); rerr == nil && ok {
						r.note("the outcome of an attempt was unknown (%s); read back, it had taken effect", c)
						return nil
					}
				}
			}
		case settle != nil && settled < consistencyRetries && settle(err):
			settled++
			retry = true
		}
		if !retry {
			return err
		}
		if attempt >= x.o.MaxAttempts {
			if unknown {
				return fmt.Errorf("%w (gave up after %d attempts; the outcome of the last one is unknown)", err, attempt)
			}
			return fmt.Errorf("%w (gave up after %d attempts)", err, attempt)
		}
		r.retries++
		if err := x.sleep(ctx, x.backoff(attempt, c)); err != nil {
			return fmt.Errorf("%w (interrupted while backing off: %v)", err, ctx.Err())
		}
	}
}

// backoff returns the wait before retry n (n >= 1): full jitter over a
// window that doubles from BaseBackoff, capped at MaxBackoff.
// ResourceExhausted starts from a window of 2×BaseBackoff on top of a
// floor of 2×BaseBackoff (at least 1s with the default), since Pub/Sub's
// admin quota is counted per minute.
func (x *executor) backoff(n int, c codes.Code) time.Duration {
	base := x.o.BaseBackoff
	var floor time.Duration
	if c == codes.ResourceExhausted {
		base *= 2
		floor = base
	}
	window := base << min(n-1, 30)
	if window <= 0 || window > x.o.MaxBackoff {
		window = x.o.MaxBackoff
	}
	d := floor + x.jitter(window)
	return min(d, max(x.o.MaxBackoff, floor))
}

// jitter returns a random duration in [0, d].
func (x *executor) jitter(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	x.randMu.Lock()
	defer x.randMu.Unlock()
	return time.Duration(x.o.Rand.Int63n(int64(d) + 1))
}

func (x *executor) sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
