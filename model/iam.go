package model

import "github.com/hashicorp/hcl/v2"

// Roles pubsubctl's shortcuts bind.
const (
	RolePublisher  = "roles/pubsub.publisher"
	RoleSubscriber = "roles/pubsub.subscriber"
	RoleViewer     = "roles/pubsub.viewer"
)

// IAM is the IAM declared on one resource. For every role named in Bindings
// the member set is authoritative; other roles are left alone unless
// Authoritative is true, in which case the whole policy is managed.
type IAM struct {
	Bindings      []Binding `json:"bindings,omitempty"`
	Authoritative bool      `json:"authoritative,omitempty"`
}

// Binding grants a role to members. Several bindings may name the same role
// (a shortcut and an iam block, say); their members are merged.
type Binding struct {
	Role       string   `json:"role,omitempty"`
	Members    []string `json:"members,omitempty"`
	AllowBroad bool     `json:"allow_broad,omitempty"`
	// Condition is set when the user wrote one; Pub/Sub does not support
	// conditions, so validation rejects it.
	Condition string `json:"condition,omitempty"`
	// Origin says why the binding exists: "publishers", "subscribers",
	// "viewers", "iam", or "dead-letter grant for subscription.X".
	Origin string    `json:"origin,omitempty"`
	Range  hcl.Range `json:"-"`
	// MemberRanges holds the range of each member expression, when known.
	MemberRanges []hcl.Range `json:"-"`
	// Additive bindings only ensure their members are present: they do not
	// make pubsubctl authoritative for the role. pubsubctl's own grants (the
	// dead-letter grants to the service agent) are additive unless the user
	// declares the same role on the resource.
	Additive bool `json:"additive,omitempty"`
}

// Roles returns the distinct roles named by the bindings, in order.
func (p *IAM) Roles() []string {
	seen := map[string]bool{}
	var out []string
	for _, b := range p.Bindings {
		if !seen[b.Role] {
			seen[b.Role] = true
			out = append(out, b.Role)
		}
	}
	return out
}

// Empty reports whether no IAM is declared.
func (p *IAM) Empty() bool { return len(p.Bindings) == 0 && !p.Authoritative }

// ServiceAgent returns the Pub/Sub service agent member of a project number.
func ServiceAgent(projectNumber string) string {
	return "serviceAccount:service-" + projectNumber + "@gcp-sa-pubsub.iam.gserviceaccount.com"
}
