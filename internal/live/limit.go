package live

import (
	"context"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

// DefaultOpsPerMinute is the client-side rate limit against the real
// Pub/Sub: half of its 6,000 administrator operations per minute per
// project, a quota that reads (List pages, GetIamPolicy) and writes share.
// Against an emulator there is no limit unless Options.OpsPerMinute asks
// for one.
const DefaultOpsPerMinute = 3000

// Adaptive pacing: how a Limiter slows down after the service refuses a
// call for quota, and speeds up again.
const (
	// minPace is the slowest pace a cut goes down to, in calls per second.
	// Waits stay well under the 60s a call may take (attemptTimeout).
	minPace = 1.0
	// paceStep is what every call the service does not refuse adds to a
	// cut pace, in calls per second: at a pace of p calls a second it grows
	// by about p/10 per second, so it probes back up to a quota it has
	// halved within seconds, whatever the quota.
	paceStep = 0.1
	// recentCalls is how many of the latest calls sent without a limit
	// tell the rate to halve at the first refusal.
	recentCalls = 32
)

// Limiter is the client-side rate limit of one project: a token bucket of
// OpsPerMinute calls per minute that holds one second's worth of calls (at
// least one). A Client waits on it before every attempt of every RPC it
// sends (in its gRPC interceptor, so List pages, policy reads, retries and
// the single-attempt methods apply's executor calls all count), and tells
// it how the service answered. Clients of one project that should share
// the project's quota share a Limiter (Options.Limiter). A nil *Limiter
// does not limit.
//
// The pace adapts to the quota the service enforces. When the service
// refuses a call for quota (isQuotaRefusal), the pace is halved, not below one
// call a second; a Limiter without a limit (0 calls per minute, an
// emulator's default) starts pacing at half the rate it was sending at.
// Only the refusal of a call let through after the latest cut cuts again:
// the calls let through before it were paced too fast already, so their
// refusals say nothing new (calls already waiting keep their turn). Every
// call that is not refused then adds a tenth of a call per second to the
// pace, up to OpsPerMinute. So the client slows down to what the quota
// allows instead of retrying at full speed until calls give up.
type Limiter struct {
	opsPerMinute int
	ceiling      float64 // OpsPerMinute per second; 0: none
	now          func() time.Time
	sleep        func(context.Context, time.Duration) error

	mu        sync.Mutex
	bucket    *rate.Limiter // nil while there is no limit and nothing was refused
	pace      float64       // calls per second in effect, while bucket is not nil
	cut       bool          // the pace was cut after a refusal
	sent      uint64        // calls let through so far: the next one's ticket
	cutAt     uint64        // sent at the latest cut
	stats     LimitStats
	busyUntil time.Time // the end of the latest wait
	// recent are the times of the latest calls let through without a
	// limit (a ring), to know the rate to halve at the first refusal.
	recent [recentCalls]time.Time
}

// LimitStats say what a Limiter did: how often calls waited and for how
// long, and how often the service refused a call for quota.
type LimitStats struct {
	// OpsPerMinute is the limit set; 0 means none.
	OpsPerMinute int
	// Waits counts the calls that went through the limit (every attempt
	// of every RPC while there is a limit or a cut pace).
	Waits int64
	// Delayed counts the calls that had to wait.
	Delayed int64
	// Waited is the wall-clock time during which at least one call was
	// waiting for the limit (waits that overlap count once), so it never
	// exceeds the elapsed time.
	Waited time.Duration
	// Throttled counts the calls the service refused for a rate quota
	// (ResourceExhausted, "Quota exceeded ..."): they are retried after a
	// longer backoff, and they slow the pace down.
	Throttled int64
	// Slowest is the slowest pace, in calls per minute, that refusals cut
	// the limit down to; 0 when it was never cut.
	Slowest int
}

// Since returns what happened between before and s (both of one Limiter);
// Slowest is s's.
func (s LimitStats) Since(before LimitStats) LimitStats {
	return LimitStats{
		OpsPerMinute: s.OpsPerMinute,
		Waits:        s.Waits - before.Waits,
		Delayed:      s.Delayed - before.Delayed,
		Waited:       s.Waited - before.Waited,
		Throttled:    s.Throttled - before.Throttled,
		Slowest:      s.Slowest,
	}
}

// NewLimiter returns a limit of opsPerMinute calls per minute; 0 or less
// means no limit until the service refuses a call for quota.
func NewLimiter(opsPerMinute int) *Limiter {
	return newLimiter(opsPerMinute, time.Now, Sleep)
}

// newLimiter takes the clock and the sleep, so that tests need no real
// time.
func newLimiter(opsPerMinute int, now func() time.Time, sleep func(context.Context, time.Duration) error) *Limiter {
	l := &Limiter{now: now, sleep: sleep}
	if opsPerMinute > 0 {
		l.opsPerMinute = opsPerMinute
		l.stats.OpsPerMinute = opsPerMinute
		l.ceiling = float64(opsPerMinute) / 60
		l.pace = l.ceiling
		l.bucket = rate.NewLimiter(rate.Limit(l.pace), burstOf(l.pace))
	}
	return l
}

// burstOf is the bucket size at pace calls per second: one second's worth.
func burstOf(pace float64) int { return max(1, int(pace)) }

// OpsPerMinute returns the limit set; 0 means none.
func (l *Limiter) OpsPerMinute() int {
	if l == nil {
		return 0
	}
	return l.opsPerMinute
}

// Wait blocks until one call may go, or ctx is done. A wait that would end
// after ctx's deadline is not started: Wait returns at once with a
// ResourceExhausted status (its outcome is Throttled, so the call is
// retried after a backoff rather than timed out).
func (l *Limiter) Wait(ctx context.Context) error {
	_, err := l.admit(ctx)
	return err
}

// admit is Wait; it also returns the call's ticket, for throttled.
func (l *Limiter) admit(ctx context.Context) (uint64, error) {
	if l == nil {
		return 0, nil
	}
	l.mu.Lock()
	now := l.now()
	ticket := l.sent
	if l.bucket == nil {
		l.recent[ticket%recentCalls] = now
		l.sent++
		l.mu.Unlock()
		return ticket, nil
	}
	r := l.bucket.ReserveN(now, 1) // always OK: the burst is at least 1
	d := r.DelayFrom(now)
	if dl, ok := ctx.Deadline(); ok && d > 0 && now.Add(d).After(dl) {
		r.CancelAt(now)
		l.mu.Unlock()
		return 0, status.Errorf(codes.ResourceExhausted,
			"client-side rate limit of %d calls per minute: the call would wait %s, past its deadline",
			int(l.pace*60), d.Round(time.Millisecond))
	}
	l.sent++
	l.stats.Waits++
	if d > 0 {
		l.stats.Delayed++
		// Reservations are granted in order, so waits end in order: the
		// time covered by waits grows by the part of this one after the
		// end of the previous one.
		end := now.Add(d)
		from := now
		if l.busyUntil.After(from) {
			from = l.busyUntil
		}
		if end.After(from) {
			l.stats.Waited += end.Sub(from)
			l.busyUntil = end
		}
	}
	l.mu.Unlock()
	if d <= 0 {
		return ticket, nil
	}
	if err := l.sleep(ctx, d); err != nil {
		r.CancelAt(l.now())
		return 0, err
	}
	return ticket, nil
}

// sendingRate estimates the calls per second of the latest calls let
// through without a limit.
func (l *Limiter) sendingRate() float64 {
	n := min(l.sent, recentCalls)
	if n < 2 {
		return 0
	}
	newest := l.recent[(l.sent-1)%recentCalls]
	oldest := l.recent[(l.sent-n)%recentCalls]
	return float64(n-1) / max(newest.Sub(oldest), time.Millisecond).Seconds()
}

// throttled records a quota refusal (isQuotaRefusal) of the call with
// this ticket and, unless that call was sent before the latest cut,
// halves the pace.
func (l *Limiter) throttled(ticket uint64) {
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.stats.Throttled++
	if l.cut && ticket < l.cutAt {
		return
	}
	now := l.now()
	sending := l.pace
	if l.bucket == nil {
		sending = l.sendingRate()
	}
	l.cut, l.cutAt = true, l.sent
	l.setPace(now, max(minPace, sending/2))
	// The service has no token left: neither has the bucket.
	if t := l.bucket.TokensAt(now); t >= 1 {
		l.bucket.AllowN(now, int(t))
	}
	if per := int(l.pace * 60); l.stats.Slowest == 0 || per < l.stats.Slowest {
		l.stats.Slowest = per
	}
}

// isQuotaRefusal reports whether err is the service refusing a call for a
// rate quota: ResourceExhausted with Google's quota message ("Quota
// exceeded for quota metric ...", or the older "Insufficient tokens for
// quota ...") or an ErrorInfo with reason RATE_LIMIT_EXCEEDED. Other
// ResourceExhausted answers (a limit on the number of resources, an
// injected fault) are retried all the same but do not slow calls down.
func isQuotaRefusal(err error) bool {
	s, ok := status.FromError(err)
	if !ok || s.Code() != codes.ResourceExhausted {
		return false
	}
	if msg := s.Message(); strings.Contains(msg, "Quota exceeded") || strings.Contains(msg, "Insufficient tokens for quota") {
		return true
	}
	for _, d := range s.Details() {
		m, ok := d.(proto.Message)
		if !ok {
			continue
		}
		r := m.ProtoReflect()
		if r.Descriptor().FullName() != "google.rpc.ErrorInfo" {
			continue
		}
		if f := r.Descriptor().Fields().ByName("reason"); f != nil && r.Get(f).String() == "RATE_LIMIT_EXCEEDED" {
			return true
		}
	}
	return false
}

// answered records an answer that is not a quota refusal: a cut pace
// speeds up again, up to the limit set.
func (l *Limiter) answered() {
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.cut || (l.ceiling > 0 && l.pace >= l.ceiling) {
		return
	}
	p := l.pace + paceStep
	if l.ceiling > 0 {
		p = min(p, l.ceiling)
	}
	l.setPace(l.now(), p)
}

func (l *Limiter) setPace(now time.Time, p float64) {
	l.pace = p
	if l.bucket == nil {
		l.bucket = rate.NewLimiter(rate.Limit(p), burstOf(p))
		return
	}
	l.bucket.SetLimitAt(now, rate.Limit(p))
	l.bucket.SetBurstAt(now, burstOf(p))
}

// Stats returns what the limiter has done since it was made.
func (l *Limiter) Stats() LimitStats {
	if l == nil {
		return LimitStats{}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.stats
}
