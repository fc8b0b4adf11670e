package iam

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/pubsubctl/pubsubctl/model"
)

// Actions of a MemberChange.
const (
	ActionAdd    = "add"
	ActionRemove = "remove"
)

// OriginNotInConfig is the Origin of every removal: the member is live but
// the configuration does not grant it.
const OriginNotInConfig = "not in configuration"

// originIAM is the origin of a binding that does not say where it came from.
const originIAM = "iam"

// MemberChange is one member added to or removed from a role.
type MemberChange struct {
	Role   string `json:"role,omitempty"`
	Member string `json:"member,omitempty"`
	Action string `json:"action,omitempty"` // ActionAdd or ActionRemove
	// Origin says why: "publishers", "subscribers", "viewers", "iam",
	// "dead-letter grant for subscription.x" (several joined with ", " when
	// more than one binding grants the member), or OriginNotInConfig for
	// removals.
	Origin string `json:"origin,omitempty"`
}

// CountChanges returns how many members changes add and remove.
func CountChanges(changes []MemberChange) (added, removed int) {
	for _, c := range changes {
		if c.Action == ActionRemove {
			removed++
		} else {
			added++
		}
	}
	return added, removed
}

// String renders the change as "+ roles/x user:a@b.c (publishers)".
func (c MemberChange) String() string {
	sign := "+"
	if c.Action == ActionRemove {
		sign = "-"
	}
	return sign + " " + c.Role + " " + c.Member + " (" + c.Origin + ")"
}

// DesiredPolicy is the IAM declared on one resource, merged per role.
type DesiredPolicy struct {
	// Roles maps every declared role to its members: canonical (see
	// CanonicalMember), sorted and de-duplicated. A role declared with no
	// members is present with an empty slice: it means "nobody".
	Roles map[string][]string `json:"roles,omitempty"`
	// Origins maps role -> canonical member -> why the member is granted.
	Origins map[string]map[string]string `json:"origins,omitempty"`
	// Authoritative holds the roles whose member set pubsubctl owns
	// exactly: those named by at least one non-additive binding, or every
	// declared role when WholePolicy is set.
	Authoritative map[string]bool `json:"authoritative,omitempty"`
	// WholePolicy is iam_policy = "authoritative": roles the configuration
	// does not name lose all their (unconditional) members.
	WholePolicy bool `json:"whole_policy,omitempty"`
}

// Managed reports whether the desired policy says anything at all; a
// resource whose desired policy is not managed needs no IAM read or write.
func (d DesiredPolicy) Managed() bool { return len(d.Roles) > 0 || d.WholePolicy }

// Desired merges the declared IAM into a DesiredPolicy. Bindings naming the
// same role are merged (a shortcut and an iam block, say); the origins of a
// member granted by several bindings are joined with ", " in declaration
// order. A binding without an Origin counts as "iam". Bindings with a
// Condition are ignored: validation rejects them, and dropping the condition
// would grant more than the user wrote.
func Desired(decl model.IAM) DesiredPolicy {
	d := DesiredPolicy{
		Roles:         map[string][]string{},
		Origins:       map[string]map[string]string{},
		Authoritative: map[string]bool{},
		WholePolicy:   decl.Authoritative,
	}
	origins := map[string]map[string][]string{} // role -> member -> origins in order
	for _, b := range decl.Bindings {
		if b.Condition != "" {
			continue
		}
		if origins[b.Role] == nil {
			origins[b.Role] = map[string][]string{}
		}
		if !b.Additive || decl.Authoritative {
			d.Authoritative[b.Role] = true
		}
		origin := b.Origin
		if origin == "" {
			origin = originIAM
		}
		for _, m := range b.Members {
			cm := CanonicalMember(m)
			if !slices.Contains(origins[b.Role][cm], origin) {
				origins[b.Role][cm] = append(origins[b.Role][cm], origin)
			}
		}
	}
	for role, ms := range origins {
		members := make([]string, 0, len(ms))
		d.Origins[role] = make(map[string]string, len(ms))
		for m, os := range ms {
			members = append(members, m)
			d.Origins[role][m] = strings.Join(os, ", ")
		}
		sort.Strings(members)
		d.Roles[role] = members
	}
	return d
}

// CanonicalMember returns the form IAM stores a member in, which is the form
// members are compared in: the e-mail of user:, serviceAccount: and group:
// members and the name of domain: members in lower case (IAM lower-cases
// them), every other member (allUsers, deleted:..., principal://...)
// unchanged, since those compare case-sensitively. The type prefix itself is
// never changed: "serviceaccount:" is not a valid member.
func CanonicalMember(m string) string {
	for _, p := range caseInsensitiveKinds {
		if strings.HasPrefix(m, p) {
			if !hasUpper(m[len(p):]) {
				return m // the common case: no allocation
			}
			return p + strings.ToLower(m[len(p):])
		}
	}
	return m
}

// hasUpper reports whether s may change under strings.ToLower: it has an
// upper-case ASCII letter or any non-ASCII byte.
func hasUpper(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; 'A' <= c && c <= 'Z' || c >= 0x80 {
			return true
		}
	}
	return false
}

var caseInsensitiveKinds = []string{"user:", "serviceAccount:", "group:", "domain:"}

// liveMember is a member as spelled live and in canonical form.
type liveMember struct{ exact, canon string }

// liveMembers returns the unconditional members of every role of p, each
// role's members in policy order, without canonical duplicates.
func liveMembers(p *model.Policy) map[string][]liveMember {
	out := map[string][]liveMember{}
	if p == nil {
		return out
	}
	seen := map[string]map[string]bool{}
	for _, b := range p.Bindings {
		if b.Condition != "" {
			continue
		}
		if seen[b.Role] == nil {
			seen[b.Role] = make(map[string]bool, len(b.Members))
			out[b.Role] = make([]liveMember, 0, len(b.Members))
		}
		for _, m := range b.Members {
			cm := CanonicalMember(m)
			if !seen[b.Role][cm] {
				seen[b.Role][cm] = true
				out[b.Role] = append(out[b.Role], liveMember{m, cm})
			}
		}
	}
	return out
}

// Diff computes the member-level changes that turn live into desired:
//
//   - authoritative roles: missing members are added, extra ones removed;
//   - additive-only roles: missing members are added, none is removed;
//   - roles the configuration never names are untouched, unless WholePolicy
//     is set, in which case all their members are removed;
//   - live conditional bindings are never touched (see ConditionalBindings).
//
// Members are compared in canonical form (see CanonicalMember). An added
// member is spelled as in desired (canonically, when desired comes from
// Desired); a removed member is spelled as it is live.
// A nil live policy is an empty one.
//
// The result is sorted by role, then removals before additions (so that a
// reviewer sees what is taken away first, as in a unified diff), then
// member. It is deterministic.
func Diff(desired DesiredPolicy, live *model.Policy) []MemberChange {
	have := liveMembers(live)
	var out []MemberChange
	for role, want := range desired.Roles {
		wantSet := make(map[string]bool, len(want))
		for _, m := range want {
			wantSet[CanonicalMember(m)] = true // a no-op for Desired's output
		}
		haveSet := make(map[string]bool, len(have[role]))
		for _, m := range have[role] {
			haveSet[m.canon] = true
		}
		for _, m := range want {
			if !haveSet[CanonicalMember(m)] {
				out = append(out, MemberChange{Role: role, Member: m, Action: ActionAdd, Origin: desired.Origins[role][m]})
			}
		}
		if !desired.Authoritative[role] && !desired.WholePolicy {
			continue
		}
		for _, m := range have[role] {
			if !wantSet[m.canon] {
				out = append(out, MemberChange{Role: role, Member: m.exact, Action: ActionRemove, Origin: OriginNotInConfig})
			}
		}
	}
	if desired.WholePolicy {
		for role, ms := range have {
			if _, declared := desired.Roles[role]; declared {
				continue
			}
			for _, m := range ms {
				out = append(out, MemberChange{Role: role, Member: m.exact, Action: ActionRemove, Origin: OriginNotInConfig})
			}
		}
	}
	SortChanges(out)
	return out
}

// SortChanges sorts changes the way Diff returns them: by role, removals
// before additions, then by member.
func SortChanges(cs []MemberChange) {
	slices.SortFunc(cs, compareChanges)
}

func compareChanges(a, b MemberChange) int {
	if c := strings.Compare(a.Role, b.Role); c != 0 {
		return c
	}
	if c := actionRank(a.Action) - actionRank(b.Action); c != 0 {
		return c
	}
	return strings.Compare(a.Member, b.Member)
}

func actionRank(a string) int {
	if a == ActionRemove {
		return 0
	}
	return 1
}

// Apply returns the policy to write: a copy of live with changes applied. It
// keeps live's Etag and Version (so that SetIamPolicy is a compare-and-swap
// on the policy that was read), every conditional binding, and every binding
// of a role the changes do not name, exactly as they are. In a changed role,
// removals drop every member that is canonically equal to the removed one,
// additions go to the role's first unconditional binding (or a new binding
// appended after the live ones, new roles sorted), members already present
// are not added twice, the changed binding's members are sorted and a
// changed binding left empty is dropped. live is not modified; a nil live is
// an empty policy.
//
// Apply is meant for the etag read-modify-write loop: on Aborted the caller
// re-reads live and calls Diff and Apply again, so changes someone else made
// meanwhile to roles pubsubctl does not manage survive (apply/iam.go runs
// that loop).
//
// An Action other than ActionAdd or ActionRemove is a programming error and
// panics.
func Apply(live *model.Policy, changes []MemberChange) *model.Policy {
	out := &model.Policy{}
	if live != nil {
		out.Etag, out.Version = live.Etag, live.Version
	}
	removes := map[string]map[string]bool{} // role -> canonical members
	var adds = map[string][]string{}        // role -> members, in change order
	for _, c := range changes {
		switch c.Action {
		case ActionRemove:
			if removes[c.Role] == nil {
				removes[c.Role] = map[string]bool{}
			}
			removes[c.Role][CanonicalMember(c.Member)] = true
		case ActionAdd:
			adds[c.Role] = append(adds[c.Role], c.Member)
		default:
			panic(fmt.Sprintf("iam.Apply: unknown action %q for %s %s", c.Action, c.Role, c.Member))
		}
	}
	changed := func(role string) bool { return removes[role] != nil || adds[role] != nil }

	// present holds the canonical members of each changed role that survive
	// the removals, across all its unconditional bindings.
	present := map[string]map[string]bool{}
	if live != nil {
		for _, b := range live.Bindings {
			if b.Condition != "" || !changed(b.Role) {
				continue
			}
			if present[b.Role] == nil {
				present[b.Role] = map[string]bool{}
			}
			for _, m := range b.Members {
				if cm := CanonicalMember(m); !removes[b.Role][cm] {
					present[b.Role][cm] = true
				}
			}
		}
	}
	addsFor := func(role string) []string {
		var ms []string
		for _, m := range adds[role] {
			cm := CanonicalMember(m)
			if present[role] == nil {
				present[role] = map[string]bool{}
			}
			if !present[role][cm] {
				present[role][cm] = true
				ms = append(ms, m)
			}
		}
		delete(adds, role)
		return ms
	}

	if live != nil {
		for _, b := range live.Bindings {
			if b.Condition != "" || !changed(b.Role) {
				out.Bindings = append(out.Bindings, model.PolicyBinding{Role: b.Role, Members: slices.Clone(b.Members), Condition: b.Condition})
				continue
			}
			nb := model.PolicyBinding{Role: b.Role, Members: make([]string, 0, len(b.Members))}
			kept := make(map[string]bool, len(b.Members))
			for _, m := range b.Members {
				if !removes[b.Role][CanonicalMember(m)] && !kept[m] {
					kept[m] = true
					nb.Members = append(nb.Members, m)
				}
			}
			nb.Members = append(nb.Members, addsFor(b.Role)...)
			if len(nb.Members) == 0 {
				continue
			}
			sort.Strings(nb.Members)
			out.Bindings = append(out.Bindings, nb)
		}
	}
	newRoles := make([]string, 0, len(adds))
	for role := range adds {
		newRoles = append(newRoles, role)
	}
	sort.Strings(newRoles)
	for _, role := range newRoles {
		ms := addsFor(role)
		if len(ms) == 0 {
			continue
		}
		sort.Strings(ms)
		out.Bindings = append(out.Bindings, model.PolicyBinding{Role: role, Members: ms})
	}
	return out
}

// ConditionalBindings returns the conditional bindings of a live policy,
// sorted by role then condition. pubsubctl never changes them; plan reports
// them, since Pub/Sub does not support conditions.
func ConditionalBindings(live *model.Policy) []model.PolicyBinding {
	if live == nil {
		return nil
	}
	var out []model.PolicyBinding
	for _, b := range live.Bindings {
		if b.Condition != "" {
			out = append(out, model.PolicyBinding{Role: b.Role, Members: slices.Clone(b.Members), Condition: b.Condition})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Role != out[j].Role {
			return out[i].Role < out[j].Role
		}
		return out[i].Condition < out[j].Condition
	})
	return out
}

// Policy limits IAM enforces on one allow policy.
const (
	MaxPrincipals = 1500 // member occurrences across all bindings
	MaxGroups     = 250  // group: occurrences among them
)

// ErrTooManyConflicts is wrapped by the error of a read-modify-write that
// lost every round against a concurrent writer.
var ErrTooManyConflicts = errors.New("the IAM policy kept changing while pubsubctl was writing it")

// CheckLimits reports an error when p exceeds IAM's limits on one policy:
// at most MaxPrincipals member occurrences across all bindings (IAM counts a
// principal once per binding it appears in), of which at most MaxGroups are
// groups. Plan calls it on the policy Apply produces, so that an oversized
// policy is an error before any write.
func CheckLimits(p *model.Policy) error {
	if p == nil {
		return nil
	}
	total, groups := 0, 0
	for _, b := range p.Bindings {
		total += len(b.Members)
		for _, m := range b.Members {
			if strings.HasPrefix(m, "group:") {
				groups++
			}
		}
	}
	if total > MaxPrincipals {
		return fmt.Errorf("the IAM policy would have %d principals; IAM allows at most %d per policy (grant a group instead of many members)", total, MaxPrincipals)
	}
	if groups > MaxGroups {
		return fmt.Errorf("the IAM policy would have %d groups; IAM allows at most %d per policy", groups, MaxGroups)
	}
	return nil
}
