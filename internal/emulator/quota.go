package emulator

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// The administrator-operations quota (Options.Quota, pubsubctl emulator
// --quota): Pub/Sub allows each project 6,000 administrator operations per
// minute and answers ResourceExhausted above that. The emulator keeps a
// token bucket per project, refilled continuously at the quota's rate and
// holding one second's worth of operations (at least one). That is
// stricter than the service, which counts per minute, so a client that
// keeps within the emulator's quota keeps within the service's.
//
// Administrator operations are every RPC except the data plane: Publish,
// Pull, StreamingPull, Acknowledge and ModifyAckDeadline are not counted,
// nor are health checks. A request is charged to the project of the
// resource it names (the topic, subscription, snapshot, schema, IAM
// resource, or the project of a List). A refused call does not take a
// token and does not reach the handler; injected faults (faults.go) are
// decided first, and a call that a fault fails takes no token either.

// dataPlane are the methods the administrator quota does not count.
var dataPlane = map[string]bool{
	"Publish":           true,
	"Pull":              true,
	"StreamingPull":     true,
	"Acknowledge":       true,
	"ModifyAckDeadline": true,
}

// IsAdminMethod reports whether the short RPC name ("CreateTopic") counts
// against the administrator-operations quota.
func IsAdminMethod(method string) bool { return !dataPlane[method] }

// quota is a token bucket per project. Its clock is injectable for tests.
type quota struct {
	perMinute int
	rate      float64 // tokens per second
	burst     float64
	now       func() time.Time

	mu      sync.Mutex
	buckets map[string]*bucket // by project
	refused map[string]int64   // by project
}

type bucket struct {
	tokens float64
	last   time.Time
}

// newQuota returns a quota of perMinute operations per minute per project;
// nil when perMinute <= 0 (no quota).
func newQuota(perMinute int, now func() time.Time) *quota {
	if perMinute <= 0 {
		return nil
	}
	return &quota{
		perMinute: perMinute,
		rate:      float64(perMinute) / 60,
		burst:     max(1, float64(perMinute)/60),
		now:       now,
		buckets:   map[string]*bucket{},
		refused:   map[string]int64{},
	}
}

// take spends one token of project's bucket; false when it is empty.
func (q *quota) take(project string) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	now := q.now()
	b := q.buckets[project]
	if b == nil {
		b = &bucket{tokens: q.burst, last: now}
		q.buckets[project] = b
	}
	if now.After(b.last) {
		b.tokens = min(q.burst, b.tokens+now.Sub(b.last).Seconds()*q.rate)
		b.last = now
	}
	if b.tokens < 1 {
		q.refused[project]++
		return false
	}
	b.tokens--
	return true
}

// exceeded is the service's answer, word for word but for the consumer:
// the emulator knows project IDs, not project numbers.
func (q *quota) exceeded(project string) error {
	return status.Errorf(codes.ResourceExhausted,
		"Quota exceeded for quota metric 'Administrator operations' and limit 'Administrator operations per minute' "+
			"of service 'pubsub.googleapis.com' for consumer 'project:%s'. (emulator: --quota %d/min)", project, q.perMinute)
}

// check charges an administrator call of fullMethod with request req.
func (q *quota) check(fullMethod string, req any) error {
	if q == nil || isHealth(fullMethod) || !IsAdminMethod(shortMethod(fullMethod)) {
		return nil
	}
	project := requestProject(req)
	if !q.take(project) {
		return q.exceeded(project)
	}
	return nil
}

// requestFields are the fields that name a request's resource, in the
// order they are looked at; a message field (UpdateTopicRequest.topic) is
// looked into.
var requestFields = []protoreflect.Name{"name", "topic", "subscription", "snapshot", "schema", "resource", "project", "parent"}

// requestProject returns the project ID a request names, or "".
func requestProject(req any) string {
	m, ok := req.(proto.Message)
	if !ok {
		return ""
	}
	return projectIn(m.ProtoReflect(), 1)
}

func projectIn(m protoreflect.Message, depth int) string {
	fields := m.Descriptor().Fields()
	for _, n := range requestFields {
		fd := fields.ByName(n)
		if fd == nil || fd.IsList() || fd.IsMap() || !m.Has(fd) {
			continue
		}
		switch fd.Kind() {
		case protoreflect.StringKind:
			if rest, ok := strings.CutPrefix(m.Get(fd).String(), "projects/"); ok {
				if p, _, _ := strings.Cut(rest, "/"); p != "" {
					return p
				}
			}
		case protoreflect.MessageKind:
			if depth > 0 {
				if p := projectIn(m.Get(fd).Message(), depth-1); p != "" {
					return p
				}
			}
		}
	}
	return ""
}

// SetQuota sets the administrator-operations quota to perMinute
// operations per minute per project, with full buckets and no refusals
// counted yet; 0 or less removes it.
func (s *Server) SetQuota(perMinute int) {
	s.quota.Store(newQuota(perMinute, time.Now))
}

// Quota returns the administrator-operations quota per project and minute;
// 0 means none.
func (s *Server) Quota() int {
	if q := s.quota.Load(); q != nil {
		return q.perMinute
	}
	return 0
}

// QuotaRefusals returns how many calls the quota refused, by project ID,
// since it was set.
func (s *Server) QuotaRefusals() map[string]int64 {
	out := map[string]int64{}
	q := s.quota.Load()
	if q == nil {
		return out
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	for p, n := range q.refused {
		out[p] = n
	}
	return out
}

// ParseQuota parses --quota's OPS[/min]: a positive number of operations
// per minute, such as "600" or "600/min".
func ParseQuota(v string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), "/min"))
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("quota %q: want a positive number of operations per minute, such as 600 or 600/min", v)
	}
	return n, nil
}

func (s *Server) quotaUnary(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	if err := s.quota.Load().check(info.FullMethod, req); err != nil {
		return nil, err
	}
	return handler(ctx, req)
}
