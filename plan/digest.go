package plan

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/pubsubctl/pubsubctl/model"
)

// Digest is a stable fingerprint of live state: a saved plan records it so
// apply can refuse to execute a plan computed from state that has changed.
func Digest(l *model.State) string {
	h := sha256.New()
	if err := writeLiveSnapshot(h, l); err != nil {
		panic(fmt.Sprintf("plan: digest: %v", err)) // model types always marshal
	}
	return hex.EncodeToString(h.Sum(nil))
}

// ConfigDigest is a stable fingerprint of a loaded configuration: every
// value of every resource, the project, the stack and the external
// bindings, but not where in the files they were written. A saved plan
// records it so that apply can refuse a plan whose configuration changed.
func ConfigDigest(c *model.Config) string {
	h := sha256.New()
	if err := writeCanonical(h, c); err != nil {
		panic(fmt.Sprintf("plan: config digest: %v", err)) // model types always marshal
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Divergence returns "" when saved and derived plan the same changes: the
// same resource changes, IAM changes and unmanaged resources, with the same
// values, for the same project and stack. Otherwise it describes the first
// difference. Apply uses it to verify a saved plan against the plan it
// derives itself from the configuration and live state.
func Divergence(saved, derived *Plan) string {
	if saved.Project != derived.Project || saved.Stack != derived.Stack {
		return fmt.Sprintf("it is for project %s, stack %s; the configuration is for project %s, stack %s", saved.Project, saved.Stack, derived.Project, derived.Stack)
	}
	if len(saved.Changes) != len(derived.Changes) {
		return fmt.Sprintf("it has %d resource changes; the configuration and live state give %d", len(saved.Changes), len(derived.Changes))
	}
	for i := range saved.Changes {
		if !bytes.Equal(Canonical(saved.Changes[i]), Canonical(derived.Changes[i])) {
			return fmt.Sprintf("its change of %s (%s) is not the one the configuration and live state give", saved.Changes[i].Address, saved.Changes[i].Action)
		}
	}
	if len(saved.IAM) != len(derived.IAM) {
		return fmt.Sprintf("it has %d IAM changes; the configuration and live state give %d", len(saved.IAM), len(derived.IAM))
	}
	for i := range saved.IAM {
		if !bytes.Equal(Canonical(saved.IAM[i]), Canonical(derived.IAM[i])) {
			return fmt.Sprintf("its IAM change of %s is not the one the configuration and live state give", saved.IAM[i].Name)
		}
	}
	if !bytes.Equal(Canonical(saved.Unmanaged), Canonical(derived.Unmanaged)) {
		return "its list of resources this stack does not manage is not the one live state gives"
	}
	if saved.Adopt != derived.Adopt || !bytes.Equal(Canonical(saved.Targets), Canonical(derived.Targets)) {
		return "its --adopt or --target options were changed"
	}
	return ""
}

// Canonical is v's JSON form without the Meta of model resources (source
// ranges and provenance, which depend on where the files are, not on what
// they say).
func Canonical(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("plan: canonical: %v", err)) // plan and model types always marshal
	}
	var generic any
	if err := json.Unmarshal(b, &generic); err != nil {
		panic(fmt.Sprintf("plan: canonical: %v", err))
	}
	b, err = json.Marshal(stripMeta(generic))
	if err != nil {
		panic(fmt.Sprintf("plan: canonical: %v", err))
	}
	return b
}

func stripMeta(v any) any {
	switch v := v.(type) {
	case map[string]any:
		delete(v, "meta")
		for k, e := range v {
			v[k] = stripMeta(e)
		}
	case []any:
		for i, e := range v {
			v[i] = stripMeta(e)
		}
	}
	return v
}
