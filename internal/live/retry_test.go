package live

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// TestPolicy: which outcome is retried for which kind of call, how many
// attempts are made, and what the hooks settle.
func TestPolicy(t *testing.T) {
	p := Policy{MaxAttempts: 4, BaseBackoff: time.Microsecond, MaxBackoff: time.Millisecond}
	for _, tc := range []struct {
		kind     CallKind
		outcome  Outcome
		attempts int // with every attempt failing
	}{
		{Read, Unavailable, 4}, {Mutate, Unavailable, 4}, {SetIAM, Unavailable, 4},
		{Read, Throttled, 4}, {Mutate, Throttled, 4},
		{Read, Conflict, 4}, {Mutate, Conflict, 4}, {SetIAM, Conflict, 1},
		{Read, ServerError, 4}, {Mutate, ServerError, 1},
		{Read, Unknown, 4}, {Mutate, Unknown, 4},
		{Read, NotFound, 1}, {Mutate, Permanent, 1}, {Read, Denied, 1}, {Mutate, Precondition, 1},
	} {
		n := 0
		err := p.Do(context.Background(), tc.kind, func(context.Context) error { n++; return Fail(tc.outcome, "x") }, Hooks{})
		if n != tc.attempts || Classify(err) != tc.outcome {
			t.Errorf("kind %d, %v: %d attempts (err %v), want %d", tc.kind, tc.outcome, n, err, tc.attempts)
		}
		if tc.attempts > 1 && !strings.Contains(err.Error(), "gave up after 4 attempts") {
			t.Errorf("kind %d, %v: %v", tc.kind, tc.outcome, err)
		}
	}
	// A local error is never retried.
	n := 0
	_ = p.Do(context.Background(), Read, func(context.Context) error { n++; return errors.New("local") }, Hooks{})
	if n != 1 {
		t.Errorf("local error: %d attempts", n)
	}
	// Resolve settles an unknown outcome of a mutation.
	n = 0
	var notes []string
	err := p.Do(context.Background(), Mutate, func(context.Context) error { n++; return Fail(Unknown, "lost") },
		Hooks{Resolve: func(context.Context) (bool, error) { return true, nil }, Note: func(s string) { notes = append(notes, s) }})
	if err != nil || n != 1 || len(notes) != 1 {
		t.Errorf("resolved unknown outcome: err %v, %d attempts, notes %v", err, n, notes)
	}
	// Settle allows a few retries of an otherwise permanent error.
	n = 0
	err = p.Do(context.Background(), Mutate, func(context.Context) error { n++; return Fail(NotFound, "not yet") },
		Hooks{Settle: func(err error) bool { return Classify(err) == NotFound }})
	if n != 4 || Classify(err) != NotFound {
		t.Errorf("settle: %d attempts, err %v", n, err)
	}
	// Wait runs before every attempt; Retry before every retry.
	waits, retries := 0, 0
	q := p
	q.Wait = func(context.Context) error { waits++; return nil }
	_ = q.Do(context.Background(), Read, func(context.Context) error { return Fail(Unavailable, "x") }, Hooks{Retry: func(Outcome) { retries++ }})
	if waits != 4 || retries != 3 {
		t.Errorf("waits %d, retries %d", waits, retries)
	}
}

func TestBackoff(t *testing.T) {
	p := Policy{BaseBackoff: 100 * time.Millisecond, MaxBackoff: time.Second, Jitter: func(d time.Duration) time.Duration { return d }}
	for _, tc := range []struct {
		n    int
		o    Outcome
		want time.Duration
	}{
		{1, Unavailable, 100 * time.Millisecond},
		{2, Unavailable, 200 * time.Millisecond},
		{5, Unavailable, time.Second},
		{1, Throttled, 400 * time.Millisecond}, // floor 200ms + window 200ms
		{9, Throttled, time.Second},
	} {
		if got := p.Backoff(tc.n, tc.o); got != tc.want {
			t.Errorf("Backoff(%d, %v) = %v, want %v", tc.n, tc.o, got, tc.want)
		}
	}
}
