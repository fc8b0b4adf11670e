package live

import (
	"encoding/base64"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	iampb "cloud.google.com/go/iam/apiv1/iampb"
	pb "cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"
	"google.golang.org/genproto/googleapis/type/expr"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/pubsubctl/pubsubctl/model"
)

// DeletedTopic is the topic of a subscription whose topic was deleted.
const DeletedTopic = "_deleted-topic_"

// qualify turns an ID into the full name of a resource of the client's
// project; full names (and the _deleted-topic_ marker) pass unchanged.
func qualify(project string, k model.Kind, name string) string {
	if name == "" || strings.Contains(name, "/") || strings.HasPrefix(name, "_deleted-") {
		return name
	}
	return model.FullName(project, k, name)
}

// shortID returns the ID of a full name of kind k in any project, or the
// name itself when it is not one.
func shortID(k model.Kind, full string) string {
	if _, id, ok := model.SplitName(full, k); ok {
		return id
	}
	return full
}

func durToProto(d time.Duration) *durationpb.Duration {
	if d == 0 {
		return nil
	}
	return durationpb.New(d)
}

func durFromProto(d *durationpb.Duration) time.Duration {
	if d == nil {
		return 0
	}
	return d.AsDuration()
}

func copyLabels(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	maps.Copy(out, m)
	return out
}

// interner hands out one copy of each string it is given: a read of
// thousands of resources decodes the same label keys and values, roles and
// members (the Pub/Sub service agent's dead-letter grants) thousands of
// times. It is safe for concurrent use; a nil interner returns its
// arguments.
type interner struct {
	mu   sync.Mutex
	m    map[string]string
	maps map[string]map[string]string // label maps by their sorted contents
}

func newInterner() *interner {
	return &interner{m: map[string]string{}, maps: map[string]map[string]string{}}
}

func (in *interner) str(s string) string {
	if in == nil {
		return s
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.strLocked(s)
}

func (in *interner) strLocked(s string) string {
	if v, ok := in.m[s]; ok {
		return v
	}
	in.m[s] = s
	return s
}

// labels copies m, its keys and values interned. A nil interner makes a
// new map each time; otherwise resources with the same labels (every
// resource of a stack has managed-by and pubsubctl-stack, and often nothing
// else) share one map, which is why live state's label maps are read-only.
func (in *interner) labels(m map[string]string) map[string]string {
	if in == nil {
		return copyLabels(m)
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	// Each key and value with its length first: no two label sets have
	// the same id.
	var id []byte
	for _, k := range keys {
		for _, x := range [2]string{k, m[k]} {
			id = strconv.AppendInt(id, int64(len(x)), 10)
			id = append(id, ':')
			id = append(id, x...)
		}
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	if shared, ok := in.maps[string(id)]; ok {
		return shared
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[in.strLocked(k)] = in.strLocked(v)
	}
	in.maps[string(id)] = out
	return out
}

func labelsToProto(m map[string]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	return copyLabels(m)
}

// ---- schemas ----

// schemaTypes and encodings are the values of those enums a configuration
// may name.
var (
	schemaTypes = []pb.Schema_Type{pb.Schema_AVRO, pb.Schema_PROTOCOL_BUFFER}
	encodings   = []pb.Encoding{pb.Encoding_JSON, pb.Encoding_BINARY}
)

// protoEnum is a proto enum whose configuration names are its proto names.
type protoEnum interface {
	~int32
	String() string
}

// enumToProto returns the value among values whose name is name in any
// case; "" is the zero (unspecified) value. what names the enum in the
// error.
func enumToProto[E protoEnum](name, what string, values []E) (E, error) {
	if name == "" {
		return 0, nil
	}
	names := make([]string, len(values))
	for i, v := range values {
		if strings.ToUpper(name) == v.String() {
			return v, nil
		}
		names[i] = v.String()
	}
	return 0, fmt.Errorf("unknown %s %q (want %s)", what, name, strings.Join(names, " or "))
}

// enumFromProto returns the name of v, or "" when v is not among values.
func enumFromProto[E protoEnum](v E, values []E) string {
	if slices.Contains(values, v) {
		return v.String()
	}
	return ""
}

func schemaToProto(project string, s *model.Schema) (*pb.Schema, error) {
	typ, err := enumToProto(s.Type, "schema type", schemaTypes)
	if err != nil {
		return nil, err
	}
	return &pb.Schema{
		Name:       model.FullName(project, model.KindSchema, s.Name),
		Type:       typ,
		Definition: s.Definition,
	}, nil
}

func schemaFromProto(p *pb.Schema) *model.Schema {
	id := shortID(model.KindSchema, p.GetName())
	return &model.Schema{
		Addr:       model.Address{Kind: model.KindSchema, Name: id},
		Name:       id,
		Type:       enumFromProto(p.GetType(), schemaTypes),
		Definition: p.GetDefinition(),
		RevisionID: p.GetRevisionId(),
	}
}

// ---- topics ----

func topicToProto(project string, t *model.Topic) (*pb.Topic, error) {
	p := &pb.Topic{
		Name:                     model.FullName(project, model.KindTopic, t.Name),
		Labels:                   labelsToProto(t.Labels),
		KmsKeyName:               t.KMSKeyName,
		MessageRetentionDuration: durToProto(t.MessageRetention),
	}
	if sp := t.StoragePolicy; sp != nil {
		p.MessageStoragePolicy = &pb.MessageStoragePolicy{
			AllowedPersistenceRegions: append([]string(nil), sp.AllowedPersistenceRegions...),
			EnforceInTransit:          sp.EnforceInTransit,
		}
	}
	if ss := t.Schema; ss != nil {
		enc, err := enumToProto(ss.Encoding, "schema encoding", encodings)
		if err != nil {
			return nil, err
		}
		p.SchemaSettings = &pb.SchemaSettings{
			Schema:          qualify(project, model.KindSchema, ss.Schema),
			Encoding:        enc,
			FirstRevisionId: ss.FirstRevisionID,
			LastRevisionId:  ss.LastRevisionID,
		}
	}
	if err := topicFeaturesToProto(t, p); err != nil {
		return nil, err
	}
	return p, nil
}

func topicFromProto(p *pb.Topic) *model.Topic { return topicFromProtoIn(p, nil) }

// topicFromProtoIn converts a topic, interning its labels in in.
func topicFromProtoIn(p *pb.Topic, in *interner) *model.Topic {
	id := shortID(model.KindTopic, p.GetName())
	t := &model.Topic{
		Addr:             model.Address{Kind: model.KindTopic, Name: id},
		Name:             id,
		Labels:           in.labels(p.GetLabels()),
		MessageRetention: durFromProto(p.GetMessageRetentionDuration()),
		KMSKeyName:       p.GetKmsKeyName(),
	}
	if sp := p.GetMessageStoragePolicy(); sp != nil {
		t.StoragePolicy = &model.StoragePolicy{
			AllowedPersistenceRegions: append([]string(nil), sp.GetAllowedPersistenceRegions()...),
			EnforceInTransit:          sp.GetEnforceInTransit(),
		}
	}
	if ss := p.GetSchemaSettings(); ss != nil {
		t.Schema = &model.SchemaSettings{
			Schema:          ss.GetSchema(),
			Encoding:        enumFromProto(ss.GetEncoding(), encodings),
			FirstRevisionID: ss.GetFirstRevisionId(),
			LastRevisionID:  ss.GetLastRevisionId(),
		}
	}
	t.Ingestion = ingestionFromProto(p.GetIngestionDataSourceSettings())
	t.Transforms = transformsFromProto(p.GetMessageTransforms())
	t.Tags = tagsFromProto(p.GetTags())
	return t
}

// ---- subscriptions ----

func subToProto(project string, s *model.Subscription) (*pb.Subscription, error) {
	if s.AckDeadline%time.Second != 0 || s.AckDeadline < 0 {
		return nil, fmt.Errorf("ack deadline %s is not a whole number of seconds", s.AckDeadline)
	}
	p := &pb.Subscription{
		Name:                      model.FullName(project, model.KindSubscription, s.Name),
		Topic:                     qualify(project, model.KindTopic, s.Topic),
		AckDeadlineSeconds:        int32(s.AckDeadline / time.Second),
		RetainAckedMessages:       s.RetainAckedMessages,
		MessageRetentionDuration:  durToProto(s.MessageRetention),
		Labels:                    labelsToProto(s.Labels),
		EnableMessageOrdering:     s.EnableMessageOrdering,
		ExpirationPolicy:          expirationToProto(s.Expiration),
		Filter:                    s.Filter,
		EnableExactlyOnceDelivery: s.EnableExactlyOnceDelivery,
		PushConfig:                pushToProto(s.Push),
	}
	if rp := s.RetryPolicy; rp != nil {
		p.RetryPolicy = &pb.RetryPolicy{
			MinimumBackoff: durToProto(rp.MinimumBackoff),
			MaximumBackoff: durToProto(rp.MaximumBackoff),
		}
	}
	if dl := s.DeadLetter; dl != nil {
		p.DeadLetterPolicy = &pb.DeadLetterPolicy{
			DeadLetterTopic:     qualify(project, model.KindTopic, dl.Topic),
			MaxDeliveryAttempts: int32(dl.MaxDeliveryAttempts),
		}
	}
	if bq := s.BigQuery; bq != nil {
		p.BigqueryConfig = &pb.BigQueryConfig{
			Table:               bq.Table,
			UseTopicSchema:      bq.UseTopicSchema,
			UseTableSchema:      bq.UseTableSchema,
			WriteMetadata:       bq.WriteMetadata,
			DropUnknownFields:   bq.DropUnknownFields,
			ServiceAccountEmail: bq.ServiceAccount,
		}
	}
	if cs := s.CloudStorage; cs != nil {
		c := &pb.CloudStorageConfig{
			Bucket:                 cs.Bucket,
			FilenamePrefix:         cs.FilenamePrefix,
			FilenameSuffix:         cs.FilenameSuffix,
			FilenameDatetimeFormat: cs.FilenameDatetimeFormat,
			MaxDuration:            durToProto(cs.MaxDuration),
			MaxBytes:               cs.MaxBytes,
			MaxMessages:            cs.MaxMessages,
			ServiceAccountEmail:    cs.ServiceAccount,
		}
		if a := cs.Avro; a != nil {
			c.OutputFormat = &pb.CloudStorageConfig_AvroConfig_{AvroConfig: &pb.CloudStorageConfig_AvroConfig{
				WriteMetadata:  a.WriteMetadata,
				UseTopicSchema: a.UseTopicSchema,
			}}
		} else {
			c.OutputFormat = &pb.CloudStorageConfig_TextConfig_{TextConfig: &pb.CloudStorageConfig_TextConfig{}}
		}
		p.CloudStorageConfig = c
	}
	if err := subFeaturesToProto(s, p); err != nil {
		return nil, err
	}
	return p, nil
}

// expirationToProto: never → a policy without ttl; a TTL → that TTL; the
// zero Expiration → no policy (the service's default of 31 days).
func expirationToProto(e model.Expiration) *pb.ExpirationPolicy {
	switch {
	case e.Never:
		return &pb.ExpirationPolicy{}
	case e.TTL > 0:
		return &pb.ExpirationPolicy{Ttl: durationpb.New(e.TTL)}
	}
	return nil
}

func expirationFromProto(p *pb.ExpirationPolicy) model.Expiration {
	if p == nil {
		return model.Expiration{TTL: model.SubExpiration.ServerDefault}
	}
	if d := durFromProto(p.GetTtl()); d > 0 {
		return model.Expiration{TTL: d}
	}
	return model.Expiration{Never: true}
}

// pushToProto converts a push configuration; nil (pull) becomes nil, which
// callers that switch push → pull replace with an empty PushConfig.
func pushToProto(pc *model.PushConfig) *pb.PushConfig {
	if pc == nil {
		return nil
	}
	p := &pb.PushConfig{
		PushEndpoint: pc.Endpoint,
		Attributes:   labelsToProto(pc.Attributes),
	}
	if o := pc.OIDC; o != nil {
		p.AuthenticationMethod = &pb.PushConfig_OidcToken_{OidcToken: &pb.PushConfig_OidcToken{
			ServiceAccountEmail: o.ServiceAccount,
			Audience:            o.Audience,
		}}
	}
	if nw := pc.NoWrapper; nw != nil {
		p.Wrapper = &pb.PushConfig_NoWrapper_{NoWrapper: &pb.PushConfig_NoWrapper{WriteMetadata: nw.WriteMetadata}}
	} else {
		p.Wrapper = &pb.PushConfig_PubsubWrapper_{PubsubWrapper: &pb.PushConfig_PubsubWrapper{}}
	}
	return p
}

func pushFromProto(p *pb.PushConfig) *model.PushConfig {
	if p == nil || p.GetPushEndpoint() == "" {
		return nil // pull
	}
	pc := &model.PushConfig{Endpoint: p.GetPushEndpoint()}
	if len(p.GetAttributes()) > 0 {
		pc.Attributes = copyLabels(p.GetAttributes())
	}
	if o := p.GetOidcToken(); o != nil {
		pc.OIDC = &model.OIDCToken{ServiceAccount: o.GetServiceAccountEmail(), Audience: o.GetAudience()}
	}
	if nw := p.GetNoWrapper(); nw != nil {
		pc.NoWrapper = &model.NoWrapper{WriteMetadata: nw.GetWriteMetadata()}
	}
	return pc
}

func subFromProto(p *pb.Subscription) *model.Subscription { return subFromProtoIn(p, nil) }

// subFromProtoIn converts a subscription, interning its labels in in.
func subFromProtoIn(p *pb.Subscription, in *interner) *model.Subscription {
	id := shortID(model.KindSubscription, p.GetName())
	s := &model.Subscription{
		Addr:                      model.Address{Kind: model.KindSubscription, Name: id},
		Name:                      id,
		Topic:                     p.GetTopic(),
		AckDeadline:               time.Duration(p.GetAckDeadlineSeconds()) * time.Second,
		MessageRetention:          durFromProto(p.GetMessageRetentionDuration()),
		RetainAckedMessages:       p.GetRetainAckedMessages(),
		Expiration:                expirationFromProto(p.GetExpirationPolicy()),
		Filter:                    p.GetFilter(),
		EnableMessageOrdering:     p.GetEnableMessageOrdering(),
		EnableExactlyOnceDelivery: p.GetEnableExactlyOnceDelivery(),
		Push:                      pushFromProto(p.GetPushConfig()),
		Labels:                    in.labels(p.GetLabels()),
		Detached:                  p.GetDetached(),
	}
	if s.AckDeadline == 0 {
		s.AckDeadline = model.SubAckDeadline.ServerDefault
	}
	if s.MessageRetention == 0 {
		s.MessageRetention = model.SubMessageRetention.ServerDefault
	}
	if rp := p.GetRetryPolicy(); rp != nil {
		s.RetryPolicy = &model.RetryPolicy{
			MinimumBackoff: durFromProto(rp.GetMinimumBackoff()),
			MaximumBackoff: durFromProto(rp.GetMaximumBackoff()),
		}
	}
	if dl := p.GetDeadLetterPolicy(); dl != nil {
		s.DeadLetter = &model.DeadLetter{
			Topic:               dl.GetDeadLetterTopic(),
			MaxDeliveryAttempts: int(dl.GetMaxDeliveryAttempts()),
		}
		if s.DeadLetter.MaxDeliveryAttempts == 0 {
			s.DeadLetter.MaxDeliveryAttempts = int(model.SubMaxDeliveryAttempts.ServerDefaultCount)
		}
	}
	if bq := p.GetBigqueryConfig(); bq != nil {
		s.BigQuery = &model.BigQueryConfig{
			Table:             bq.GetTable(),
			UseTopicSchema:    bq.GetUseTopicSchema(),
			UseTableSchema:    bq.GetUseTableSchema(),
			WriteMetadata:     bq.GetWriteMetadata(),
			DropUnknownFields: bq.GetDropUnknownFields(),
			ServiceAccount:    bq.GetServiceAccountEmail(),
		}
	}
	if cs := p.GetCloudStorageConfig(); cs != nil {
		c := &model.CloudStorageConfig{
			Bucket:                 cs.GetBucket(),
			FilenamePrefix:         cs.GetFilenamePrefix(),
			FilenameSuffix:         cs.GetFilenameSuffix(),
			FilenameDatetimeFormat: cs.GetFilenameDatetimeFormat(),
			MaxDuration:            durFromProto(cs.GetMaxDuration()),
			MaxBytes:               cs.GetMaxBytes(),
			MaxMessages:            cs.GetMaxMessages(),
			ServiceAccount:         cs.GetServiceAccountEmail(),
		}
		if a := cs.GetAvroConfig(); a != nil {
			c.Avro = &model.AvroConfig{WriteMetadata: a.GetWriteMetadata(), UseTopicSchema: a.GetUseTopicSchema()}
		} else {
			c.Text = true // text_config, or no output format: text is the default
		}
		s.CloudStorage = c
	}
	s.Bigtable = bigtableFromProto(p.GetBigtableConfig())
	s.Transforms = transformsFromProto(p.GetMessageTransforms())
	s.Tags = tagsFromProto(p.GetTags())
	return s
}

// ---- IAM ----

func policyToProto(p *model.Policy) (*iampb.Policy, error) {
	out := &iampb.Policy{Version: int32(p.Version)}
	if p.Etag != "" {
		etag, err := base64.StdEncoding.DecodeString(p.Etag)
		if err != nil {
			return nil, fmt.Errorf("invalid policy etag %q: %v", p.Etag, err)
		}
		out.Etag = etag
	}
	for _, b := range p.Bindings {
		pbb := &iampb.Binding{Role: b.Role, Members: append([]string(nil), b.Members...)}
		if b.Condition != "" {
			pbb.Condition = &expr.Expr{Expression: b.Condition}
			out.Version = 3 // conditional bindings need policy version 3
		}
		out.Bindings = append(out.Bindings, pbb)
	}
	return out, nil
}

func policyFromProto(p *iampb.Policy) *model.Policy { return policyFromProtoIn(p, nil) }

// policyFromProtoIn converts a policy, interning its roles and members in
// in.
func policyFromProtoIn(p *iampb.Policy, in *interner) *model.Policy {
	out := &model.Policy{Version: int(p.GetVersion())}
	if len(p.GetEtag()) > 0 {
		out.Etag = base64.StdEncoding.EncodeToString(p.GetEtag())
	}
	if bs := p.GetBindings(); len(bs) > 0 {
		out.Bindings = make([]model.PolicyBinding, 0, len(bs))
	}
	for _, b := range p.GetBindings() {
		var members []string
		for _, m := range b.GetMembers() {
			members = append(members, in.str(m))
		}
		out.Bindings = append(out.Bindings, model.PolicyBinding{
			Role:      in.str(b.GetRole()),
			Members:   members,
			Condition: b.GetCondition().GetExpression(),
		})
	}
	return out
}
