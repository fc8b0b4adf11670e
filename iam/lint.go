package iam

import (
	"sort"
	"strings"

	"github.com/pubsubctl/pubsubctl/model"
)

// The least-privilege rules (role and member grammar, broad roles and
// members) live in package model, which Validate applies to a
// configuration; the functions here are the same rules, so that a policy
// read from Google Cloud and a configuration get the same answers. The one
// difference: ValidateMember also accepts deleted: members, which only
// appear in live policies.

// IsBroadRole reports whether role is a primitive role (roles/owner,
// roles/editor, roles/viewer) or roles/pubsub.admin or roles/pubsub.editor,
// which grant far more than a producer or consumer needs. Roles are
// case-sensitive: "roles/Editor" is not a role (ValidateRole rejects it).
func IsBroadRole(role string) bool { return model.IsBroadRole(role) }

// IsPublicMember reports whether m is allUsers or allAuthenticatedUsers,
// which open a resource to anyone (with a Google account).
func IsPublicMember(m string) bool { return model.IsPublicMember(m) }

// IsBroadMember reports whether m reaches a whole population rather than
// specific principals: allUsers, allAuthenticatedUsers, any domain: member
// (a consumer domain such as gmail.com is in effect public) and the
// principal sets naming every identity of a pool (principalSet://.../*).
// Validate refuses them without allow_broad = true.
func IsBroadMember(m string) bool { return model.IsBroadMember(m) }

// AcceptedMemberFormats lists the member formats ValidateMember accepts.
const AcceptedMemberFormats = model.PolicyMemberFormats

// ValidateMember checks that m is an IAM principal identifier as found in a
// policy read from Google Cloud, deleted principals included. The error
// names the member, says what is wrong, suggests a fix for the usual slips
// (a bare e-mail, "serviceaccount:", "allusers") and lists the accepted
// formats. It is model.ValidPolicyMember; configurations use
// model.ValidMember, which rejects deleted: members.
func ValidateMember(m string) error { return model.ValidPolicyMember(m) }

// ValidateRole checks that r names a role: a predefined roles/NAME (a
// lower-case service name and camelCase role; "roles/Editor" is rejected
// with a "did you mean"), or a custom projects/PROJECT/roles/NAME or
// organizations/ORG_ID/roles/NAME. It is model.ValidRole.
func ValidateRole(r string) error { return model.ValidRole(r) }

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
