package iam

import (
	"slices"
	"strings"
	"testing"

	"github.com/pubsubctl/pubsubctl/model"
)

func TestFeaturePermissions(t *testing.T) {
	c := &model.Config{Project: "p", ProjectNumber: "42", Stack: "s",
		Topics: []*model.Topic{
			{Addr: model.Address{Kind: model.KindTopic, Name: "clicks"}, Name: "clicks", Tags: map[string]string{"1/env": "prod"},
				Ingestion: &model.Ingestion{AWSKinesis: &model.KinesisSource{StreamARN: "arn:s", ConsumerARN: "arn:c", AWSRoleARN: "arn:r", GCPServiceAccount: "ingest@p.iam.gserviceaccount.com"}}},
			{Addr: model.Address{Kind: model.KindTopic, Name: "files"}, Name: "files",
				Ingestion:  &model.Ingestion{CloudStorage: &model.StorageSource{Bucket: "landing"}},
				Transforms: []model.MessageTransform{{AIInference: &model.AIInference{Endpoint: "projects/p/locations/l/endpoints/e", ServiceAccount: "ai@p.iam.gserviceaccount.com"}}}},
		},
		Subscriptions: []*model.Subscription{{Addr: model.Address{Kind: model.KindSubscription, Name: "bt"}, Name: "bt", Topic: "projects/p/topics/clicks",
			Bigtable: &model.BigtableConfig{Table: "projects/p/instances/i/tables/t", ServiceAccount: "bt@p.iam.gserviceaccount.com"}}},
	}
	perms := NeededPermissions(c, true)
	for _, want := range []string{TagBindingPermission, "iam.serviceAccounts.actAs", "pubsub.topics.update"} {
		if !slices.Contains(perms, want) {
			t.Errorf("apply permissions lack %s: %v", want, perms)
		}
	}
	if p := NeededPermissions(c, false); slices.Contains(p, TagBindingPermission) || slices.Contains(p, "iam.serviceAccounts.actAs") {
		t.Errorf("plan needs no tag binding or actAs: %v", p)
	}
	if got := ActAsAccounts(c); !slices.Equal(got, []string{"ai@p.iam.gserviceaccount.com", "bt@p.iam.gserviceaccount.com"}) {
		t.Errorf("ActAsAccounts = %v", got)
	}
	grants := strings.Join(ServiceGrants(c), "\n")
	for _, want := range []string{
		"topic.clicks: grant the Pub/Sub service agent service-42@gcp-sa-pubsub.iam.gserviceaccount.com roles/iam.serviceAccountTokenCreator on ingest@p.iam.gserviceaccount.com",
		"the AWS role arn:r must trust accounts.google.com",
		"roles/storage.objectViewer and roles/storage.legacyBucketReader on bucket landing",
		"grant ai@p.iam.gserviceaccount.com roles/aiplatform.user",
		"subscription.bt: grant bt@p.iam.gserviceaccount.com roles/bigtable.user on projects/p/instances/i/tables/t",
	} {
		if !strings.Contains(grants, want) {
			t.Errorf("grants lack %q:\n%s", want, grants)
		}
	}
}
