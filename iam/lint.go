package iam

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/pubsubctl/pubsubctl/model"
)

// broadRoles are the roles validation refuses without allow_broad = true:
// the primitive roles and Pub/Sub's administrative ones.
var broadRoles = map[string]bool{
	"roles/owner":         true,
	"roles/editor":        true,
	"roles/viewer":        true,
	"roles/pubsub.admin":  true,
	"roles/pubsub.editor": true,
}

// IsBroadRole reports whether role is a primitive role (roles/owner,
// roles/editor, roles/viewer) or roles/pubsub.admin or roles/pubsub.editor,
// which grant far more than a producer or consumer needs.
func IsBroadRole(role string) bool { return broadRoles[role] }

// IsPublicMember reports whether m is allUsers or allAuthenticatedUsers,
// which open a resource to anyone (with a Google account).
func IsPublicMember(m string) bool { return m == "allUsers" || m == "allAuthenticatedUsers" }

// AcceptedMemberFormats lists the member formats ValidateMember accepts.
const AcceptedMemberFormats = "user:EMAIL, serviceAccount:EMAIL, group:EMAIL, domain:DOMAIN, " +
	"allUsers, allAuthenticatedUsers, deleted:{user|serviceAccount|group}:EMAIL?uid=N, " +
	"principal://iam.googleapis.com/..., principalSet://iam.googleapis.com/... " +
	"or principalSet://cloudresourcemanager.googleapis.com/projects/NUMBER/type/ServiceAccount"

// The patterns agree with the embedded emulator's IAM service
// (internal/emulator/iam.go), so that what validates also applies there.
var (
	emailRE        = regexp.MustCompile(`^[^@\s:]+@[^@\s:]+\.[^@\s:]+$`)
	domainRE       = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)+$`)
	deletedRE      = regexp.MustCompile(`^deleted:(user|serviceAccount|group):[^@\s:]+@[^@\s:]+\.[^@\s:?]+\?uid=[0-9]+$`)
	principalRE    = regexp.MustCompile(`^principal://iam\.googleapis\.com/(locations/global/workforcePools/[^/]+|projects/[0-9]+/locations/global/workloadIdentityPools/[^/]+)/subject/.+$`)
	principalSetRE = regexp.MustCompile(`^principalSet://(iam\.googleapis\.com/(locations/global/workforcePools/[^/]+|projects/[0-9]+/locations/global/workloadIdentityPools/[^/]+)/(group/.+|attribute\.[^/]+/.+|\*)|cloudresourcemanager\.googleapis\.com/projects/[0-9]+/type/ServiceAccount)$`)
	roleNameRE     = regexp.MustCompile(`^[A-Za-z0-9_.]+$`)
	orgIDRE        = regexp.MustCompile(`^[0-9]+$`)
)

// memberKinds are the prefixes of typed members, spelled as IAM wants them.
var memberKinds = []string{"user", "serviceAccount", "group", "domain", "deleted", "principal", "principalSet"}

// ValidateMember checks that m is an IAM principal identifier. The error
// names the member, says what is wrong, suggests a fix for the usual slips
// (a bare e-mail, "serviceaccount:", "allusers") and lists the accepted
// formats.
func ValidateMember(m string) error {
	if m == "" {
		return fmt.Errorf("empty member: want one of %s", AcceptedMemberFormats)
	}
	if strings.TrimSpace(m) != m || strings.ContainsAny(m, " \t\r\n") {
		return fmt.Errorf("invalid member %q: it contains white space", m)
	}
	switch m {
	case "allUsers", "allAuthenticatedUsers":
		return nil
	}
	for _, p := range []string{"allUsers", "allAuthenticatedUsers"} {
		if strings.EqualFold(m, p) {
			return fmt.Errorf("invalid member %q: did you mean %q? (member types are case-sensitive)", m, p)
		}
	}
	kind, rest, ok := strings.Cut(m, ":")
	if !ok {
		if emailRE.MatchString(m) {
			return fmt.Errorf("invalid member %q: it has no type; did you mean %q? Want one of %s", m, guessKind(m)+":"+m, AcceptedMemberFormats)
		}
		return fmt.Errorf("invalid member %q: want one of %s", m, AcceptedMemberFormats)
	}
	switch kind {
	case "user", "serviceAccount", "group":
		if !emailRE.MatchString(rest) {
			return fmt.Errorf("invalid member %q: %q is not an e-mail address (want %s:EMAIL)", m, rest, kind)
		}
		return nil
	case "domain":
		if !domainRE.MatchString(rest) {
			return fmt.Errorf("invalid member %q: %q is not a domain name (want domain:example.com)", m, rest)
		}
		return nil
	case "deleted":
		if !deletedRE.MatchString(m) {
			return fmt.Errorf("invalid member %q: want deleted:{user|serviceAccount|group}:EMAIL?uid=N", m)
		}
		return nil
	case "principal":
		if !principalRE.MatchString(m) {
			return fmt.Errorf("invalid member %q: want principal://iam.googleapis.com/locations/global/workforcePools/POOL/subject/SUBJECT "+
				"or principal://iam.googleapis.com/projects/NUMBER/locations/global/workloadIdentityPools/POOL/subject/SUBJECT", m)
		}
		return nil
	case "principalSet":
		if !principalSetRE.MatchString(m) {
			return fmt.Errorf("invalid member %q: want principalSet://iam.googleapis.com/{locations/global/workforcePools/POOL|projects/NUMBER/locations/global/workloadIdentityPools/POOL}/{group/GROUP|attribute.NAME/VALUE|*} "+
				"or principalSet://cloudresourcemanager.googleapis.com/projects/NUMBER/type/ServiceAccount", m)
		}
		return nil
	}
	for _, k := range memberKinds {
		if strings.EqualFold(kind, k) {
			return fmt.Errorf("invalid member %q: unknown type %q; did you mean %q? (member types are case-sensitive)", m, kind, k+":"+rest)
		}
	}
	return fmt.Errorf("invalid member %q: unknown type %q; want one of %s", m, kind, AcceptedMemberFormats)
}

// guessKind suggests the type of a bare e-mail address.
func guessKind(email string) string {
	if strings.HasSuffix(strings.ToLower(email), ".gserviceaccount.com") {
		return "serviceAccount"
	}
	return "user"
}

// ValidateRole checks that r names a role: a predefined roles/NAME, or a
// custom projects/PROJECT/roles/NAME or organizations/ORG_ID/roles/NAME.
func ValidateRole(r string) error {
	const want = "want roles/NAME (e.g. roles/pubsub.publisher), projects/PROJECT/roles/NAME or organizations/ORG_ID/roles/NAME"
	if r == "" {
		return fmt.Errorf("empty role: %s", want)
	}
	parts := strings.Split(r, "/")
	switch {
	case len(parts) == 1:
		if roleNameRE.MatchString(r) {
			return fmt.Errorf("invalid role %q: did you mean %q? (%s)", r, "roles/"+r, want)
		}
	case len(parts) == 2 && parts[0] == "roles":
		if roleNameRE.MatchString(parts[1]) {
			return nil
		}
	case len(parts) == 4 && parts[0] == "projects" && parts[2] == "roles":
		if parts[1] != "" && !strings.ContainsAny(parts[1], " \t\r\n") && roleNameRE.MatchString(parts[3]) {
			return nil
		}
	case len(parts) == 4 && parts[0] == "organizations" && parts[2] == "roles":
		if !orgIDRE.MatchString(parts[1]) {
			return fmt.Errorf("invalid role %q: the organization must be its numeric ID (%s)", r, want)
		}
		if roleNameRE.MatchString(parts[3]) {
			return nil
		}
	}
	return fmt.Errorf("invalid role %q: %s; role names use letters, digits, '_' and '.'", r, want)
}

// DeletedMembers returns the deleted: members of a live policy (principals
// whose account was deleted after being granted), sorted and de-duplicated,
// from conditional bindings too. Plan warns about them: they grant nothing
// but a recreated account with the same e-mail does not inherit them.
func DeletedMembers(live *model.Policy) []string {
	if live == nil {
		return nil
	}
	seen := map[string]bool{}
	var out []string
	for _, b := range live.Bindings {
		for _, m := range b.Members {
			if strings.HasPrefix(m, "deleted:") && !seen[m] {
				seen[m] = true
				out = append(out, m)
			}
		}
	}
	sort.Strings(out)
	return out
}
