package plan

import (
	"strconv"

	"github.com/pubsubctl/pubsubctl/model"
)

// ingestionFields are a topic's ingestion source, one field per argument.
func ingestionFields(in *model.Ingestion) []field {
	if in == nil {
		return nil
	}
	r := func(sub, value string) field { return row(model.TopicIngestion, sub, value) }
	var f []field
	if k := in.AWSKinesis; k != nil {
		f = append(f,
			r("aws_kinesis.stream_arn", q(k.StreamARN)),
			r("aws_kinesis.consumer_arn", q(k.ConsumerARN)),
			r("aws_kinesis.aws_role_arn", q(k.AWSRoleARN)),
			r("aws_kinesis.gcp_service_account", q(k.GCPServiceAccount)))
	}
	if c := in.CloudStorage; c != nil {
		f = append(f,
			r("cloud_storage.bucket", q(c.Bucket)),
			r("cloud_storage.format", q(c.Format)),
			r("cloud_storage.minimum_object_create_time", q(c.MinimumObjectCreateTime)),
			r("cloud_storage.match_glob", q(c.MatchGlob)))
		if c.TextDelimiter != nil {
			f = append(f, r("cloud_storage.text_format.delimiter", strconv.Quote(*c.TextDelimiter)))
		}
	}
	if e := in.AzureEventHubs; e != nil {
		f = append(f,
			r("azure_event_hubs.resource_group", q(e.ResourceGroup)),
			r("azure_event_hubs.namespace", q(e.Namespace)),
			r("azure_event_hubs.event_hub", q(e.EventHub)),
			r("azure_event_hubs.client_id", q(e.ClientID)),
			r("azure_event_hubs.tenant_id", q(e.TenantID)),
			r("azure_event_hubs.subscription_id", q(e.SubscriptionID)),
			r("azure_event_hubs.gcp_service_account", q(e.GCPServiceAccount)))
	}
	if m := in.AWSMSK; m != nil {
		f = append(f,
			r("aws_msk.cluster_arn", q(m.ClusterARN)),
			r("aws_msk.topic", q(m.Topic)),
			r("aws_msk.aws_role_arn", q(m.AWSRoleARN)),
			r("aws_msk.gcp_service_account", q(m.GCPServiceAccount)))
	}
	if c := in.ConfluentCloud; c != nil {
		f = append(f,
			r("confluent_cloud.bootstrap_server", q(c.BootstrapServer)),
			r("confluent_cloud.cluster_id", q(c.ClusterID)),
			r("confluent_cloud.topic", q(c.Topic)),
			r("confluent_cloud.identity_pool_id", q(c.IdentityPoolID)),
			r("confluent_cloud.gcp_service_account", q(c.GCPServiceAccount)))
	}
	return append(f, r("platform_logs.severity", q(in.PlatformLogs)))
}

// transformFields are the message transforms of a topic or subscription:
// message_transform.N.KIND.ARG, and message_transform.N.enabled.
func transformFields(fr *model.Field, ts []model.MessageTransform) []field {
	var f []field
	for i, t := range ts {
		p := strconv.Itoa(i) + "."
		f = append(f, row(fr, p+"enabled", boolean(!t.Disabled)))
		if u := t.JavaScriptUDF; u != nil {
			f = append(f,
				row(fr, p+"javascript_udf.function_name", q(u.FunctionName)),
				row(fr, p+"javascript_udf.code", q(u.Code)))
		}
		if a := t.AIInference; a != nil {
			f = append(f,
				row(fr, p+"ai_inference.endpoint", q(a.Endpoint)),
				row(fr, p+"ai_inference.service_account", q(a.ServiceAccount)),
				row(fr, p+"ai_inference.parameters", q(a.Parameters)))
		}
		if c := t.Compression; c != nil {
			f = append(f,
				row(fr, p+"compression.algorithm", q(c.Algorithm)),
				row(fr, p+"compression.mode", q(c.Mode)))
		}
	}
	return f
}
