package iam

import (
	"reflect"
	"strings"
	"testing"
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
		{"serviceaccount:ci@p.iam.gserviceaccount.com", []string{`unknown type "serviceaccount"`, `did you mean "serviceAccount:ci@p.iam.gserviceaccount.com"`}},
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
		{"robot:r2d2@example.com", []string{`unknown type "robot"`, AcceptedMemberFormats}},
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
