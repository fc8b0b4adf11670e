package live

import (
	"context"
	"errors"
	"fmt"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// callKind says which errors of a call are worth retrying.
type callKind int

const (
	// read calls are idempotent: retry Unavailable, ResourceExhausted,
	// Aborted, Internal, Unknown and a per-attempt deadline.
	read callKind = iota
	// mutate calls may have taken effect when they fail: retry only
	// Unavailable and ResourceExhausted (quota; the request was refused).
	mutate
)

// retryable reports whether an error of a call of kind k is transient.
func retryable(k callKind, err error) bool {
	code := Code(err)
	if code == codes.Unknown {
		if _, ok := status.FromError(err); !ok {
			return false // a local error, not an answer of the service
		}
	}
	switch code {
	case codes.Unavailable, codes.ResourceExhausted:
		return true
	case codes.Aborted, codes.Internal, codes.Unknown, codes.DeadlineExceeded:
		return k == read
	}
	return false
}

// call runs fn until it succeeds, fails with a permanent error, runs out of
// attempts or ctx is done. op and resource name the call in the returned
// error ("create topic projects/p/topics/t: ...").
func (c *Client) call(ctx context.Context, k callKind, op, resource string, fn func(ctx context.Context) error) error {
	var err error
	var retried []codes.Code
	attempts := c.opts.MaxAttempts
	if k == mutate {
		attempts = c.opts.MutationAttempts
	}
	for attempt := 0; ; attempt++ {
		actx, cancel := context.WithTimeout(ctx, attemptTimeout)
		err = fn(actx)
		cancel()
		if err == nil {
			return nil
		}
		if ctx.Err() != nil || !retryable(k, err) || attempt+1 >= attempts {
			break
		}
		retried = append(retried, Code(err))
		if werr := c.sleep(ctx, attempt, Code(err)); werr != nil {
			break
		}
	}
	return wrapErr(op, resource, err, retried, ctx.Err())
}

// sleep waits before attempt+1: full jitter over an exponential window,
// wider for ResourceExhausted since quota windows are a minute long.
func (c *Client) sleep(ctx context.Context, attempt int, code codes.Code) error {
	base := c.opts.BaseBackoff
	if code == codes.ResourceExhausted {
		base *= 5
	}
	window := base << min(attempt, 20)
	if window > maxBackoff || window <= 0 {
		window = maxBackoff
	}
	d := time.Duration(c.rand(uint64(window) + 1))
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// rand returns a pseudo-random number in [0, n).
func (c *Client) rand(n uint64) uint64 {
	c.retryMu.Lock()
	defer c.retryMu.Unlock()
	x := c.rnd
	x ^= x << 13
	x ^= x >> 7
	x ^= x << 17
	c.rnd = x
	return x % n
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
