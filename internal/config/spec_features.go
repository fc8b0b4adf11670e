package config

import "github.com/pubsubctl/pubsubctl/model"

// The blocks of ingestion sources and message transforms.
var (
	ingestionSpec = &blockSpec{typ: model.TopicIngestion.Name, body: &bodySpec{
		blocks: []*blockSpec{
			{typ: "aws_kinesis", body: &bodySpec{
				attrs:    []string{"stream_arn", "consumer_arn", "aws_role_arn", "gcp_service_account"},
				required: []string{"stream_arn", "consumer_arn", "aws_role_arn", "gcp_service_account"},
			}},
			{typ: "cloud_storage", body: &bodySpec{
				attrs:    []string{"bucket", "minimum_object_create_time", "match_glob"},
				required: []string{"bucket"},
				blocks: []*blockSpec{
					{typ: "text_format", body: &bodySpec{attrs: []string{"delimiter"}}},
					{typ: "avro_format", body: &bodySpec{}},
					{typ: "pubsub_avro_format", body: &bodySpec{}},
				},
			}},
			{typ: "azure_event_hubs", body: &bodySpec{
				attrs: []string{"resource_group", "namespace", "event_hub", "client_id", "tenant_id", "subscription_id",
					"gcp_service_account"},
				required: []string{"resource_group", "namespace", "event_hub", "client_id", "tenant_id", "subscription_id",
					"gcp_service_account"},
			}},
			{typ: "aws_msk", body: &bodySpec{
				attrs:    []string{"cluster_arn", "topic", "aws_role_arn", "gcp_service_account"},
				required: []string{"cluster_arn", "topic", "aws_role_arn", "gcp_service_account"},
			}},
			{typ: "confluent_cloud", body: &bodySpec{
				attrs:    []string{"bootstrap_server", "cluster_id", "topic", "identity_pool_id", "gcp_service_account"},
				required: []string{"bootstrap_server", "cluster_id", "topic", "identity_pool_id", "gcp_service_account"},
			}},
			{typ: "platform_logs", body: &bodySpec{attrs: []string{"severity"}, required: []string{"severity"}}},
		},
	}}

	transformSpec = &blockSpec{typ: model.TopicTransforms.Name, repeat: true, body: &bodySpec{
		attrs: []string{"enabled"},
		blocks: []*blockSpec{
			{typ: "javascript_udf", body: &bodySpec{
				attrs:    []string{"function_name", "code"},
				required: []string{"function_name", "code"},
			}},
			{typ: "ai_inference", body: &bodySpec{
				attrs:    []string{"endpoint", "service_account", "parameters"},
				required: []string{"endpoint"},
			}},
			{typ: "compression", body: &bodySpec{
				attrs:    []string{"algorithm", "mode"},
				required: []string{"algorithm", "mode"},
			}},
		},
	}}
)
