package savedplan

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/pubsubctl/pubsubctl/internal/safefile"
	"github.com/pubsubctl/pubsubctl/plan"
)

// Kind is the envelope's kind.
const Kind = "pubsubctl-plan"

// MaxSize bounds a plan file. A plan of 10,000 topics and 10,000
// subscriptions created with IAM is about 60 MB.
const MaxSize = 256 << 20

// ErrModified is returned when the content does not match its digest.
var ErrModified = errors.New("the plan file was modified after plan wrote it (its content does not match its digest); run plan again")

// File is what a saved plan records: the plan, and how it was made, so that
// apply can verify it and prove convergence.
type File struct {
	Plan *plan.Plan `json:"plan"`
	// IAMScope lists the full names whose policies plan read.
	IAMScope []string `json:"iam_scope"`
	// Endpoint is where live state was read: "emulator HOST:PORT" or
	// "pubsub.googleapis.com". Apply refuses to run the plan elsewhere.
	Endpoint string `json:"endpoint"`
	// ConfigDigest fingerprints the loaded configuration (plan.ConfigDigest).
	ConfigDigest string `json:"config_digest"`
	// How the configuration was loaded. Dir is absolute; RelDir is the
	// path as given, used when Dir does not exist at apply time (a CI job
	// that applies in another checkout of the same commit).
	Dir             string   `json:"dir"`
	RelDir          string   `json:"rel_dir,omitempty"`
	Vars            []string `json:"vars,omitempty"`
	VarFiles        []string `json:"var_files,omitempty"`
	Targets         []string `json:"targets,omitempty"`
	Adopt           bool     `json:"adopt,omitempty"`
	ProjectOverride string   `json:"project_override,omitempty"`
}

type envelope struct {
	Kind    string          `json:"kind"`
	SHA256  string          `json:"sha256"`
	Content json.RawMessage `json:"content"`
}

// Encode returns the sealed file.
func Encode(f *File) ([]byte, error) {
	content, err := json.Marshal(f)
	if err != nil {
		return nil, fmt.Errorf("encode plan: %w", err)
	}
	sum := sha256.Sum256(content)
	b, err := json.MarshalIndent(envelope{Kind: Kind, SHA256: hex.EncodeToString(sum[:]), Content: content}, "", " ")
	if err != nil {
		return nil, fmt.Errorf("encode plan: %w", err)
	}
	return append(b, '\n'), nil
}

// Decode checks the envelope and the digest, then decodes the content.
// source names the file in errors.
func Decode(b []byte, source string) (*File, error) {
	notPlan := fmt.Errorf("%s is not a plan saved by pubsubctl plan --out", source)
	var env envelope
	if err := json.Unmarshal(b, &env); err != nil || env.Kind != Kind {
		return nil, notPlan
	}
	if len(env.Content) == 0 {
		return nil, fmt.Errorf("%s: %w", source, ErrModified)
	}
	// The digest covers the bytes of content exactly as written, but
	// MarshalIndent re-indents a RawMessage; compact it back first.
	var compact bytes.Buffer
	if err := json.Compact(&compact, env.Content); err != nil {
		return nil, notPlan
	}
	sum := sha256.Sum256(compact.Bytes())
	if hex.EncodeToString(sum[:]) != env.SHA256 {
		return nil, fmt.Errorf("%s: %w", source, ErrModified)
	}
	dec := json.NewDecoder(bytes.NewReader(compact.Bytes()))
	dec.DisallowUnknownFields()
	var f File
	if err := dec.Decode(&f); err != nil || f.Plan == nil {
		return nil, fmt.Errorf("%s: the plan file is sealed but its content is not a plan this pubsubctl can read", source)
	}
	if f.Plan.FormatVersion != plan.FormatVersion {
		return nil, fmt.Errorf("%s was saved by a pubsubctl with plan format %s; this one reads %s", source, f.Plan.FormatVersion, plan.FormatVersion)
	}
	if f.Endpoint == "" || f.ConfigDigest == "" || f.Dir == "" {
		return nil, fmt.Errorf("%s: the plan file does not say which target and configuration it was made for; run plan again", source)
	}
	return &f, nil
}

// Write seals f into path with mode 0600 (the file holds configuration
// values), replacing an existing file atomically.
func Write(path string, f *File) error {
	b, err := Encode(f)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".pubsubctl-plan-*")
	if err != nil {
		return fmt.Errorf("save plan: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("save plan: %w", err)
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return fmt.Errorf("save plan: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("save plan: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("save plan: %w", err)
	}
	return nil
}

// Read reads and decodes a saved plan. Only a regular file of at most
// MaxSize bytes is read: a device (/dev/zero), a FIFO or a directory is
// refused before it is opened for reading.
func Read(path string) (*File, error) {
	b, err := safefile.ReadBounded(path, MaxSize)
	if err != nil {
		return nil, err
	}
	return Decode(b, path)
}
