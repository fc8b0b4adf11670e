package iam

import (
	"fmt"
	"sort"

	"github.com/pubsubctl/pubsubctl/model"
)

// TagBindingPermission is what binding tags at creation needs.
const TagBindingPermission = "resourcemanager.tagValueBindings.create"

func init() {
	permissionReasons[TagBindingPermission] = "apply creates topics or subscriptions with tags, which binds tag values to them (roles/resourcemanager.tagUser on the tag values or their parent)"
	permissionReasons["iam.serviceAccounts.actAs"] = "apply creates or updates a resource that names a service account Pub/Sub acts as (push OIDC token, BigQuery, Cloud Storage or Bigtable export, AI inference transform); IAM checks actAs on that service account"
	permissionReasons["pubsub.topics.update"] = "apply updates topics in place (labels, retention, storage policy, schema settings, KMS key, ingestion source, message transforms)"
}

// featureNeeds adds what tags and the service accounts of Bigtable
// subscriptions and AI inference transforms need.
func featureNeeds(c *model.Config, n *PermissionNeeds) {
	for _, t := range c.Topics {
		if len(t.Tags) > 0 {
			n.Tags = true
		}
		if aiAccounts(t.Transforms) != nil {
			n.ActsAs = true
		}
	}
	for _, s := range c.Subscriptions {
		if len(s.Tags) > 0 {
			n.Tags = true
		}
		if (s.Bigtable != nil && s.Bigtable.ServiceAccount != "") || aiAccounts(s.Transforms) != nil {
			n.ActsAs = true
		}
	}
}

func aiAccounts(ts []model.MessageTransform) []string {
	var out []string
	for _, t := range ts {
		if t.AIInference != nil && t.AIInference.ServiceAccount != "" {
			out = append(out, t.AIInference.ServiceAccount)
		}
	}
	return out
}

// ActAsAccounts lists, sorted, the service accounts the configuration makes
// Pub/Sub act as, on each of which apply's identity needs
// iam.serviceAccounts.actAs (roles/iam.serviceAccountUser): push OIDC
// tokens, BigQuery, Cloud Storage and Bigtable exports, AI inference
// transforms.
func ActAsAccounts(c *model.Config) []string {
	set := map[string]bool{}
	for _, s := range c.Subscriptions {
		if s.Push != nil && s.Push.OIDC != nil && s.Push.OIDC.ServiceAccount != "" {
			set[s.Push.OIDC.ServiceAccount] = true
		}
		if s.BigQuery != nil && s.BigQuery.ServiceAccount != "" {
			set[s.BigQuery.ServiceAccount] = true
		}
		if s.CloudStorage != nil && s.CloudStorage.ServiceAccount != "" {
			set[s.CloudStorage.ServiceAccount] = true
		}
		if s.Bigtable != nil && s.Bigtable.ServiceAccount != "" {
			set[s.Bigtable.ServiceAccount] = true
		}
		for _, a := range aiAccounts(s.Transforms) {
			set[a] = true
		}
	}
	for _, t := range c.Topics {
		for _, a := range aiAccounts(t.Transforms) {
			set[a] = true
		}
	}
	out := make([]string, 0, len(set))
	for a := range set {
		out = append(out, a)
	}
	sort.Strings(out)
	return out
}

// ServiceGrants lists, sorted, the grants outside Pub/Sub that the
// configuration's features need to work (pubsubctl does not make them):
// what the Pub/Sub service agent, or the service account named instead of
// it, needs on the ingestion source, the Bigtable table or the Vertex AI
// endpoint.
func ServiceGrants(c *model.Config) []string {
	agent := "the Pub/Sub service agent service-PROJECT_NUMBER@gcp-sa-pubsub.iam.gserviceaccount.com"
	if c.ProjectNumber != "" {
		agent = "the Pub/Sub service agent service-" + c.ProjectNumber + "@gcp-sa-pubsub.iam.gserviceaccount.com"
	}
	set := map[string]bool{}
	for _, t := range c.Topics {
		if in := t.Ingestion; in != nil {
			if sa := in.ServiceAccount(); sa != "" {
				set[fmt.Sprintf("%s: grant %s roles/iam.serviceAccountTokenCreator on %s (it mints that account's tokens to federate into the source)", model.Describe(t), agent, sa)] = true
			}
			switch {
			case in.AWSKinesis != nil:
				set[fmt.Sprintf("%s: the AWS role %s must trust accounts.google.com with sub = the unique ID of %s and allow reading %s", model.Describe(t), in.AWSKinesis.AWSRoleARN, in.AWSKinesis.GCPServiceAccount, in.AWSKinesis.StreamARN)] = true
			case in.AWSMSK != nil:
				set[fmt.Sprintf("%s: the AWS role %s must trust accounts.google.com with sub = the unique ID of %s and allow reading topic %s of %s", model.Describe(t), in.AWSMSK.AWSRoleARN, in.AWSMSK.GCPServiceAccount, in.AWSMSK.Topic, in.AWSMSK.ClusterARN)] = true
			case in.AzureEventHubs != nil:
				set[fmt.Sprintf("%s: the Azure app %s needs a federated credential for %s and the Azure Event Hubs Data Receiver role on %s/%s", model.Describe(t), in.AzureEventHubs.ClientID, in.AzureEventHubs.GCPServiceAccount, in.AzureEventHubs.Namespace, in.AzureEventHubs.EventHub)] = true
			case in.ConfluentCloud != nil:
				set[fmt.Sprintf("%s: the Confluent identity pool %s must accept %s and may read topic %s", model.Describe(t), in.ConfluentCloud.IdentityPoolID, in.ConfluentCloud.GCPServiceAccount, in.ConfluentCloud.Topic)] = true
			case in.CloudStorage != nil:
				set[fmt.Sprintf("%s: grant %s roles/storage.objectViewer and roles/storage.legacyBucketReader on bucket %s", model.Describe(t), agent, in.CloudStorage.Bucket)] = true
			}
		}
		aiGrants(set, model.Describe(t), t.Transforms, agent)
	}
	for _, s := range c.Subscriptions {
		if b := s.Bigtable; b != nil {
			who := agent
			if b.ServiceAccount != "" {
				who = b.ServiceAccount
			}
			set[fmt.Sprintf("%s: grant %s roles/bigtable.user on %s", model.Describe(s), who, b.Table)] = true
		}
		aiGrants(set, model.Describe(s), s.Transforms, agent)
	}
	out := make([]string, 0, len(set))
	for g := range set {
		out = append(out, g)
	}
	sort.Strings(out)
	return out
}

func aiGrants(set map[string]bool, what string, ts []model.MessageTransform, agent string) {
	for _, t := range ts {
		if a := t.AIInference; a != nil {
			who := agent
			if a.ServiceAccount != "" {
				who = a.ServiceAccount
			}
			set[fmt.Sprintf("%s: grant %s roles/aiplatform.user on the project of %s", what, who, a.Endpoint)] = true
		}
	}
}
