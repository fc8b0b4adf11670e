package iam

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/pubsubctl/pubsubctl/model"
)

// The IAM rules live here, once: Lint applies them to a configuration, and
// apply and export use them for policies read from Google Cloud. The member
// patterns are no looser than the embedded emulator's IAM service (which
// keeps its own copy as an independent check), so that a member that
// validates also applies there.
var (
	// predefinedRoleRE: roles/ then a lower-case service name and, for all
	// but the primitive roles, dotted role segments in camelCase
	// (roles/pubsub.publisher, roles/iam.serviceAccountTokenCreator,
	// roles/cloudbuild.builds.builder). A few real roles start a segment
	// with a capital (roles/composer.ServiceAgentV2Ext), so only the
	// service name must be lower case; knownRoles catches the miscased
	// spellings of the roles pubsubctl users grant.
	predefinedRoleRE = regexp.MustCompile(`^roles/[a-z][a-z0-9]*(?:\.[A-Za-z][A-Za-z0-9_]*)*$`)
	customRoleIDRE   = regexp.MustCompile(`^[A-Za-z0-9_.]+$`)
	orgIDRE          = regexp.MustCompile(`^[0-9]+$`)
	deletedRE        = regexp.MustCompile(`^deleted:(?:user|serviceAccount|group):[^@\s:/]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+\?uid=[0-9]+$`)
	principalRE      = regexp.MustCompile(`^principal://iam\.googleapis\.com/(?:locations/global/workforcePools/[^/]+|projects/[0-9]+/locations/global/workloadIdentityPools/[^/]+)/subject/.+$`)
	principalSetRE   = regexp.MustCompile(`^principalSet://(?:iam\.googleapis\.com/(?:locations/global/workforcePools/[^/]+|projects/[0-9]+/locations/global/workloadIdentityPools/[^/]+)/(?:group/.+|attribute\.[^/]+/.+|\*)|cloudresourcemanager\.googleapis\.com/projects/[0-9]+/type/ServiceAccount)$`)
	// wildcardSetRE matches the principal sets naming every identity of a
	// workforce or workload identity pool; its group is the pool.
	wildcardSetRE = regexp.MustCompile(`^principalSet://iam\.googleapis\.com/(locations/global/workforcePools/[^/]+|projects/[0-9]+/locations/global/workloadIdentityPools/[^/]+)/\*$`)
)

// BroadRoles are the roles pubsubctl refuses unless a binding says
// allow_broad = true: the primitive roles and Pub/Sub's admin and editor.
var BroadRoles = []string{
	"roles/owner",
	"roles/editor",
	"roles/viewer",
	"roles/pubsub.admin",
	"roles/pubsub.editor",
}

// knownRoles are predefined roles whose miscased spellings ValidateRole
// corrects ("roles/Editor": did you mean "roles/editor"?).
var knownRoles = append(slices.Clone(BroadRoles),
	model.RolePublisher,
	model.RoleSubscriber,
	model.RoleViewer,
	"roles/browser",
	"roles/pubsub.serviceAgent",
	"roles/iam.serviceAccountUser",
	"roles/iam.serviceAccountTokenCreator",
	"roles/run.invoker",
	"roles/cloudkms.cryptoKeyEncrypterDecrypter",
	"roles/bigquery.dataEditor",
	"roles/storage.objectCreator",
)

// IsBroadRole reports whether role is one of BroadRoles. Roles are
// case-sensitive: "roles/Editor" is not a role at all (ValidateRole rejects it).
func IsBroadRole(role string) bool { return slices.Contains(BroadRoles, role) }

// ValidateRole returns an error when role is not an IAM role name: a
// predefined roles/NAME (a lower-case service name and camelCase role,
// e.g. roles/pubsub.publisher), or a custom projects/PROJECT/roles/NAME or
// organizations/ORG_ID/roles/NAME. Role names are case-sensitive; a
// miscased predefined role gets a "did you mean".
func ValidateRole(role string) error {
	const want = "want roles/NAME (e.g. roles/pubsub.publisher), projects/PROJECT/roles/NAME or organizations/ORG_ID/roles/NAME"
	if role == "" {
		return fmt.Errorf("empty role: %s", want)
	}
	parts := strings.Split(role, "/")
	switch {
	case len(parts) == 1:
		if r := "roles/" + role; predefinedRoleRE.MatchString(r) || knownRole(r) != "" {
			return fmt.Errorf("invalid role %q: it is missing the roles/ prefix; did you mean %q? (%s)", role, suggestRole(r), want)
		}
	case len(parts) == 2 && parts[0] == "roles":
		if k := knownRole(role); k != "" && k != role {
			note := ""
			if IsBroadRole(k) {
				note = fmt.Sprintf(" Note that %s is a broad role, which needs allow_broad = true", k)
			}
			return fmt.Errorf("invalid role %q: role names are case-sensitive; did you mean %q?%s", role, k, note)
		}
		if predefinedRoleRE.MatchString(role) {
			return nil
		}
		if customRoleIDRE.MatchString(parts[1]) {
			return fmt.Errorf("invalid role %q: a predefined role is roles/ followed by a lower-case service name and a camelCase role, e.g. roles/pubsub.publisher (role names are case-sensitive)", role)
		}
	case len(parts) == 4 && parts[0] == "projects" && parts[2] == "roles":
		if !model.IsProjectID(parts[1]) {
			return fmt.Errorf("invalid role %q: %q is not a project ID (%s)", role, parts[1], want)
		}
		if customRoleIDRE.MatchString(parts[3]) {
			return nil
		}
	case len(parts) == 4 && parts[0] == "organizations" && parts[2] == "roles":
		if !orgIDRE.MatchString(parts[1]) {
			return fmt.Errorf("invalid role %q: the organization must be its numeric ID (%s)", role, want)
		}
		if customRoleIDRE.MatchString(parts[3]) {
			return nil
		}
	}
	return fmt.Errorf("invalid role %q: %s; role names use letters, digits, '_' and '.'", role, want)
}

// knownRole returns the known predefined role that role spells, ignoring
// case, or "".
func knownRole(role string) string {
	for _, k := range knownRoles {
		if strings.EqualFold(k, role) {
			return k
		}
	}
	return ""
}

func suggestRole(role string) string {
	if k := knownRole(role); k != "" {
		return k
	}
	return role
}

// IsPublicMember reports whether member is allUsers or allAuthenticatedUsers.
func IsPublicMember(member string) bool {
	return member == "allUsers" || member == "allAuthenticatedUsers"
}

// consumerDomains are e-mail domains where anyone can create an account, so
// that granting the domain is effectively public.
var consumerDomains = []string{"gmail.com", "googlemail.com"}

// BroadMemberScope says whom a broad member reaches, for a diagnostic
// ("anyone on the internet", "every account in the domain example.com",
// ...), or returns "" for a member that names specific principals. Broad
// members are allUsers, allAuthenticatedUsers, every domain: member and the
// principal sets naming every identity of a pool (principalSet://.../*);
// binding them needs allow_broad = true.
func BroadMemberScope(member string) string {
	switch {
	case member == "allUsers":
		return "anyone on the internet"
	case member == "allAuthenticatedUsers":
		return "anyone with a Google account"
	case strings.HasPrefix(member, "domain:"):
		d := strings.TrimPrefix(member, "domain:")
		if slices.Contains(consumerDomains, strings.ToLower(d)) {
			return fmt.Sprintf("anyone with a %s account (a consumer domain: anyone can create one)", d)
		}
		return "every account in the domain " + d
	}
	if m := wildcardSetRE.FindStringSubmatch(member); m != nil {
		pool := m[1][strings.LastIndexByte(m[1], '/')+1:]
		if strings.Contains(m[1], "workforcePools") {
			return fmt.Sprintf("every identity in the workforce identity pool %q", pool)
		}
		return fmt.Sprintf("every identity in the workload identity pool %q", pool)
	}
	return ""
}

// IsBroadMember reports whether member reaches a whole population rather
// than specific principals (see BroadMemberScope).
func IsBroadMember(member string) bool { return BroadMemberScope(member) != "" }

// ConfigMemberFormats lists the member formats a configuration accepts.
const ConfigMemberFormats = "user:EMAIL, serviceAccount:EMAIL, group:EMAIL, domain:DOMAIN, " +
	"allUsers, allAuthenticatedUsers, principal://iam.googleapis.com/..., principalSet://iam.googleapis.com/... " +
	"or principalSet://cloudresourcemanager.googleapis.com/projects/NUMBER/type/ServiceAccount"

// PolicyMemberFormats lists the member formats of a policy read from
// Google Cloud: ConfigMemberFormats and deleted principals.
const PolicyMemberFormats = "user:EMAIL, serviceAccount:EMAIL, group:EMAIL, domain:DOMAIN, " +
	"allUsers, allAuthenticatedUsers, deleted:{user|serviceAccount|group}:EMAIL?uid=N, " +
	"principal://iam.googleapis.com/..., principalSet://iam.googleapis.com/... " +
	"or principalSet://cloudresourcemanager.googleapis.com/projects/NUMBER/type/ServiceAccount"

// ValidateMember returns an error when m is not an IAM member pubsubctl
// accepts in a configuration: user:EMAIL, serviceAccount:EMAIL,
// group:EMAIL, domain:DOMAIN, allUsers, allAuthenticatedUsers,
// principal://... or principalSet://... . deleted: members, which only
// appear in policies read from Google Cloud, are rejected (see
// ValidatePolicyMember). Whether a member is too broad (allUsers, domain:) is
// a separate question: see IsBroadMember.
func ValidateMember(m string) error { return checkMember(m, false) }

// ValidatePolicyMember is ValidateMember for a member read from a live
// policy,
// which may also be a deleted principal
// (deleted:{user|serviceAccount|group}:EMAIL?uid=N).
func ValidatePolicyMember(m string) error { return checkMember(m, true) }

var memberTypes = []string{"user", "serviceAccount", "group", "domain", "deleted", "principal", "principalSet"}

// checkMember names the member, says what is wrong and suggests a fix for
// the usual slips (a bare e-mail, "serviceaccount:", "allusers").
func checkMember(m string, live bool) error {
	formats := ConfigMemberFormats
	if live {
		formats = PolicyMemberFormats
	}
	if m == "" {
		return fmt.Errorf("empty member: want one of %s", formats)
	}
	if strings.ContainsAny(m, " \t\r\n") {
		return fmt.Errorf("invalid member %q: it contains white space", m)
	}
	if IsPublicMember(m) {
		return nil
	}
	for _, p := range []string{"allUsers", "allAuthenticatedUsers"} {
		if strings.EqualFold(m, p) {
			return fmt.Errorf("invalid member %q: did you mean %q? (member types are case-sensitive)", m, p)
		}
	}
	typ, id, ok := strings.Cut(m, ":")
	if !ok {
		if model.IsEmail(m) {
			kind := "user"
			if strings.HasSuffix(strings.ToLower(m), ".gserviceaccount.com") {
				kind = "serviceAccount"
			}
			return fmt.Errorf("invalid member %q: it has no type; did you mean %q? Want one of %s", m, kind+":"+m, formats)
		}
		return fmt.Errorf("invalid member %q: want one of %s", m, formats)
	}
	switch typ {
	case "user", "serviceAccount", "group":
		if !model.IsEmail(id) {
			return fmt.Errorf("invalid member %q: %q is not an e-mail address (want %s:EMAIL)", m, id, typ)
		}
		return nil
	case "domain":
		if !model.IsDomain(id) {
			return fmt.Errorf("invalid member %q: %q is not a domain name (want domain:example.com)", m, id)
		}
		return nil
	case "deleted":
		if !live {
			return fmt.Errorf("invalid member %q: it is a deleted principal; deleted: members only appear in policies read from Google Cloud, remove it from the configuration", m)
		}
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
	for _, t := range memberTypes {
		if strings.EqualFold(t, typ) {
			return fmt.Errorf("invalid member %q: unknown member type %q; did you mean %q? (member types are case-sensitive)", m, typ, t+":"+id)
		}
	}
	return fmt.Errorf("invalid member %q: unknown member type %q; want one of %s", m, typ, formats)
}
