package render

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/pubsubctl/pubsubctl/apply"
	"github.com/pubsubctl/pubsubctl/internal/live"
)

// Progress prints apply's events: a line per finished operation, and on a
// terminal a live status line below them (done, in flight, elapsed) that is
// redrawn as operations start and finish and every second in between, so
// that a large apply never looks stuck.
type Progress struct {
	w     io.Writer
	live  bool // w is a terminal: draw the status line
	total int
	start time.Time
	now   func() time.Time

	mu       sync.Mutex
	done     int
	inFlight int
	drawn    bool // the status line is on screen
	stop     chan struct{}
	stopped  chan struct{}
}

// NewProgress returns a Progress for total operations written to w; live
// draws the status line (w is a terminal).
func NewProgress(w io.Writer, live bool, total int, now func() time.Time) *Progress {
	return &Progress{w: w, live: live, total: total, start: now(), now: now}
}

// Run redraws the status line every interval until Close; only on a
// terminal.
func (p *Progress) Run(interval time.Duration) {
	if !p.live {
		return
	}
	p.stop, p.stopped = make(chan struct{}), make(chan struct{})
	go func() {
		defer close(p.stopped)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-p.stop:
				return
			case <-t.C:
				p.mu.Lock()
				p.drawStatus()
				p.mu.Unlock()
			}
		}
	}()
}

// Close stops redrawing and clears the status line.
func (p *Progress) Close() {
	if p.stop != nil {
		close(p.stop)
		<-p.stopped
		p.stop = nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clearStatus()
}

// Event records an executor event (apply.Options.Progress).
func (p *Progress) Event(e apply.Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if e.Status == apply.Started {
		p.inFlight++
		p.drawStatus()
		return
	}
	if e.Attempts > 0 && p.inFlight > 0 {
		p.inFlight-- // it ran, so it had started
	}
	p.done++
	p.clearStatus()
	fmt.Fprintln(p.w, EventLine(p.done, p.total, e))
	p.drawStatus()
}

func (p *Progress) clearStatus() {
	if p.drawn {
		fmt.Fprint(p.w, "\r\x1b[K")
		p.drawn = false
	}
}

func (p *Progress) drawStatus() {
	if !p.live {
		return
	}
	fmt.Fprintf(p.w, "\r\x1b[K  %d/%d done, %d in flight, %s elapsed", p.done, p.total, p.inFlight, p.now().Sub(p.start).Round(time.Second))
	p.drawn = true
}

// EventLine renders one finished operation: "[3/10] create topic.orders:
// done after 1.2s (2 attempts) (detail)".
func EventLine(done, total int, e apply.Event) string {
	verb := map[apply.Status]string{apply.Applied: "done", apply.Failed: "FAILED", apply.Skipped: "skipped", apply.Refused: "refused"}[e.Status]
	line := fmt.Sprintf("[%d/%d] %s %s: %s", done, total, e.Op, e.Address, verb)
	if e.Status == apply.Applied || e.Status == apply.Failed {
		line += fmt.Sprintf(" after %s", e.Duration.Round(time.Millisecond))
	}
	if e.Attempts > 1 {
		line += fmt.Sprintf(" (%d attempts)", e.Attempts)
	}
	if e.Detail != "" {
		line += " (" + e.Detail + ")"
	}
	return line
}

// ApplySummary writes the result of an apply: the counts and elapsed time,
// how the rate limit and the quota slowed it down (RateLimit) and, when
// interrupted, what to do, to w; the error of every failed
// operation to errw.
func ApplySummary(w, errw io.Writer, res *apply.Result) {
	fmt.Fprintf(w, "\nApply %s: %d applied, %d failed, %d skipped in %s.\n",
		map[bool]string{true: "complete", false: "finished with errors"}[res.OK()],
		res.Applied, res.Failed, res.Skipped, res.Elapsed.Round(time.Millisecond))
	RateLimit(w, res.RateLimit)
	if res.Interrupted {
		fmt.Fprintln(w, "Interrupted: the skipped operations were not started. Run apply again to finish.")
	}
	for _, e := range res.Events {
		if e.Status == apply.Failed {
			fmt.Fprintf(errw, "Error: %v\n", e.Err)
		}
	}
}

// RateLimit says how the client-side rate limit and the service's quota
// slowed calls down, one line each and only when they did:
//
//	Waited 12.3s for the client-side rate limit (3000 calls per minute; 1843 of 2003 calls delayed).
//	Waited 31.0s for the client-side rate limit (no limit set; slowed to 300 calls per minute by quota refusals; 280 of 300 calls delayed).
//	The quota refused 57 calls (ResourceExhausted); they were retried after a backoff, and calls slowed down.
func RateLimit(w io.Writer, s live.LimitStats) {
	if s.Waited > 0 {
		limit := "no limit set"
		if s.OpsPerMinute > 0 {
			limit = fmt.Sprintf("%d calls per minute", s.OpsPerMinute)
		}
		if s.Slowest > 0 {
			limit += fmt.Sprintf("; slowed to %d calls per minute by quota refusals", s.Slowest)
		}
		fmt.Fprintf(w, "Waited %s for the client-side rate limit (%s; %d of %d calls delayed).\n",
			roundWait(s.Waited), limit, s.Delayed, s.Waits)
	}
	if s.Throttled > 0 {
		fmt.Fprintf(w, "The quota refused %d %s (ResourceExhausted); they were retried after a backoff, and calls slowed down.\n",
			s.Throttled, map[bool]string{true: "call", false: "calls"}[s.Throttled == 1])
	}
}

// roundWait rounds a wait for reading: 1ms under a second, 0.1s above.
func roundWait(d time.Duration) time.Duration {
	if d < time.Second {
		return max(d.Round(time.Millisecond), time.Millisecond)
	}
	return d.Round(100 * time.Millisecond)
}

// ReadStatus is the status line of a long read of live state, drawn on a
// terminal while plan reads: "reading live state: 12000 resources listed,
// 3000/8000 policies read, 14s".
func ReadStatus(listed, policiesRead, policiesToRead int64, elapsed time.Duration) string {
	s := fmt.Sprintf("reading live state: %d resources listed", listed)
	if policiesToRead > 0 {
		s += fmt.Sprintf(", %d/%d policies read", policiesRead, policiesToRead)
	}
	return s + ", " + elapsed.Round(time.Second).String()
}
