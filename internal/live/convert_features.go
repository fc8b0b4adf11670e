package live

import (
	"encoding/json"
	"fmt"
	"time"

	pb "cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/structpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/pubsubctl/pubsubctl/model"
)

// platformLogSeverities are the severities a configuration may name.
var platformLogSeverities = []pb.PlatformLogsSettings_Severity{
	pb.PlatformLogsSettings_DISABLED, pb.PlatformLogsSettings_DEBUG, pb.PlatformLogsSettings_INFO,
	pb.PlatformLogsSettings_WARNING, pb.PlatformLogsSettings_ERROR,
}

var (
	compressionAlgorithms = []pb.Compression_CompressionAlgorithm{pb.Compression_ZLIB}
	compressionModes      = []pb.Compression_CompressionMode{pb.Compression_COMPRESS, pb.Compression_DECOMPRESS}
)

func tagsToProto(m map[string]string) map[string]string { return labelsToProto(m) }

func tagsFromProto(m map[string]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	return copyLabels(m)
}

// ---- ingestion ----

func ingestionToProto(in *model.Ingestion) (*pb.IngestionDataSourceSettings, error) {
	if in == nil {
		return nil, nil
	}
	p := &pb.IngestionDataSourceSettings{}
	switch {
	case in.AWSKinesis != nil:
		k := in.AWSKinesis
		p.Source = &pb.IngestionDataSourceSettings_AwsKinesis_{AwsKinesis: &pb.IngestionDataSourceSettings_AwsKinesis{
			StreamArn: k.StreamARN, ConsumerArn: k.ConsumerARN, AwsRoleArn: k.AWSRoleARN, GcpServiceAccount: k.GCPServiceAccount,
		}}
	case in.CloudStorage != nil:
		c := in.CloudStorage
		cs := &pb.IngestionDataSourceSettings_CloudStorage{Bucket: c.Bucket, MatchGlob: c.MatchGlob}
		if c.MinimumObjectCreateTime != "" {
			t, err := time.Parse(time.RFC3339Nano, c.MinimumObjectCreateTime)
			if err != nil {
				return nil, fmt.Errorf("ingestion cloud_storage minimum_object_create_time: %v", err)
			}
			cs.MinimumObjectCreateTime = timestamppb.New(t)
		}
		switch c.Format {
		case "", "text":
			tf := &pb.IngestionDataSourceSettings_CloudStorage_TextFormat{}
			if c.TextDelimiter != nil {
				d := *c.TextDelimiter
				tf.Delimiter = &d
			}
			cs.InputFormat = &pb.IngestionDataSourceSettings_CloudStorage_TextFormat_{TextFormat: tf}
		case "avro":
			cs.InputFormat = &pb.IngestionDataSourceSettings_CloudStorage_AvroFormat_{AvroFormat: &pb.IngestionDataSourceSettings_CloudStorage_AvroFormat{}}
		case "pubsub_avro":
			cs.InputFormat = &pb.IngestionDataSourceSettings_CloudStorage_PubsubAvroFormat{PubsubAvroFormat: &pb.IngestionDataSourceSettings_CloudStorage_PubSubAvroFormat{}}
		default:
			return nil, fmt.Errorf("unknown ingestion cloud_storage format %q", c.Format)
		}
		p.Source = &pb.IngestionDataSourceSettings_CloudStorage_{CloudStorage: cs}
	case in.AzureEventHubs != nil:
		e := in.AzureEventHubs
		p.Source = &pb.IngestionDataSourceSettings_AzureEventHubs_{AzureEventHubs: &pb.IngestionDataSourceSettings_AzureEventHubs{
			ResourceGroup: e.ResourceGroup, Namespace: e.Namespace, EventHub: e.EventHub, ClientId: e.ClientID,
			TenantId: e.TenantID, SubscriptionId: e.SubscriptionID, GcpServiceAccount: e.GCPServiceAccount,
		}}
	case in.AWSMSK != nil:
		m := in.AWSMSK
		p.Source = &pb.IngestionDataSourceSettings_AwsMsk_{AwsMsk: &pb.IngestionDataSourceSettings_AwsMsk{
			ClusterArn: m.ClusterARN, Topic: m.Topic, AwsRoleArn: m.AWSRoleARN, GcpServiceAccount: m.GCPServiceAccount,
		}}
	case in.ConfluentCloud != nil:
		c := in.ConfluentCloud
		p.Source = &pb.IngestionDataSourceSettings_ConfluentCloud_{ConfluentCloud: &pb.IngestionDataSourceSettings_ConfluentCloud{
			BootstrapServer: c.BootstrapServer, ClusterId: c.ClusterID, Topic: c.Topic,
			IdentityPoolId: c.IdentityPoolID, GcpServiceAccount: c.GCPServiceAccount,
		}}
	}
	if in.PlatformLogs != "" {
		sev, err := enumToProto(in.PlatformLogs, "platform logs severity", platformLogSeverities)
		if err != nil {
			return nil, err
		}
		p.PlatformLogsSettings = &pb.PlatformLogsSettings{Severity: sev}
	}
	return p, nil
}

func ingestionFromProto(p *pb.IngestionDataSourceSettings) *model.Ingestion {
	if p == nil {
		return nil
	}
	in := &model.Ingestion{PlatformLogs: enumFromProto(p.GetPlatformLogsSettings().GetSeverity(), platformLogSeverities)}
	if k := p.GetAwsKinesis(); k != nil {
		in.AWSKinesis = &model.KinesisSource{StreamARN: k.GetStreamArn(), ConsumerARN: k.GetConsumerArn(),
			AWSRoleARN: k.GetAwsRoleArn(), GCPServiceAccount: k.GetGcpServiceAccount()}
	}
	if c := p.GetCloudStorage(); c != nil {
		s := &model.StorageSource{Bucket: c.GetBucket(), MatchGlob: c.GetMatchGlob(), Format: "text"}
		if t := c.GetMinimumObjectCreateTime(); t != nil {
			s.MinimumObjectCreateTime = t.AsTime().UTC().Format(time.RFC3339Nano)
		}
		switch {
		case c.GetAvroFormat() != nil:
			s.Format = "avro"
		case c.GetPubsubAvroFormat() != nil:
			s.Format = "pubsub_avro"
		case c.GetTextFormat() != nil && c.GetTextFormat().Delimiter != nil:
			d := c.GetTextFormat().GetDelimiter()
			s.TextDelimiter = &d
		}
		in.CloudStorage = s
	}
	if e := p.GetAzureEventHubs(); e != nil {
		in.AzureEventHubs = &model.EventHubsSource{ResourceGroup: e.GetResourceGroup(), Namespace: e.GetNamespace(),
			EventHub: e.GetEventHub(), ClientID: e.GetClientId(), TenantID: e.GetTenantId(),
			SubscriptionID: e.GetSubscriptionId(), GCPServiceAccount: e.GetGcpServiceAccount()}
	}
	if m := p.GetAwsMsk(); m != nil {
		in.AWSMSK = &model.MSKSource{ClusterARN: m.GetClusterArn(), Topic: m.GetTopic(), AWSRoleARN: m.GetAwsRoleArn(),
			GCPServiceAccount: m.GetGcpServiceAccount()}
	}
	if c := p.GetConfluentCloud(); c != nil {
		in.ConfluentCloud = &model.ConfluentSource{BootstrapServer: c.GetBootstrapServer(), ClusterID: c.GetClusterId(),
			Topic: c.GetTopic(), IdentityPoolID: c.GetIdentityPoolId(), GCPServiceAccount: c.GetGcpServiceAccount()}
	}
	return in
}

// ---- message transforms ----

func transformsToProto(ts []model.MessageTransform) ([]*pb.MessageTransform, error) {
	if len(ts) == 0 {
		return nil, nil
	}
	out := make([]*pb.MessageTransform, 0, len(ts))
	for i, t := range ts {
		p := &pb.MessageTransform{Disabled: t.Disabled}
		switch {
		case t.JavaScriptUDF != nil:
			p.Transform = &pb.MessageTransform_JavascriptUdf{JavascriptUdf: &pb.JavaScriptUDF{
				FunctionName: t.JavaScriptUDF.FunctionName, Code: t.JavaScriptUDF.Code,
			}}
		case t.AIInference != nil:
			a := &pb.AIInference{Endpoint: t.AIInference.Endpoint, ServiceAccountEmail: t.AIInference.ServiceAccount}
			if t.AIInference.Parameters != "" {
				st := &structpb.Struct{}
				if err := protojson.Unmarshal([]byte(t.AIInference.Parameters), st); err != nil {
					return nil, fmt.Errorf("message transform %d: ai_inference parameters: %v", i+1, err)
				}
				a.InferenceMode = &pb.AIInference_UnstructuredInference_{UnstructuredInference: &pb.AIInference_UnstructuredInference{Parameters: st}}
			} else {
				a.InferenceMode = &pb.AIInference_UnstructuredInference_{UnstructuredInference: &pb.AIInference_UnstructuredInference{}}
			}
			p.Transform = &pb.MessageTransform_AiInference{AiInference: a}
		case t.Compression != nil:
			alg, err := enumToProto(t.Compression.Algorithm, "compression algorithm", compressionAlgorithms)
			if err != nil {
				return nil, err
			}
			mode, err := enumToProto(t.Compression.Mode, "compression mode", compressionModes)
			if err != nil {
				return nil, err
			}
			p.Transform = &pb.MessageTransform_Compression{Compression: &pb.Compression{CompressionAlgorithm: alg, CompressionMode: mode}}
		default:
			return nil, fmt.Errorf("message transform %d has no transform", i+1)
		}
		out = append(out, p)
	}
	return out, nil
}

func transformsFromProto(ps []*pb.MessageTransform) []model.MessageTransform {
	if len(ps) == 0 {
		return nil
	}
	out := make([]model.MessageTransform, 0, len(ps))
	for _, p := range ps {
		t := model.MessageTransform{Disabled: p.GetDisabled()}
		if u := p.GetJavascriptUdf(); u != nil {
			t.JavaScriptUDF = &model.JavaScriptUDF{FunctionName: u.GetFunctionName(), Code: u.GetCode()}
		}
		if a := p.GetAiInference(); a != nil {
			ai := &model.AIInference{Endpoint: a.GetEndpoint(), ServiceAccount: a.GetServiceAccountEmail()}
			if st := a.GetUnstructuredInference().GetParameters(); st != nil && len(st.GetFields()) > 0 {
				ai.Parameters = canonicalJSON(st)
			}
			t.AIInference = ai
		}
		if c := p.GetCompression(); c != nil {
			t.Compression = &model.Compression{
				Algorithm: enumFromProto(c.GetCompressionAlgorithm(), compressionAlgorithms),
				Mode:      enumFromProto(c.GetCompressionMode(), compressionModes),
			}
		}
		out = append(out, t)
	}
	return out
}

// canonicalJSON renders a Struct as JSON with sorted keys, as the loader
// canonicalizes parameters.
func canonicalJSON(st *structpb.Struct) string {
	b, err := json.Marshal(st.AsMap())
	if err != nil {
		return ""
	}
	return string(b)
}

// ---- Bigtable ----

func bigtableToProto(b *model.BigtableConfig) *pb.BigtableConfig {
	if b == nil {
		return nil
	}
	return &pb.BigtableConfig{Table: b.Table, AppProfileId: b.AppProfileID, WriteMetadata: b.WriteMetadata, ServiceAccountEmail: b.ServiceAccount}
}

func bigtableFromProto(p *pb.BigtableConfig) *model.BigtableConfig {
	if p == nil {
		return nil
	}
	return &model.BigtableConfig{Table: p.GetTable(), AppProfileID: p.GetAppProfileId(), WriteMetadata: p.GetWriteMetadata(),
		ServiceAccount: p.GetServiceAccountEmail(), ColumnFamilyMapping: p.GetColumnFamilyMapping() != nil}
}

// topicFeaturesToProto sets a topic's ingestion, transforms and tags.
func topicFeaturesToProto(t *model.Topic, p *pb.Topic) error {
	in, err := ingestionToProto(t.Ingestion)
	if err != nil {
		return err
	}
	p.IngestionDataSourceSettings = in
	if p.MessageTransforms, err = transformsToProto(t.Transforms); err != nil {
		return err
	}
	p.Tags = tagsToProto(t.Tags)
	return nil
}

// subFeaturesToProto sets a subscription's Bigtable config, transforms and
// tags.
func subFeaturesToProto(s *model.Subscription, p *pb.Subscription) error {
	p.BigtableConfig = bigtableToProto(s.Bigtable)
	var err error
	if p.MessageTransforms, err = transformsToProto(s.Transforms); err != nil {
		return err
	}
	p.Tags = tagsToProto(s.Tags)
	return nil
}
