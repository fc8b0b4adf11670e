package model

import "sort"

// Policy is an IAM policy as read from or written to Pub/Sub.
type Policy struct {
	Etag     string          `json:"etag,omitempty"` // opaque; base64 of the service's etag bytes
	Version  int             `json:"version,omitempty"`
	Bindings []PolicyBinding `json:"bindings,omitempty"`
}

// PolicyBinding is one role of a live policy.
type PolicyBinding struct {
	Role    string   `json:"role,omitempty"`
	Members []string `json:"members,omitempty"`
	// Condition is the expression of a conditional binding found live.
	Condition string `json:"condition,omitempty"`
}

// Members returns the members of role, sorted.
func (p *Policy) Members(role string) []string {
	if p == nil {
		return nil
	}
	var out []string
	for _, b := range p.Bindings {
		if b.Role == role {
			out = append(out, b.Members...)
		}
	}
	sort.Strings(out)
	return out
}

// Normalize sorts roles and members and drops empty bindings and duplicate
// members, so that equal policies compare equal.
func (p *Policy) Normalize() {
	if p == nil {
		return
	}
	byRole := map[string]map[string]bool{}
	conds := map[string]string{}
	for _, b := range p.Bindings {
		key := b.Role + "\x00" + b.Condition
		if byRole[key] == nil {
			byRole[key] = map[string]bool{}
		}
		conds[key] = b.Condition
		for _, m := range b.Members {
			byRole[key][m] = true
		}
	}
	var out []PolicyBinding
	for key, ms := range byRole {
		if len(ms) == 0 {
			continue
		}
		b := PolicyBinding{Role: key[:indexNul(key)], Condition: conds[key]}
		for m := range ms {
			b.Members = append(b.Members, m)
		}
		sort.Strings(b.Members)
		out = append(out, b)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Role != out[j].Role {
			return out[i].Role < out[j].Role
		}
		return out[i].Condition < out[j].Condition
	})
	p.Bindings = out
}

func indexNul(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] == 0 {
			return i
		}
	}
	return len(s)
}
