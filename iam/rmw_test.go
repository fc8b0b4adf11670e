package iam

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/pubsubctl/pubsubctl/model"
)

var errAborted = errors.New("Aborted: There were concurrent policy changes")

// fakeStore is one resource's policy behind an etag check, like
// SetIamPolicy. beforeSet runs before the check, to simulate someone else
// writing between our read and our write.
type fakeStore struct {
	p         *model.Policy
	seq       int
	gets      int
	sets      int
	beforeSet func(s *fakeStore)
	setErr    error
}

func (s *fakeStore) get(context.Context) (*model.Policy, error) {
	s.gets++
	return clonePolicy(s.p), nil
}

func (s *fakeStore) set(_ context.Context, p *model.Policy) error {
	s.sets++
	if s.beforeSet != nil {
		s.beforeSet(s)
	}
	if s.setErr != nil {
		return s.setErr
	}
	if p.Etag != s.p.Etag {
		return errAborted
	}
	s.write(p)
	return nil
}

// write stores p under a new etag.
func (s *fakeStore) write(p *model.Policy) {
	s.seq++
	s.p = clonePolicy(p)
	s.p.Etag = fmt.Sprintf("v%d", s.seq+1)
}

func (s *fakeStore) rmw(attempts int) RMW {
	return RMW{
		Get:      s.get,
		Set:      s.set,
		Conflict: func(err error) bool { return errors.Is(err, errAborted) },
		Attempts: attempts,
		Backoff:  func(int) time.Duration { return time.Millisecond },
	}
}

func TestReadModifyWrite(t *testing.T) {
	desired := Desired(model.IAM{Bindings: []model.Binding{grant(pub, "publishers", alice)}})

	t.Run("a concurrent writer's member in an unmanaged role survives the retry", func(t *testing.T) {
		s := &fakeStore{p: pol("v1", bind(pub, bob), bind(viewer, carol))}
		s.beforeSet = func(s *fakeStore) {
			s.beforeSet = nil
			p := clonePolicy(s.p)
			p.Bindings = append(p.Bindings, bind(custom, "user:erin@example.com"))
			s.write(p)
		}
		changes, err := ReadModifyWrite(context.Background(), desired, s.rmw(3))
		if err != nil {
			t.Fatal(err)
		}
		if want := []MemberChange{rm(pub, bob), add(pub, alice, "publishers")}; !reflect.DeepEqual(changes, want) {
			t.Fatalf("changes = %v, want %v", changes, want)
		}
		want := []model.PolicyBinding{bind(pub, alice), bind(viewer, carol), bind(custom, "user:erin@example.com")}
		if !reflect.DeepEqual(s.p.Bindings, want) {
			t.Fatalf("stored %+v, want %+v", s.p.Bindings, want)
		}
		if s.gets != 2 || s.sets != 2 {
			t.Fatalf("gets=%d sets=%d, want 2 and 2", s.gets, s.sets)
		}
	})

	t.Run("a converged policy is not written", func(t *testing.T) {
		s := &fakeStore{p: pol("v1", bind(pub, alice), bind(viewer, carol))}
		changes, err := ReadModifyWrite(context.Background(), desired, s.rmw(3))
		if err != nil || changes != nil || s.sets != 0 {
			t.Fatalf("changes=%v err=%v sets=%d, want no write", changes, err, s.sets)
		}
	})

	t.Run("the concurrent writer already did our work", func(t *testing.T) {
		s := &fakeStore{p: pol("v1", bind(pub, bob))}
		s.beforeSet = func(s *fakeStore) {
			s.beforeSet = nil
			s.write(pol("", bind(pub, alice)))
		}
		changes, err := ReadModifyWrite(context.Background(), desired, s.rmw(3))
		if err != nil || changes != nil || s.sets != 1 {
			t.Fatalf("changes=%v err=%v sets=%d, want one failed write then none", changes, err, s.sets)
		}
	})

	t.Run("gives up after the attempts", func(t *testing.T) {
		s := &fakeStore{p: pol("v1", bind(pub, bob))}
		s.beforeSet = func(s *fakeStore) { s.write(s.p) } // someone writes every time
		_, err := ReadModifyWrite(context.Background(), desired, s.rmw(3))
		if !errors.Is(err, ErrTooManyConflicts) || !errors.Is(err, errAborted) || !strings.Contains(err.Error(), "3 attempts") {
			t.Fatalf("err = %v", err)
		}
		if s.sets != 3 {
			t.Fatalf("sets = %d, want 3", s.sets)
		}
	})

	t.Run("other write errors are not retried", func(t *testing.T) {
		denied := errors.New("PermissionDenied")
		s := &fakeStore{p: pol("v1"), setErr: denied}
		_, err := ReadModifyWrite(context.Background(), desired, s.rmw(3))
		if !errors.Is(err, denied) || s.sets != 1 {
			t.Fatalf("err=%v sets=%d", err, s.sets)
		}
	})

	t.Run("read errors are returned", func(t *testing.T) {
		notFound := errors.New("NotFound")
		r := RMW{Get: func(context.Context) (*model.Policy, error) { return nil, notFound }, Set: func(context.Context, *model.Policy) error { panic("no write") }}
		if _, err := ReadModifyWrite(context.Background(), desired, r); !errors.Is(err, notFound) {
			t.Fatalf("err = %v", err)
		}
	})

	t.Run("an oversized policy is not written", func(t *testing.T) {
		var many []string
		for i := 0; i < 1501; i++ {
			many = append(many, fmt.Sprintf("user:u%d@example.com", i))
		}
		s := &fakeStore{p: pol("v1")}
		big := Desired(model.IAM{Bindings: []model.Binding{grant(sub, "subscribers", many...)}})
		if _, err := ReadModifyWrite(context.Background(), big, s.rmw(3)); err == nil || s.sets != 0 {
			t.Fatalf("err=%v sets=%d, want an error and no write", err, s.sets)
		}
	})

	t.Run("cancellation stops the backoff", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		s := &fakeStore{p: pol("v1", bind(pub, bob))}
		s.beforeSet = func(s *fakeStore) { s.write(s.p); cancel() }
		r := s.rmw(5)
		r.Backoff = func(int) time.Duration { return time.Hour }
		_, err := ReadModifyWrite(ctx, desired, r)
		if !errors.Is(err, context.Canceled) || s.sets != 1 {
			t.Fatalf("err=%v sets=%d", err, s.sets)
		}
	})
}

func TestDefaultBackoff(t *testing.T) {
	want := []time.Duration{200 * time.Millisecond, 400 * time.Millisecond, 800 * time.Millisecond, 1600 * time.Millisecond, 3200 * time.Millisecond, 5 * time.Second, 5 * time.Second}
	for i, w := range want {
		if got := defaultBackoff(i + 1); got != w {
			t.Errorf("defaultBackoff(%d) = %v, want %v", i+1, got, w)
		}
	}
}
