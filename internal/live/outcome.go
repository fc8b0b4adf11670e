package live

import (
	"errors"
	"fmt"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Outcome is what an error of a call means to the caller deciding what to
// do next. Classify is the only place that maps Pub/Sub's gRPC codes to
// outcomes; no other package looks at codes.
type Outcome int

// Outcomes.
const (
	OK            Outcome = iota
	NotFound              // NotFound: the resource does not exist (yet, or any more)
	AlreadyExists         // AlreadyExists
	Conflict              // Aborted: a concurrent change (an IAM etag, say); redo from a fresh read
	Unavailable           // Unavailable: the service did not take the request; retry
	Throttled             // ResourceExhausted: a quota refused the request; retry more slowly
	ServerError           // Internal: retry a read; a mutation fails
	Unknown               // DeadlineExceeded, or Unknown from the service: a mutation may or may not have taken effect
	Precondition          // FailedPrecondition
	Unsupported           // Unimplemented: the target lacks the API (IAM on the official emulator)
	Denied                // PermissionDenied or Unauthenticated
	Canceled              // the caller's context was cancelled
	Permanent             // anything else: InvalidArgument, OutOfRange, a local error...
)

var outcomeNames = map[Outcome]string{
	OK: "ok", NotFound: "not found", AlreadyExists: "already exists", Conflict: "conflict",
	Unavailable: "unavailable", Throttled: "throttled", ServerError: "server error", Unknown: "outcome unknown",
	Precondition: "failed precondition", Unsupported: "unsupported", Denied: "permission denied",
	Canceled: "canceled", Permanent: "permanent error",
}

func (o Outcome) String() string { return outcomeNames[o] }

// codeOutcomes is the one mapping of gRPC codes to outcomes; a code it
// does not list is Permanent.
var codeOutcomes = map[codes.Code]Outcome{
	codes.NotFound:           NotFound,
	codes.AlreadyExists:      AlreadyExists,
	codes.Aborted:            Conflict,
	codes.Unavailable:        Unavailable,
	codes.ResourceExhausted:  Throttled,
	codes.Internal:           ServerError,
	codes.DeadlineExceeded:   Unknown,
	codes.Unknown:            Unknown,
	codes.FailedPrecondition: Precondition,
	codes.Unimplemented:      Unsupported,
	codes.PermissionDenied:   Denied,
	codes.Unauthenticated:    Denied,
	codes.Canceled:           Canceled,
	codes.InvalidArgument:    Permanent,
}

// Classify returns the outcome of an error of this package (or of any error
// carrying a gRPC status). A local error without a status is Permanent: it
// is not an answer of the service.
func Classify(err error) Outcome {
	if err == nil {
		return OK
	}
	c := Code(err)
	if c == codes.Unknown {
		if _, ok := status.FromError(unwrapped(err)); !ok {
			return Permanent
		}
	}
	if o, ok := codeOutcomes[c]; ok {
		return o
	}
	return Permanent
}

// Fail returns an error with outcome o, carrying a gRPC status the real
// service sends for it (the lowest such code): for fakes of the API in
// other packages' tests.
func Fail(o Outcome, format string, args ...any) error {
	best := codes.OK
	for c, out := range codeOutcomes {
		if out == o && (best == codes.OK || c < best) {
			best = c
		}
	}
	if best == codes.OK {
		panic(fmt.Sprintf("live.Fail: no error has outcome %v", o))
	}
	return status.Errorf(best, format, args...)
}

// unwrapped returns the error inside an *Error.
func unwrapped(err error) error {
	var e *Error
	if errors.As(err, &e) {
		return e.Err
	}
	return err
}
