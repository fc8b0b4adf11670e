package cli

import (
	"bytes"
	"io"
	"sort"
	"sync"

	"github.com/pubsubctl/pubsubctl/plan"
)

// minRedactLen is the shortest sensitive value the output filter replaces.
// Shorter values ("true", "42", "eu") would garble unrelated text wherever
// they occur; they are still hidden where they are rendered as values
// (plans show "(sensitive)", diagnostics never quote them).
const minRedactLen = 4

// redactor is the last line of defence for sensitive values: every byte a
// command writes to stdout or stderr goes through it, and every occurrence
// of a sensitive value is replaced with "(sensitive)" before it reaches the
// stream, whatever printed it (a diagnostic, a plan, an API error that
// echoes a label value). It holds back only a suffix that could be the
// start of a sensitive value, until the next write or Flush decides.
type redactor struct {
	mu      sync.Mutex
	w       io.Writer
	secrets [][]byte // longest first
	pending []byte
}

func newRedactor(w io.Writer) *redactor { return &redactor{w: w} }

// Unwrap returns the underlying stream (for terminal detection).
func (r *redactor) Unwrap() io.Writer { return r.w }

// add registers sensitive values.
func (r *redactor) add(secrets []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	seen := map[string]bool{}
	for _, s := range r.secrets {
		seen[string(s)] = true
	}
	for _, s := range secrets {
		if len(s) >= minRedactLen && !seen[s] {
			seen[s] = true
			r.secrets = append(r.secrets, []byte(s))
		}
	}
	sort.SliceStable(r.secrets, func(i, j int) bool { return len(r.secrets[i]) > len(r.secrets[j]) })
}

func (r *redactor) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.secrets) == 0 && len(r.pending) == 0 {
		return r.w.Write(p)
	}
	buf := r.redact(append(r.pending, p...))
	hold := r.partial(buf)
	r.pending = append([]byte(nil), buf[len(buf)-hold:]...)
	if _, err := r.w.Write(buf[:len(buf)-hold]); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Flush writes what is held back.
func (r *redactor) Flush() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.pending) == 0 {
		return nil
	}
	_, err := r.w.Write(r.pending)
	r.pending = nil
	return err
}

// Sync flushes, then syncs the stream when it can be synced.
func (r *redactor) Sync() error {
	if err := r.Flush(); err != nil {
		return err
	}
	if s, ok := r.w.(interface{ Sync() error }); ok {
		return s.Sync()
	}
	return nil
}

func (r *redactor) redact(b []byte) []byte {
	for _, s := range r.secrets {
		if bytes.Contains(b, s) {
			b = bytes.ReplaceAll(b, s, []byte(plan.SensitiveValue))
		}
	}
	return b
}

// partial returns the length of the longest suffix of b that is a proper
// prefix of a sensitive value.
func (r *redactor) partial(b []byte) int {
	best := 0
	for _, s := range r.secrets {
		for i := max(0, len(b)-len(s)+1); i < len(b)-best; i++ {
			if b[i] == s[0] && bytes.HasPrefix(s, b[i:]) {
				best = len(b) - i
				break
			}
		}
	}
	return best
}
