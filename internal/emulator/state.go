package emulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	iampb "cloud.google.com/go/iam/apiv1/iampb"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/pubsubctl/pubsubctl/internal/emulator/engine"
)

// Persistence (Options.DataDir): the emulator's state in one versioned
// JSON file, read by Start and written by Close.
const (
	// StateFileName is the state file's name in Options.DataDir.
	StateFileName = "pubsubctl-emulator-state.json"
	stateFormat   = "pubsubctl-emulator-state"
	stateVersion  = 1
	// maxStateFile bounds the state file read at start.
	maxStateFile = 1 << 30
)

type stateFile struct {
	Format  string                     `json:"format"`
	Version int                        `json:"version"`
	Engine  *engine.State              `json:"engine"`
	IAM     map[string]json.RawMessage `json:"iam,omitempty"` // resource -> protojson Policy
	IAMSeq  uint64                     `json:"iam_etag_seq,omitempty"`
}

// Snapshot writes the emulator's state (topics, subscriptions with their
// unacknowledged messages, schemas and IAM policies) to w as a versioned
// JSON document that Restore reads.
func (s *Server) Snapshot(w io.Writer) error {
	es, err := s.eng.Export()
	if err != nil {
		return fmt.Errorf("emulator: snapshot: %w", err)
	}
	f := stateFile{Format: stateFormat, Version: stateVersion, Engine: es, IAM: map[string]json.RawMessage{}}
	s.iam.mu.Lock()
	f.IAMSeq = s.iam.seq
	for res, p := range s.iam.policies {
		b, err := protojson.Marshal(p)
		if err != nil {
			s.iam.mu.Unlock()
			return fmt.Errorf("emulator: snapshot: IAM policy of %s: %w", res, err)
		}
		f.IAM[res] = b
	}
	s.iam.mu.Unlock()
	enc := json.NewEncoder(w)
	if err := enc.Encode(&f); err != nil {
		return fmt.Errorf("emulator: snapshot: %w", err)
	}
	return nil
}

// Restore loads a Snapshot into an emulator that holds nothing yet. A
// document that is not a snapshot, or of another version, is an error.
func (s *Server) Restore(r io.Reader) error {
	var f stateFile
	dec := json.NewDecoder(io.LimitReader(r, maxStateFile))
	if err := dec.Decode(&f); err != nil {
		return fmt.Errorf("not an emulator state document: %w", err)
	}
	if f.Format != stateFormat {
		return fmt.Errorf("not an emulator state document (format %q, want %q)", f.Format, stateFormat)
	}
	if f.Version != stateVersion {
		return fmt.Errorf("emulator state version %d, this emulator reads version %d", f.Version, stateVersion)
	}
	if f.Engine == nil {
		return errors.New("emulator state document without engine state")
	}
	policies := map[string]*iampb.Policy{}
	for res, raw := range f.IAM {
		p := &iampb.Policy{}
		if err := protojson.Unmarshal(raw, p); err != nil {
			return fmt.Errorf("IAM policy of %s: %w", res, err)
		}
		policies[res] = p
	}
	if err := s.eng.Import(f.Engine); err != nil {
		return err
	}
	s.iam.mu.Lock()
	s.iam.policies = policies
	s.iam.seq = max(s.iam.seq, f.IAMSeq)
	s.iam.mu.Unlock()
	return nil
}

// loadState restores the state file of dir, if there is one; an
// unreadable, corrupt or foreign file is an error naming it.
func (s *Server) loadState(dir string) error {
	path := filepath.Join(dir, StateFileName)
	fh, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("emulator: read state file %s: %w", path, err)
	}
	defer fh.Close()
	if err := s.Restore(fh); err != nil {
		return fmt.Errorf("emulator: state file %s: %w", path, err)
	}
	return nil
}

// saveState writes the state file of dir atomically (a temporary file
// renamed over it).
func (s *Server) saveState(dir string) error {
	path := filepath.Join(dir, StateFileName)
	tmp, err := os.CreateTemp(dir, StateFileName+".tmp-*")
	if err != nil {
		return fmt.Errorf("emulator: write state file %s: %w", path, err)
	}
	defer os.Remove(tmp.Name()) // fails harmlessly once renamed
	if err := s.Snapshot(tmp); err != nil {
		_ = tmp.Close()
		return fmt.Errorf("emulator: write state file %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("emulator: write state file %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("emulator: write state file %s: %w", path, err)
	}
	return nil
}

// SaveState writes the state file now (Options.DataDir must be set), for
// callers that save periodically; Close saves too.
func (s *Server) SaveState() error {
	if s.dataDir == "" {
		return errors.New("emulator: no data directory (Options.DataDir)")
	}
	return s.saveState(s.dataDir)
}
