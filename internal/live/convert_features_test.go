package live

import (
	"reflect"
	"strings"
	"testing"

	"github.com/pubsubctl/pubsubctl/model"
)

func TestFeatureMasks(t *testing.T) {
	got, err := TopicMask([]string{"message_transform.0.javascript_udf.code", "ingestion.cloud_storage.bucket", "message_transform.1.enabled"})
	if err != nil || !reflect.DeepEqual(got, []string{"ingestion_data_source_settings", "message_transforms"}) {
		t.Errorf("TopicMask = %v, %v", got, err)
	}
	got, err = SubscriptionMask([]string{"bigtable.table", "message_transform.0.enabled"})
	if err != nil || !reflect.DeepEqual(got, []string{"bigtable_config", "message_transforms"}) {
		t.Errorf("SubscriptionMask = %v, %v", got, err)
	}
	for _, f := range []func([]string) ([]string, error){TopicMask, SubscriptionMask} {
		if _, err := f([]string{"tags.123/env"}); err == nil || !strings.Contains(err.Error(), "tags are bound") {
			t.Errorf("a tag update is not refused: %v", err)
		}
	}
}

// Every new field survives model → proto → model unchanged.
func TestFeatureConversionRoundTrip(t *testing.T) {
	nl := ";"
	topics := []*model.Topic{
		{Tags: map[string]string{"123/env": "prod"}, Ingestion: &model.Ingestion{AWSKinesis: &model.KinesisSource{StreamARN: "s", ConsumerARN: "c", AWSRoleARN: "r", GCPServiceAccount: "g"}, PlatformLogs: "WARNING"}},
		{Ingestion: &model.Ingestion{CloudStorage: &model.StorageSource{Bucket: "b", Format: "text", TextDelimiter: &nl, MinimumObjectCreateTime: "2024-01-31T00:00:00.5Z", MatchGlob: "**.txt"}}},
		{Ingestion: &model.Ingestion{CloudStorage: &model.StorageSource{Bucket: "b", Format: "pubsub_avro"}}},
		{Ingestion: &model.Ingestion{AzureEventHubs: &model.EventHubsSource{ResourceGroup: "rg", Namespace: "ns", EventHub: "h", ClientID: "c", TenantID: "t", SubscriptionID: "s", GCPServiceAccount: "g"}}},
		{Ingestion: &model.Ingestion{AWSMSK: &model.MSKSource{ClusterARN: "a", Topic: "t", AWSRoleARN: "r", GCPServiceAccount: "g"}}},
		{Ingestion: &model.Ingestion{ConfluentCloud: &model.ConfluentSource{BootstrapServer: "h:9092", ClusterID: "c", Topic: "t", IdentityPoolID: "p", GCPServiceAccount: "g"}}},
		{Transforms: []model.MessageTransform{
			{JavaScriptUDF: &model.JavaScriptUDF{FunctionName: "f", Code: "function f(m) { return m }"}},
			{Disabled: true, AIInference: &model.AIInference{Endpoint: "projects/p/locations/l/endpoints/e", ServiceAccount: "a@p.iam.gserviceaccount.com", Parameters: `{"a":[1,"x"],"b":{"c":true}}`}},
			{Compression: &model.Compression{Algorithm: "ZLIB", Mode: "DECOMPRESS"}},
		}},
	}
	for i, want := range topics {
		want.Name = "t"
		p, err := topicToProto("p", want)
		if err != nil {
			t.Fatal(err)
		}
		got := topicFromProto(p)
		if !reflect.DeepEqual(got.Ingestion, want.Ingestion) || !reflect.DeepEqual(got.Transforms, want.Transforms) || !reflect.DeepEqual(got.Tags, want.Tags) {
			t.Errorf("topic %d: got %+v %+v %v, want %+v %+v %v", i, got.Ingestion, got.Transforms, got.Tags, want.Ingestion, want.Transforms, want.Tags)
		}
	}
	s := &model.Subscription{Name: "s", Topic: "t", Tags: map[string]string{"tagKeys/1": "tagValues/2"},
		Bigtable:   &model.BigtableConfig{Table: "projects/p/instances/i/tables/t", AppProfileID: "a", WriteMetadata: true, ServiceAccount: "x@p.iam.gserviceaccount.com"},
		Transforms: []model.MessageTransform{{JavaScriptUDF: &model.JavaScriptUDF{FunctionName: "g", Code: "var g = m => m"}}}}
	p, err := subToProto("p", s)
	if err != nil {
		t.Fatal(err)
	}
	got := subFromProto(p)
	if !reflect.DeepEqual(got.Bigtable, s.Bigtable) || !reflect.DeepEqual(got.Transforms, s.Transforms) || !reflect.DeepEqual(got.Tags, s.Tags) {
		t.Errorf("subscription: got %+v %+v %v", got.Bigtable, got.Transforms, got.Tags)
	}
}
