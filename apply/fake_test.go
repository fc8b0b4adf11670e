package apply

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/pubsubctl/pubsubctl/internal/live"
	"github.com/pubsubctl/pubsubctl/model"
)

// fakeTarget is an in-memory Pub/Sub used only by the executor-mechanics
// unit tests (ordering, parallelism, retries, unknown outcomes,
// reconciliation, interruption). Scenario tests use the real live client
// against the embedded emulator (emulator_test.go).
//
// It answers like Pub/Sub: AlreadyExists, NotFound (also for a
// subscription's missing topic), Aborted for a stale IAM etag.
type fakeTarget struct {
	project string

	mu       sync.Mutex
	schemas  map[string]*model.Schema
	topics   map[string]*model.Topic
	subs     map[string]*model.Subscription
	policies map[string]*model.Policy // full name
	etag     int
	calls    []string // "CreateTopic t1", in call order
	ctxErrs  int      // calls that took effect on a done context

	inflight, maxInflight int

	// before runs before a call takes effect; an error fails the call
	// without effect. after runs once it took effect; an error replaces
	// the answer (a lost response). Both are called without the lock.
	before func(method, id string) error
	after  func(method, id string) error
	// delay is how long every call takes.
	delay time.Duration
}

func newFake() *fakeTarget {
	return &fakeTarget{
		project:  "p",
		schemas:  map[string]*model.Schema{},
		topics:   map[string]*model.Topic{},
		subs:     map[string]*model.Subscription{},
		policies: map[string]*model.Policy{},
	}
}

func (f *fakeTarget) id(name string) string {
	if i := lastSlash(name); i >= 0 {
		return name[i+1:]
	}
	return name
}

func lastSlash(s string) int {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == '/' {
			return i
		}
	}
	return -1
}

// call wraps one RPC: accounting, delay, hooks. do runs under the lock.
func (f *fakeTarget) call(ctx context.Context, method, id string, do func() error) error {
	f.mu.Lock()
	f.calls = append(f.calls, method+" "+id)
	f.inflight++
	f.maxInflight = max(f.maxInflight, f.inflight)
	before, after, delay := f.before, f.after, f.delay
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.inflight--
		f.mu.Unlock()
	}()
	if delay > 0 {
		time.Sleep(delay)
	}
	if before != nil {
		if err := before(method, id); err != nil {
			return err
		}
	}
	f.mu.Lock()
	if ctx.Err() != nil {
		f.ctxErrs++
	}
	err := do()
	f.mu.Unlock()
	if err != nil {
		return err
	}
	if after != nil {
		return after(method, id)
	}
	return nil
}

func notFound(what string) error { return live.Fail(live.NotFound, "%s not found", what) }

func (f *fakeTarget) callsOf(method string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, c := range f.calls {
		if len(c) > len(method) && c[:len(method)+1] == method+" " {
			out = append(out, c[len(method)+1:])
		}
	}
	return out
}

func (f *fakeTarget) allCalls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.calls)
}

func (f *fakeTarget) CreateSchema(ctx context.Context, s *model.Schema) (*model.Schema, error) {
	c := *s
	err := f.call(ctx, "CreateSchema", s.Name, func() error {
		if _, ok := f.schemas[s.Name]; ok {
			return live.Fail(live.AlreadyExists, "schema exists")
		}
		c.RevisionID = "r1"
		f.schemas[s.Name] = &c
		return nil
	})
	return &c, err
}

func (f *fakeTarget) CommitSchema(ctx context.Context, s *model.Schema) (*model.Schema, error) {
	c := *s
	err := f.call(ctx, "CommitSchema", s.Name, func() error {
		old, ok := f.schemas[s.Name]
		if !ok {
			return notFound("schema")
		}
		c.RevisionID = old.RevisionID + "+"
		f.schemas[s.Name] = &c
		return nil
	})
	return &c, err
}

func (f *fakeTarget) DeleteSchema(ctx context.Context, id string) error {
	id = f.id(id)
	return f.call(ctx, "DeleteSchema", id, func() error {
		if _, ok := f.schemas[id]; !ok {
			return notFound("schema")
		}
		delete(f.schemas, id)
		delete(f.policies, model.FullName(f.project, model.KindSchema, id))
		return nil
	})
}

func (f *fakeTarget) GetSchema(ctx context.Context, id string) (*model.Schema, error) {
	id = f.id(id)
	var out *model.Schema
	err := f.call(ctx, "GetSchema", id, func() error {
		s, ok := f.schemas[id]
		if !ok {
			return notFound("schema")
		}
		c := *s
		out = &c
		return nil
	})
	return out, err
}

func cloneTopic(t *model.Topic) *model.Topic {
	c := *t
	c.Labels = maps.Clone(t.Labels)
	return &c
}

func cloneSub(s *model.Subscription) *model.Subscription {
	c := *s
	c.Labels = maps.Clone(s.Labels)
	return &c
}

func (f *fakeTarget) CreateTopic(ctx context.Context, t *model.Topic) (*model.Topic, error) {
	c := cloneTopic(t)
	err := f.call(ctx, "CreateTopic", t.Name, func() error {
		if _, ok := f.topics[t.Name]; ok {
			return live.Fail(live.AlreadyExists, "Topic already exists")
		}
		f.topics[t.Name] = cloneTopic(c)
		return nil
	})
	return c, err
}

func (f *fakeTarget) UpdateTopic(ctx context.Context, t *model.Topic, fields []string) (*model.Topic, error) {
	var out *model.Topic
	err := f.call(ctx, "UpdateTopic", t.Name+" "+fmt.Sprint(fields), func() error {
		old, ok := f.topics[t.Name]
		if !ok {
			return notFound("topic")
		}
		n := cloneTopic(old)
		for _, fl := range fields {
			switch fl {
			case "labels":
				n.Labels = maps.Clone(t.Labels)
			case "message_retention":
				n.MessageRetention = t.MessageRetention
			default:
				return live.Fail(live.Permanent, "fake: cannot update %q", fl)
			}
		}
		f.topics[t.Name] = n
		out = cloneTopic(n)
		return nil
	})
	return out, err
}

func (f *fakeTarget) DeleteTopic(ctx context.Context, id string) error {
	id = f.id(id)
	return f.call(ctx, "DeleteTopic", id, func() error {
		if _, ok := f.topics[id]; !ok {
			return notFound("topic")
		}
		delete(f.topics, id)
		delete(f.policies, model.FullName(f.project, model.KindTopic, id))
		return nil
	})
}

func (f *fakeTarget) GetTopic(ctx context.Context, id string) (*model.Topic, error) {
	id = f.id(id)
	var out *model.Topic
	err := f.call(ctx, "GetTopic", id, func() error {
		t, ok := f.topics[id]
		if !ok {
			return notFound("topic")
		}
		out = cloneTopic(t)
		return nil
	})
	return out, err
}

func (f *fakeTarget) CreateSubscription(ctx context.Context, s *model.Subscription) (*model.Subscription, error) {
	c := cloneSub(s)
	err := f.call(ctx, "CreateSubscription", s.Name, func() error {
		if _, ok := f.subs[s.Name]; ok {
			return live.Fail(live.AlreadyExists, "Subscription already exists")
		}
		if _, ok := f.topics[f.id(s.Topic)]; !ok {
			return notFound("topic " + s.Topic)
		}
		f.subs[s.Name] = cloneSub(c)
		return nil
	})
	return c, err
}

func (f *fakeTarget) UpdateSubscription(ctx context.Context, s *model.Subscription, fields []string) (*model.Subscription, error) {
	var out *model.Subscription
	err := f.call(ctx, "UpdateSubscription", s.Name+" "+fmt.Sprint(fields), func() error {
		old, ok := f.subs[s.Name]
		if !ok {
			return notFound("subscription")
		}
		n := cloneSub(old)
		for _, fl := range fields {
			switch fl {
			case "labels":
				n.Labels = maps.Clone(s.Labels)
			case "ack_deadline":
				n.AckDeadline = s.AckDeadline
			case "retry_policy":
				n.RetryPolicy = s.RetryPolicy
			case "dead_letter":
				n.DeadLetter = s.DeadLetter
			default:
				return live.Fail(live.Permanent, "fake: cannot update %q", fl)
			}
		}
		f.subs[s.Name] = n
		out = cloneSub(n)
		return nil
	})
	return out, err
}

func (f *fakeTarget) DeleteSubscription(ctx context.Context, id string) error {
	id = f.id(id)
	return f.call(ctx, "DeleteSubscription", id, func() error {
		if _, ok := f.subs[id]; !ok {
			return notFound("subscription")
		}
		delete(f.subs, id)
		delete(f.policies, model.FullName(f.project, model.KindSubscription, id))
		return nil
	})
}

func (f *fakeTarget) GetSubscription(ctx context.Context, id string) (*model.Subscription, error) {
	id = f.id(id)
	var out *model.Subscription
	err := f.call(ctx, "GetSubscription", id, func() error {
		s, ok := f.subs[id]
		if !ok {
			return notFound("subscription")
		}
		out = cloneSub(s)
		return nil
	})
	return out, err
}

func (f *fakeTarget) exists(kind model.Kind, full string) bool {
	id := f.id(full)
	switch kind {
	case model.KindSchema:
		_, ok := f.schemas[id]
		return ok
	case model.KindTopic:
		_, ok := f.topics[id]
		return ok
	}
	_, ok := f.subs[id]
	return ok
}

func (f *fakeTarget) GetPolicy(ctx context.Context, kind model.Kind, fullName string) (*model.Policy, error) {
	var out *model.Policy
	err := f.call(ctx, "GetPolicy", fullName, func() error {
		if !f.exists(kind, fullName) {
			return notFound(fullName)
		}
		p := f.policies[fullName]
		if p == nil {
			p = &model.Policy{Etag: "e0"}
		}
		out = clonePolicy(p)
		return nil
	})
	return out, err
}

func (f *fakeTarget) SetPolicy(ctx context.Context, kind model.Kind, fullName string, p *model.Policy) (*model.Policy, error) {
	var out *model.Policy
	err := f.call(ctx, "SetPolicy", fullName, func() error {
		if !f.exists(kind, fullName) {
			return notFound(fullName)
		}
		out = f.setLocked(fullName, p)
		if out == nil {
			return live.Fail(live.Conflict, "There were concurrent policy changes. Please retry the whole read-modify-write with exponential backoff.")
		}
		return nil
	})
	return out, err
}

// setLocked stores p when its etag is current (or empty) and returns the
// stored copy; nil means a stale etag.
func (f *fakeTarget) setLocked(fullName string, p *model.Policy) *model.Policy {
	cur := "e0"
	if old := f.policies[fullName]; old != nil {
		cur = old.Etag
	}
	if p.Etag != "" && p.Etag != cur {
		return nil
	}
	f.etag++
	n := clonePolicy(p)
	n.Etag = "e" + strconv.Itoa(f.etag)
	f.policies[fullName] = n
	return clonePolicy(n)
}

// policy returns the stored policy of a resource (nil when none).
func (f *fakeTarget) policy(full string) *model.Policy {
	f.mu.Lock()
	defer f.mu.Unlock()
	if p := f.policies[full]; p != nil {
		return clonePolicy(p)
	}
	return nil
}

var _ Target = (*fakeTarget)(nil)
