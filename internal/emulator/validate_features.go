package emulator

import (
	"fmt"
	"regexp"
	"strings"

	pb "cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"

	"github.com/pubsubctl/pubsubctl/internal/emulator/engine"
	"github.com/pubsubctl/pubsubctl/internal/transform"
)

// The emulator's own copy of Pub/Sub's rules for ingestion sources,
// message transforms, Bigtable subscriptions and tags (it must not share
// pubsubctl's model: it is the independent check).
var (
	arnRE            = regexp.MustCompile(`^arn:aws(-[a-z]+)*:([a-z0-9-]+):([a-z0-9-]*):(\d{12})?:(.+)$`)
	bigtableTableRE  = regexp.MustCompile(`^projects/[^/]+/instances/[^/]+/tables/[^/]+$`)
	vertexEndpointRE = regexp.MustCompile(`^projects/[^/]+/locations/[^/]+/(endpoints/[^/]+|publishers/[^/]+/models/[^/]+)$`)
	saEmailRE        = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[a-z]+$`)
	hostPortRE       = regexp.MustCompile(`^[^:\s]+:\d{1,5}$`)
)

// checkARN checks an AWS ARN of service svc whose resource starts with
// resource ("stream/", "role/", "cluster/").
func checkARN(field, arn, svc, resource string) error {
	m := arnRE.FindStringSubmatch(arn)
	if m == nil || m[2] != svc || !strings.HasPrefix(m[5], resource) {
		return invalidf("Invalid %s %q: want an ARN arn:aws:%s:...:%s...", field, arn, svc, resource)
	}
	return nil
}

func required(field, v string) error {
	if v == "" {
		return invalidf("Invalid %s: it is required", field)
	}
	return nil
}

func checkSA(field, v string, need bool) error {
	if v == "" {
		if need {
			return required(field, v)
		}
		return nil
	}
	if !saEmailRE.MatchString(v) {
		return invalidf("Invalid %s %q: want a service account e-mail", field, v)
	}
	return nil
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// checkIngestion checks a topic's ingestion_data_source_settings.
func checkIngestion(in *pb.IngestionDataSourceSettings) error {
	if in == nil {
		return nil
	}
	const p = "ingestion_data_source_settings."
	if s := in.GetPlatformLogsSettings(); s != nil {
		if _, ok := pb.PlatformLogsSettings_Severity_name[int32(s.Severity)]; !ok {
			return invalidf("Invalid %splatform_logs_settings.severity %d", p, s.Severity)
		}
	}
	switch src := in.Source.(type) {
	case nil:
		if in.PlatformLogsSettings != nil {
			return invalidf("Invalid %s: platform_logs_settings without a source", strings.TrimSuffix(p, "."))
		}
		return nil
	case *pb.IngestionDataSourceSettings_AwsKinesis_:
		k, q := src.AwsKinesis, p+"aws_kinesis."
		if err := firstErr(
			checkARN(q+"stream_arn", k.StreamArn, "kinesis", "stream/"),
			checkARN(q+"consumer_arn", k.ConsumerArn, "kinesis", "stream/"),
			checkARN(q+"aws_role_arn", k.AwsRoleArn, "iam", "role/"),
			checkSA(q+"gcp_service_account", k.GcpServiceAccount, true)); err != nil {
			return err
		}
		if !strings.HasPrefix(k.ConsumerArn, k.StreamArn+"/consumer/") {
			return invalidf("Invalid %sconsumer_arn %q: not a consumer of %s", q, k.ConsumerArn, k.StreamArn)
		}
	case *pb.IngestionDataSourceSettings_CloudStorage_:
		c := src.CloudStorage
		if c.Bucket == "" || strings.HasPrefix(c.Bucket, "gs://") || strings.Contains(c.Bucket, "/") {
			return invalidf("Invalid %scloud_storage.bucket %q: want a bucket name without gs://", p, c.Bucket)
		}
		if tf := c.GetTextFormat(); tf != nil && tf.Delimiter != nil && *tf.Delimiter == "" {
			return invalidf("Invalid %scloud_storage.text_format.delimiter: must not be empty", p)
		}
		if t := c.MinimumObjectCreateTime; t != nil && t.CheckValid() != nil {
			return invalidf("Invalid %scloud_storage.minimum_object_create_time: %v", p, t.CheckValid())
		}
	case *pb.IngestionDataSourceSettings_AzureEventHubs_:
		e, q := src.AzureEventHubs, p+"azure_event_hubs."
		return firstErr(required(q+"resource_group", e.ResourceGroup), required(q+"namespace", e.Namespace),
			required(q+"event_hub", e.EventHub), required(q+"client_id", e.ClientId), required(q+"tenant_id", e.TenantId),
			required(q+"subscription_id", e.SubscriptionId), checkSA(q+"gcp_service_account", e.GcpServiceAccount, true))
	case *pb.IngestionDataSourceSettings_AwsMsk_:
		m, q := src.AwsMsk, p+"aws_msk."
		return firstErr(checkARN(q+"cluster_arn", m.ClusterArn, "kafka", "cluster/"), required(q+"topic", m.Topic),
			checkARN(q+"aws_role_arn", m.AwsRoleArn, "iam", "role/"), checkSA(q+"gcp_service_account", m.GcpServiceAccount, true))
	case *pb.IngestionDataSourceSettings_ConfluentCloud_:
		c, q := src.ConfluentCloud, p+"confluent_cloud."
		if !hostPortRE.MatchString(c.BootstrapServer) {
			return invalidf("Invalid %sbootstrap_server %q: want HOST:PORT", q, c.BootstrapServer)
		}
		return firstErr(required(q+"cluster_id", c.ClusterId), required(q+"topic", c.Topic),
			required(q+"identity_pool_id", c.IdentityPoolId), checkSA(q+"gcp_service_account", c.GcpServiceAccount, true))
	}
	return nil
}

// checkTransforms checks the message_transforms of a topic or
// subscription; every JavaScript UDF must compile.
func checkTransforms(ts []*pb.MessageTransform) error {
	if len(ts) > transform.MaxTransforms {
		return invalidf("Invalid message_transforms: %d transforms, at most %d are allowed", len(ts), transform.MaxTransforms)
	}
	names := map[string]bool{}
	for i, t := range ts {
		switch x := t.GetTransform().(type) {
		case nil:
			return invalidf("Invalid message_transforms[%d]: no transform is set", i)
		case *pb.MessageTransform_JavascriptUdf:
			u := x.JavascriptUdf
			if u.GetFunctionName() == "" || u.GetCode() == "" {
				return invalidf("Invalid message_transforms[%d].javascript_udf: function_name and code are required", i)
			}
			if names[u.FunctionName] {
				return invalidf("Invalid message_transforms[%d].javascript_udf: function_name %q is not unique", i, u.FunctionName)
			}
			names[u.FunctionName] = true
			if _, err := compileUDF(u); err != nil {
				return invalidf("Invalid message_transforms[%d].javascript_udf %s: %v", i, u.FunctionName, err)
			}
		case *pb.MessageTransform_AiInference:
			a := x.AiInference
			if !vertexEndpointRE.MatchString(a.GetEndpoint()) {
				return invalidf("Invalid message_transforms[%d].ai_inference.endpoint %q", i, a.GetEndpoint())
			}
			if err := checkSA(fmt.Sprintf("message_transforms[%d].ai_inference.service_account_email", i), a.GetServiceAccountEmail(), false); err != nil {
				return err
			}
		case *pb.MessageTransform_Compression:
			c := x.Compression
			if c.GetCompressionAlgorithm() == pb.Compression_COMPRESSION_ALGORITHM_UNSPECIFIED || c.GetCompressionMode() == pb.Compression_COMPRESSION_MODE_UNSPECIFIED {
				return invalidf("Invalid message_transforms[%d].compression: compression_algorithm and compression_mode are required", i)
			}
			if _, ok := pb.Compression_CompressionAlgorithm_name[int32(c.CompressionAlgorithm)]; !ok {
				return invalidf("Invalid message_transforms[%d].compression.compression_algorithm %d", i, c.CompressionAlgorithm)
			}
			if _, ok := pb.Compression_CompressionMode_name[int32(c.CompressionMode)]; !ok {
				return invalidf("Invalid message_transforms[%d].compression.compression_mode %d", i, c.CompressionMode)
			}
		}
	}
	return nil
}

// checkBigtable checks a subscription's bigtable_config.
func checkBigtable(c *pb.BigtableConfig) error {
	if c == nil {
		return nil
	}
	if !bigtableTableRE.MatchString(c.Table) {
		return invalidf("Invalid bigtable_config.table %q: want projects/P/instances/I/tables/T", c.Table)
	}
	return checkSA("bigtable_config.service_account_email", c.ServiceAccountEmail, false)
}

// checkTags checks the tags of a new topic or subscription: namespaced
// key/short-name pairs or tagKeys/ID and tagValues/ID.
func checkTags(tags map[string]string) error {
	for k, v := range tags {
		parent, short, ok := strings.Cut(k, "/")
		if !ok || parent == "" || short == "" || strings.Contains(short, "/") || v == "" {
			return invalidf("Invalid tag %q = %q: want PARENT/KEY = VALUE or tagKeys/ID = tagValues/ID", k, v)
		}
		if parent == "tagKeys" && !strings.HasPrefix(v, "tagValues/") {
			return invalidf("Invalid tag %q = %q: a tag key ID takes a tag value ID (tagValues/ID)", k, v)
		}
	}
	return nil
}

// compileUDF compiles a UDF through the engine's cache.
func compileUDF(u *pb.JavaScriptUDF) (*transform.Program, error) { return engine.CompileUDF(u) }

// checkTopicFeatures checks a new topic's ingestion, transforms and tags.
func checkTopicFeatures(t *pb.Topic) error {
	return firstErr(checkIngestion(t.IngestionDataSourceSettings), checkTransforms(t.MessageTransforms), checkTags(t.Tags))
}
