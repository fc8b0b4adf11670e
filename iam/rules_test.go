package iam

import (
	"reflect"
	"strings"
	"testing"

	"github.com/pubsubctl/pubsubctl/model"
)

func TestValidatePolicyMember(t *testing.T) {
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
		if err := ValidatePolicyMember(m); err != nil {
			t.Errorf("ValidatePolicyMember(%q) = %v, want nil", m, err)
		}
	}
	invalid := []struct {
		m    string
		want []string // substrings of the error
	}{
		{"", []string{"empty member", PolicyMemberFormats}},
		{"alice@example.com", []string{`did you mean "user:alice@example.com"`, PolicyMemberFormats}},
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
		{"robot:r2d2@example.com", []string{`unknown member type "robot"`, PolicyMemberFormats}},
		{"alice", []string{`invalid member "alice"`, PolicyMemberFormats}},
	}
	for _, tc := range invalid {
		err := ValidatePolicyMember(tc.m)
		if err == nil {
			t.Errorf("ValidatePolicyMember(%q) = nil, want an error", tc.m)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("ValidatePolicyMember(%q) = %q, want it to contain %q", tc.m, err, w)
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
		if err := ValidatePolicyMember(m); err != nil {
			t.Errorf("a deleted member read live must validate: %v", err)
		}
	}
}

func TestValidateMemberConfigAndPolicy(t *testing.T) {
	ok := []string{
		"user:alice@example.com", "serviceAccount:a@p.iam.gserviceaccount.com", "group:g@example.com",
		"domain:example.com", "allUsers", "allAuthenticatedUsers",
		"principal://iam.googleapis.com/locations/global/workforcePools/p/subject/s",
		"principalSet://iam.googleapis.com/locations/global/workforcePools/p/*",
	}
	for _, m := range ok {
		if err := ValidateMember(m); err != nil {
			t.Errorf("ValidateMember(%q) = %v, want nil", m, err)
		}
	}
	bad := map[string]string{
		"":                            "empty",
		"alice@example.com":           "user:alice@example.com",
		"a@p.iam.gserviceaccount.com": "serviceAccount:a@p.iam.gserviceaccount.com",
		"serviceaccount:a@p.iam.gserviceaccount.com": `"serviceAccount:a@p.iam.gserviceaccount.com"`,
		"user:alice":                       "not an e-mail",
		"domain:example":                   "not a domain",
		"deleted:user:a@example.com?uid=1": "deleted",
		"allusers":                         "case-sensitive",
		"robot:x@example.com":              "unknown member type",
		"principal://example.com/x":        "principal://iam.googleapis.com",
		" user:alice@example.com":          "white space",
	}
	for m, want := range bad {
		err := ValidateMember(m)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ValidateMember(%q) = %v, want an error containing %q", m, err, want)
		}
	}
	// A live policy may hold deleted principals; a configuration may not.
	for _, m := range append(ok, "deleted:user:a@example.com?uid=1", "deleted:serviceAccount:x@p.iam.gserviceaccount.com?uid=2") {
		if err := ValidatePolicyMember(m); err != nil {
			t.Errorf("ValidatePolicyMember(%q) = %v, want nil", m, err)
		}
	}
	for m := range bad {
		if m == "deleted:user:a@example.com?uid=1" {
			continue
		}
		if err := ValidatePolicyMember(m); err == nil {
			t.Errorf("ValidatePolicyMember(%q) = nil, want an error", m)
		}
	}
	if err := ValidatePolicyMember("deleted:user:a@example.com"); err == nil || !strings.Contains(err.Error(), "?uid=N") {
		t.Errorf("ValidatePolicyMember without uid = %v, want an error naming ?uid=N", err)
	}
}

func TestBroadMemberScope(t *testing.T) {
	for m, want := range map[string]string{
		"allUsers":              "anyone on the internet",
		"allAuthenticatedUsers": "anyone with a Google account",
		"domain:example.com":    "every account in the domain example.com",
		"domain:gmail.com":      "consumer domain",
		"domain:GoogleMail.com": "consumer domain",
		"principalSet://iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/gh/*": `every identity in the workload identity pool "gh"`,
		"principalSet://iam.googleapis.com/locations/global/workforcePools/corp/*":                   `every identity in the workforce identity pool "corp"`,
		"user:alice@example.com":                     "",
		"group:eng@example.com":                      "",
		"serviceAccount:a@p.iam.gserviceaccount.com": "",
		"principalSet://iam.googleapis.com/locations/global/workforcePools/corp/group/eng":        "",
		"principalSet://iam.googleapis.com/locations/global/workforcePools/corp/attribute.team/x": "",
		"principal://iam.googleapis.com/locations/global/workforcePools/corp/subject/*":           "",
		"allusers": "",
	} {
		got := BroadMemberScope(m)
		if want == "" && got != "" || !strings.Contains(got, want) {
			t.Errorf("BroadMemberScope(%q) = %q, want %q", m, got, want)
		}
		if IsBroadMember(m) != (want != "") {
			t.Errorf("IsBroadMember(%q) = %v", m, !(want != ""))
		}
	}
}

func TestValidateRoleDetails(t *testing.T) {
	for _, r := range []string{
		"roles/pubsub.publisher", "roles/owner", "roles/iam.serviceAccountTokenCreator",
		"roles/cloudbuild.builds.builder", "roles/composer.ServiceAgentV2Ext",
		"projects/demo-project/roles/custom_1", "projects/demo-project/roles/MyRole",
		"organizations/42/roles/x.y",
	} {
		if err := ValidateRole(r); err != nil {
			t.Errorf("ValidateRole(%q) = %v", r, err)
		}
	}
	for r, want := range map[string]string{
		"":                           "empty role",
		"pubsub.publisher":           `did you mean "roles/pubsub.publisher"`,
		"roles/":                     "roles/NAME",
		"folders/1/roles/x":          "organizations/ORG_ID/roles/NAME",
		"roles/a b":                  "letters, digits",
		"roles/Editor":               `case-sensitive; did you mean "roles/editor"? Note that roles/editor is a broad role, which needs allow_broad = true`,
		"roles/OWNER":                `did you mean "roles/owner"`,
		"roles/pubsub.Publisher":     `case-sensitive; did you mean "roles/pubsub.publisher"`,
		"Roles/pubsub.publisher":     "roles/NAME",
		"roles/PubSub.publisher":     `did you mean "roles/pubsub.publisher"`,
		"roles/Custom.thing":         "lower-case service name",
		"Editor":                     `did you mean "roles/editor"`,
		"projects/P/roles/x":         `"P" is not a project ID`,
		"organizations/acme/roles/x": "numeric ID",
	} {
		err := ValidateRole(r)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ValidateRole(%q) = %v, want an error containing %q", r, err, want)
		}
	}
	for _, r := range []string{"roles/owner", "roles/editor", "roles/viewer", "roles/pubsub.admin", "roles/pubsub.editor"} {
		if !IsBroadRole(r) {
			t.Errorf("IsBroadRole(%q) = false", r)
		}
	}
	for _, r := range []string{model.RolePublisher, model.RoleSubscriber, model.RoleViewer} {
		if IsBroadRole(r) {
			t.Errorf("IsBroadRole(%q) = true", r)
		}
	}
}
