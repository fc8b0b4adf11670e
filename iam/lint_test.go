package iam

import (
	"reflect"
	"strings"
	"testing"

	"github.com/pubsubctl/pubsubctl/model"
)

func TestValidateMember(t *testing.T) {
	valid := []string{
		"user:alice@example.com",
		"user:Alice.Smith+pubsub@example.co.uk",
		"serviceAccount:checkout@demo-project.iam.gserviceaccount.com",
		"serviceAccount:service-123456789012@gcp-sa-pubsub.iam.gserviceaccount.com",
		"group:eng@example.com",
		"domain:example.com",
		"domain:sub.example-corp.com",
		"allUsers",
		"allAuthenticatedUsers",
		"deleted:user:alice@example.com?uid=123456789012345678901",
		"deleted:serviceAccount:old@demo-project.iam.gserviceaccount.com?uid=42",
		"deleted:group:eng@example.com?uid=7",
		"principal://iam.googleapis.com/locations/global/workforcePools/corp/subject/alice",
		"principal://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/gh/subject/repo:org/app:ref:refs/heads/main",
		"principalSet://iam.googleapis.com/locations/global/workforcePools/corp/group/eng",
		"principalSet://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/gh/attribute.repository/org/app",
		"principalSet://iam.googleapis.com/locations/global/workforcePools/corp/*",
		"principalSet://cloudresourcemanager.googleapis.com/projects/123456789012/type/ServiceAccount",
	}
	for _, m := range valid {
		if err := ValidateMember(m); err != nil {
			t.Errorf("ValidateMember(%q) = %v, want nil", m, err)
		}
	}
	invalid := []struct {
		m    string
		want []string // substrings of the error
	}{
		{"", []string{"empty member", AcceptedMemberFormats}},
		{"alice@example.com", []string{`did you mean "user:alice@example.com"`, AcceptedMemberFormats}},
		{"ci@demo-project.iam.gserviceaccount.com", []string{`did you mean "serviceAccount:ci@demo-project.iam.gserviceaccount.com"`}},
		{"serviceaccount:ci@p.iam.gserviceaccount.com", []string{`unknown member type "serviceaccount"`, `did you mean "serviceAccount:ci@p.iam.gserviceaccount.com"`}},
		{"User:alice@example.com", []string{`did you mean "user:alice@example.com"`}},
		{"allusers", []string{`did you mean "allUsers"`}},
		{"AllAuthenticatedUsers", []string{`did you mean "allAuthenticatedUsers"`}},
		{"user:alice", []string{`"alice" is not an e-mail address`, "user:EMAIL"}},
		{"group:", []string{"is not an e-mail address"}},
		{"serviceAccount:a@b@c.com", []string{"is not an e-mail address"}},
		{" user:alice@example.com", []string{"white space"}},
		{"user:alice@example.com ", []string{"white space"}},
		{"domain:example", []string{"is not a domain name"}},
		{"domain:alice@example.com", []string{"is not a domain name"}},
		{"deleted:user:alice@example.com", []string{"?uid=N"}},
		{"deleted:robot:alice@example.com?uid=1", []string{"deleted:{user|serviceAccount|group}"}},
		{"principal://example.com/subject/alice", []string{"principal://iam.googleapis.com/"}},
		{"principal://iam.googleapis.com/locations/global/workforcePools/corp", []string{"/subject/SUBJECT"}},
		{"principalSet://iam.googleapis.com/locations/global/workforcePools/corp/team/x", []string{"principalSet://iam.googleapis.com/"}},
		{"robot:r2d2@example.com", []string{`unknown member type "robot"`, AcceptedMemberFormats}},
		{"alice", []string{`invalid member "alice"`, AcceptedMemberFormats}},
	}
	for _, tc := range invalid {
		err := ValidateMember(tc.m)
		if err == nil {
			t.Errorf("ValidateMember(%q) = nil, want an error", tc.m)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("ValidateMember(%q) = %q, want it to contain %q", tc.m, err, w)
			}
		}
	}
}

func TestValidateRole(t *testing.T) {
	valid := []string{
		"roles/pubsub.publisher",
		"roles/pubsub.subscriber",
		"roles/owner",
		"roles/iam.serviceAccountTokenCreator",
		"projects/demo-project/roles/pubsubctlDeployer",
		"projects/example.com:legacy-proj/roles/custom_role.v2",
		"organizations/123456789012/roles/auditor",
		"roles/composer.ServiceAgentV2Ext",
		"roles/cloudbuild.builds.builder",
	}
	for _, r := range valid {
		if err := ValidateRole(r); err != nil {
			t.Errorf("ValidateRole(%q) = %v, want nil", r, err)
		}
	}
	invalid := []struct {
		r    string
		want string
	}{
		{"", "empty role"},
		{"pubsub.publisher", `did you mean "roles/pubsub.publisher"`},
		{"roles/", "roles/NAME"},
		{"roles/pubsub publisher", "letters, digits"},
		{"roles/pubsub-publisher", "letters, digits"},
		{"roles/a/b", "roles/NAME"},
		{"projects//roles/x", "projects/PROJECT/roles/NAME"},
		{"projects/p/roles/", "projects/PROJECT/roles/NAME"},
		{"projects/p/role/x", "projects/PROJECT/roles/NAME"},
		{"organizations/acme/roles/x", "numeric ID"},
		{"folders/123/roles/x", "organizations/ORG_ID/roles/NAME"},
		// Roles are case-sensitive.
		{"roles/Editor", `did you mean "roles/editor"`},
		{"roles/Owner", `did you mean "roles/owner"`},
		{"roles/pubsub.Publisher", `did you mean "roles/pubsub.publisher"`},
		{"roles/Pubsub.viewer", `did you mean "roles/pubsub.viewer"`},
		{"roles/Unknown.role", "lower-case service name"},
	}
	for _, tc := range invalid {
		err := ValidateRole(tc.r)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ValidateRole(%q) = %v, want an error containing %q", tc.r, err, tc.want)
		}
	}
}

func TestIsBroadRole(t *testing.T) {
	for r, want := range map[string]bool{
		"roles/owner":                 true,
		"roles/editor":                true,
		"roles/viewer":                true,
		"roles/pubsub.admin":          true,
		"roles/pubsub.editor":         true,
		"roles/pubsub.publisher":      false,
		"roles/pubsub.subscriber":     false,
		"roles/pubsub.viewer":         false,
		"projects/p/roles/owner":      false,
		"roles/pubsub.serviceAgent":   false,
		"roles/Owner":                 false,
		"organizations/1/roles/admin": false,
	} {
		if got := IsBroadRole(r); got != want {
			t.Errorf("IsBroadRole(%q) = %v, want %v", r, got, want)
		}
	}
}

func TestIsPublicMember(t *testing.T) {
	for m, want := range map[string]bool{
		"allUsers":               true,
		"allAuthenticatedUsers":  true,
		"allusers":               false,
		"user:alice@example.com": false,
		"domain:example.com":     false,
	} {
		if got := IsPublicMember(m); got != want {
			t.Errorf("IsPublicMember(%q) = %v, want %v", m, got, want)
		}
	}
}

func TestIsBroadMember(t *testing.T) {
	for m, want := range map[string]bool{
		"allUsers":              true,
		"allAuthenticatedUsers": true,
		"domain:example.com":    true,
		"domain:gmail.com":      true,
		"principalSet://iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/gh/*": true,
		"principalSet://iam.googleapis.com/locations/global/workforcePools/corp/*":                   true,
		"principalSet://iam.googleapis.com/locations/global/workforcePools/corp/group/eng":           false,
		"principalSet://iam.googleapis.com/locations/global/workforcePools/corp/attribute.team/x":    false,
		"user:alice@example.com":                     false,
		"group:eng@example.com":                      false,
		"serviceAccount:a@p.iam.gserviceaccount.com": false,
	} {
		if got := IsBroadMember(m); got != want {
			t.Errorf("IsBroadMember(%q) = %v, want %v", m, got, want)
		}
	}
}

// The lint helpers here and Validate's rules in package model give the same
// answers; the only difference is that a live policy may hold deleted
// principals.
func TestRulesAgreeWithModel(t *testing.T) {
	roles := []string{
		"roles/pubsub.publisher", "roles/editor", "roles/Editor", "roles/pubsub.Admin", "Editor",
		"roles/composer.ServiceAgentV2Ext", "projects/demo-project/roles/x_y", "organizations/1/roles/a",
		"organizations/acme/roles/a", "roles/", "",
	}
	for _, r := range roles {
		if (ValidateRole(r) == nil) != (model.ValidRole(r) == nil) {
			t.Errorf("role %q: iam says %v, model says %v", r, ValidateRole(r), model.ValidRole(r))
		}
		if IsBroadRole(r) != model.IsBroadRole(r) {
			t.Errorf("role %q: IsBroadRole disagrees", r)
		}
	}
	members := []string{
		"user:alice@example.com", "allUsers", "allusers", "domain:gmail.com", "domain:example",
		"principalSet://iam.googleapis.com/locations/global/workforcePools/corp/*",
		"principalSet://iam.googleapis.com/locations/global/workforcePools/corp/team/x",
		"principal://iam.googleapis.com/locations/global/workforcePools/corp/subject/alice",
		"principal://example.com/subject/alice", "alice@example.com", "robot:x@example.com",
		"deleted:user:alice@example.com?uid=1",
	}
	for _, m := range members {
		live, cfg := ValidateMember(m), model.ValidMember(m)
		if strings.HasPrefix(m, "deleted:") {
			if live != nil || cfg == nil {
				t.Errorf("member %q: want valid live (got %v) and rejected in a configuration (got %v)", m, live, cfg)
			}
			continue
		}
		if (live == nil) != (cfg == nil) {
			t.Errorf("member %q: iam says %v, model says %v", m, live, cfg)
		}
		if IsBroadMember(m) != model.IsBroadMember(m) || IsPublicMember(m) != model.IsPublicMember(m) {
			t.Errorf("member %q: broad/public disagree", m)
		}
	}
}

func TestDeletedMembers(t *testing.T) {
	const (
		d1 = "deleted:user:alice@example.com?uid=1"
		d2 = "deleted:serviceAccount:old@p.iam.gserviceaccount.com?uid=2"
	)
	live := pol("e", bind(pub, bob, d1), bind(sub, d2, d1), cond(viewer, "true", d2, carol))
	if got, want := DeletedMembers(live), []string{d2, d1}; !reflect.DeepEqual(got, want) {
		t.Fatalf("DeletedMembers = %v, want %v", got, want)
	}
	if DeletedMembers(nil) != nil || DeletedMembers(pol("e", bind(pub, alice))) != nil {
		t.Fatal("want nil without deleted members")
	}
	for _, m := range DeletedMembers(live) {
		if err := ValidateMember(m); err != nil {
			t.Errorf("a deleted member read live must validate: %v", err)
		}
	}
}
