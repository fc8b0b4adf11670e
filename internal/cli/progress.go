package cli

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/pubsubctl/pubsubctl/apply"
)

// progress prints apply's events: a line per finished operation, and on a
// terminal a live status line below them (done, in flight, elapsed) that is
// redrawn as operations start and finish and every second in between, so
// that a large apply never looks stuck.
type progress struct {
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

func newProgress(w io.Writer, live bool, total int, now func() time.Time) *progress {
	return &progress{w: w, live: live, total: total, start: now(), now: now}
}

// run redraws the status line every interval until close; only on a
// terminal.
func (p *progress) run(interval time.Duration) {
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

// close stops redrawing and clears the status line.
func (p *progress) close() {
	if p.stop != nil {
		close(p.stop)
		<-p.stopped
		p.stop = nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clearStatus()
}

// event records an executor event.
func (p *progress) event(e apply.Event) {
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
	writeEvent(p.w, p.done, p.total, e)
	p.drawStatus()
}

func (p *progress) clearStatus() {
	if p.drawn {
		fmt.Fprint(p.w, "\r\x1b[K")
		p.drawn = false
	}
}

func (p *progress) drawStatus() {
	if !p.live {
		return
	}
	fmt.Fprintf(p.w, "\r\x1b[K  %d/%d done, %d in flight, %s elapsed", p.done, p.total, p.inFlight, p.now().Sub(p.start).Round(time.Second))
	p.drawn = true
}
