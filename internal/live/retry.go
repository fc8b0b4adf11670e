package live

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"sync"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// CallKind says which outcomes of a call are worth another attempt.
type CallKind int

const (
	// Read is an idempotent read: Unavailable, Throttled, Conflict,
	// ServerError and Unknown are retried.
	Read CallKind = iota
	// Mutate changes something: Unavailable, Throttled and Conflict are
	// retried (the request was refused); Unknown means the mutation may
	// have taken effect, so Hooks.Resolve reads the resource back before
	// another attempt.
	Mutate
	// SetIAM is SetIamPolicy: like Mutate, but a Conflict is an etag
	// conflict, which only a new read-modify-write round resolves, so it
	// is returned to the caller.
	SetIAM
)

// consistencyRetries bounds the retries Hooks.Settle allows.
const consistencyRetries = 4

// Policy is the one retry policy: which outcome is retried for which kind
// of call, and how long to wait (exponential backoff with full jitter,
// longer after Throttled since Pub/Sub's administrator quota is counted
// per minute). The Client uses it for the reads it retries itself; apply's
// executor uses it, with its own limits and hooks, for every call it makes.
type Policy struct {
	// MaxAttempts bounds the attempts of one call; at least 1.
	MaxAttempts int
	// BaseBackoff is the first backoff window; it doubles per retry up to
	// MaxBackoff. After Throttled the window starts at 2×BaseBackoff on
	// top of a floor of 2×BaseBackoff.
	BaseBackoff, MaxBackoff time.Duration
	// Wait is called before every attempt (a client-side rate limit); nil
	// means no wait.
	Wait func(context.Context) error
	// Jitter returns a random duration in [0, d]; nil means a shared
	// source seeded from the clock.
	Jitter func(d time.Duration) time.Duration
	// AttemptTimeout bounds one attempt; 0 means only ctx does.
	AttemptTimeout time.Duration
}

// Hooks let a caller settle what the policy cannot: all are optional.
type Hooks struct {
	// Resolve settles an Unknown outcome of a mutation: it reads the
	// resource back and reports whether the mutation has taken effect, in
	// which case Do returns nil.
	Resolve func(context.Context) (bool, error)
	// Settle reports whether an otherwise permanent error is eventual
	// consistency (NotFound just after a create) worth a few retries.
	Settle func(error) bool
	// Retry is called before each retry with the outcome that caused it.
	Retry func(Outcome)
	// Note records something worth telling the user.
	Note func(string)
}

// Do runs fn until it succeeds, fails with an outcome kind k does not
// retry, runs out of attempts or ctx is done. Errors are returned as fn
// returned them, with "(gave up after N attempts)" when attempts ran out.
func (p Policy) Do(ctx context.Context, k CallKind, fn func(context.Context) error, h Hooks) error {
	settled := 0
	for attempt := 1; ; attempt++ {
		if p.Wait != nil {
			if err := p.Wait(ctx); err != nil {
				return fmt.Errorf("waiting for the client-side rate limit: %w", err)
			}
		}
		err := p.attempt(ctx, fn)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return err
		}
		o := Classify(err)
		retry, unknown := false, false
		switch o {
		case Unavailable, Throttled:
			retry = true
		case Conflict:
			retry = k != SetIAM
		case ServerError:
			retry = k == Read
		case Unknown:
			retry = true
			if k != Read {
				unknown = true
				if h.Resolve != nil {
					if ok, rerr := h.Resolve(ctx); rerr == nil && ok {
						if h.Note != nil {
							h.Note(fmt.Sprintf("the outcome of an attempt was unknown (%s); read back, it had taken effect", Code(err)))
						}
						return nil
					}
				}
			}
		default:
			if h.Settle != nil && settled < consistencyRetries && h.Settle(err) {
				settled++
				retry = true
			}
		}
		if !retry {
			return err
		}
		if attempt >= max(p.MaxAttempts, 1) {
			if unknown {
				return fmt.Errorf("%w (gave up after %d attempts; the outcome of the last one is unknown)", err, attempt)
			}
			return fmt.Errorf("%w (gave up after %d attempts)", err, attempt)
		}
		if h.Retry != nil {
			h.Retry(o)
		}
		if err := Sleep(ctx, p.Backoff(attempt, o)); err != nil {
			return fmt.Errorf("%w (interrupted while backing off: %v)", err, ctx.Err())
		}
	}
}

func (p Policy) attempt(ctx context.Context, fn func(context.Context) error) error {
	if p.AttemptTimeout <= 0 {
		return fn(ctx)
	}
	actx, cancel := context.WithTimeout(ctx, p.AttemptTimeout)
	defer cancel()
	return fn(actx)
}

// Backoff returns the wait before retry n (n >= 1) after outcome o: full
// jitter over a window that doubles from BaseBackoff, capped at
// MaxBackoff; after Throttled, a floor and a window of 2×BaseBackoff.
func (p Policy) Backoff(n int, o Outcome) time.Duration {
	base := p.BaseBackoff
	var floor time.Duration
	if o == Throttled {
		base *= 2
		floor = base
	}
	window := base << min(n-1, 30)
	if window <= 0 || window > p.MaxBackoff {
		window = p.MaxBackoff
	}
	jitter := p.Jitter
	if jitter == nil {
		jitter = sharedJitter
	}
	d := floor + jitter(window)
	return min(d, max(p.MaxBackoff, floor))
}

var (
	jitterMu  sync.Mutex
	jitterRnd = rand.New(rand.NewSource(time.Now().UnixNano()))
)

func sharedJitter(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	jitterMu.Lock()
	defer jitterMu.Unlock()
	return time.Duration(jitterRnd.Int63n(int64(d) + 1))
}

// Sleep waits d, or until ctx is done.
func Sleep(ctx context.Context, d time.Duration) error {
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

// call runs fn under the client's policy and names the operation and the
// resource in the error ("list topics projects/p: ..."). k is Read for
// every call the client retries itself; once is for the rest.
func (c *Client) call(ctx context.Context, k CallKind, op, resource string, fn func(ctx context.Context) error) error {
	var retried []codes.Code
	var last error
	err := c.policy.Do(ctx, k, func(ctx context.Context) error {
		last = fn(ctx)
		return last
	}, Hooks{Retry: func(Outcome) { retried = append(retried, Code(last)) }})
	return wrapErr(op, resource, err, retried, ctx.Err())
}

// once makes a single attempt: the methods of apply.Target (single reads
// and every mutation) leave retries to their caller, so that retries are
// never stacked.
func (c *Client) once(ctx context.Context, op, resource string, fn func(ctx context.Context) error) error {
	actx, cancel := context.WithTimeout(ctx, attemptTimeout)
	defer cancel()
	return wrapErr(op, resource, fn(actx), nil, ctx.Err())
}

// Error is returned by every call of a Client: the operation, the resource
// and the underlying error, whose gRPC status stays reachable through
// status.FromError, status.Code and errors.As.
type Error struct {
	Op       string // "create topic", "list subscriptions", ...
	Resource string // full resource name, or the project for lists
	Err      error
	// Retried holds the codes of the failed attempts that were retried.
	Retried []codes.Code
}

func (e *Error) Error() string {
	msg := e.Op + " " + e.Resource + ": " + e.Err.Error()
	if n := len(e.Retried); n > 0 {
		msg += fmt.Sprintf(" (after %d retries", n)
		if e.Op != "" && isCreate(e.Op) && Code(e.Err) == codes.AlreadyExists {
			msg += "; an earlier attempt may have created it"
		}
		msg += ")"
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// GRPCStatus returns the status of the underlying error with the message
// of the whole error, so that status.FromError keeps the context.
func (e *Error) GRPCStatus() *status.Status {
	s, ok := status.FromError(e.Err)
	if !ok {
		return nil
	}
	p := s.Proto()
	p.Message = e.Error()
	return status.FromProto(p)
}

func isCreate(op string) bool { return len(op) > 7 && op[:7] == "create " }

func wrapErr(op, resource string, err error, retried []codes.Code, ctxErr error) error {
	if err == nil {
		return nil
	}
	if ctxErr != nil && !errors.Is(err, ctxErr) && Code(err) != codes.Canceled && Code(err) != codes.DeadlineExceeded {
		err = fmt.Errorf("%w (last error: %v)", ctxErr, err)
	}
	return &Error{Op: op, Resource: resource, Err: err, Retried: retried}
}

// Code returns the gRPC code of an error of this package (or any error
// carrying a gRPC status): codes.OK for nil, DeadlineExceeded or Canceled
// for context errors, Unknown for anything else.
func Code(err error) codes.Code {
	if err == nil {
		return codes.OK
	}
	var e *Error
	if errors.As(err, &e) {
		err = e.Err
	}
	if s, ok := status.FromError(err); ok {
		return s.Code()
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return codes.DeadlineExceeded
	case errors.Is(err, context.Canceled):
		return codes.Canceled
	}
	return codes.Unknown
}

// IsNotFound reports whether err is a NotFound status.
func IsNotFound(err error) bool { return Code(err) == codes.NotFound }

// IsAlreadyExists reports whether err is an AlreadyExists status.
func IsAlreadyExists(err error) bool { return Code(err) == codes.AlreadyExists }
