package emulator

import (
	"context"
	"slices"
	"strings"
	"sync"

	pb "cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"
	"cloud.google.com/go/pubsub/v2/pstest"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	durpb "google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/fieldmaskpb"
)

const (
	publisherSvc  = "/google.pubsub.v1.Publisher/"
	subscriberSvc = "/google.pubsub.v1.Subscriber/"
	schemaSvc     = "/google.pubsub.v1.SchemaService/"
)

type unaryFunc func(ctx context.Context, req any, next grpc.UnaryHandler) (any, error)

// conformance validates requests before pstest sees them and fixes its
// responses, so that the emulator answers like the real service.
//
// Some state pstest cannot hold is kept here as overlays on its state:
// subscription retentions above pstest's 7-day limit, the detached flag,
// and KMS keys set by UpdateTopic (pstest rejects that mask path).
type conformance struct {
	s *Server
	g *pstest.GServer

	mu           sync.Mutex
	subRetention map[string]*durpb.Duration // real retention when > 7 days
	detached     map[string]bool
	topicKMS     map[string]string

	// schemaMu serializes schema check-then-act sequences (create if
	// absent, commit if present, topic references, delete).
	schemaMu sync.Mutex

	handlers map[string]unaryFunc
}

func newConformance(s *Server) *conformance {
	c := &conformance{
		s:            s,
		g:            &s.fake.GServer,
		subRetention: map[string]*durpb.Duration{},
		detached:     map[string]bool{},
		topicKMS:     map[string]string{},
	}
	c.handlers = map[string]unaryFunc{
		publisherSvc + "CreateTopic":            c.createTopic,
		publisherSvc + "GetTopic":               c.getTopic,
		publisherSvc + "UpdateTopic":            c.updateTopic,
		publisherSvc + "ListTopics":             c.listTopics,
		publisherSvc + "ListTopicSubscriptions": c.listTopicSubscriptions,
		publisherSvc + "ListTopicSnapshots":     c.listTopicSnapshots,
		publisherSvc + "DeleteTopic":            c.deleteTopic,
		publisherSvc + "DetachSubscription":     c.detachSubscription,
		publisherSvc + "Publish":                c.publish,

		subscriberSvc + "CreateSubscription": c.createSubscription,
		subscriberSvc + "GetSubscription":    c.getSubscription,
		subscriberSvc + "UpdateSubscription": c.updateSubscription,
		subscriberSvc + "ListSubscriptions":  c.listSubscriptions,
		subscriberSvc + "DeleteSubscription": c.deleteSubscription,
		subscriberSvc + "ModifyPushConfig":   c.modifyPushConfig,
		subscriberSvc + "Pull":               c.pull,
		subscriberSvc + "Acknowledge":        c.acknowledge,
		subscriberSvc + "ModifyAckDeadline":  c.modifyAckDeadline,
		subscriberSvc + "Seek":               c.seek,
		subscriberSvc + "ListSnapshots":      c.listSnapshots,
		subscriberSvc + "GetSnapshot":        c.getSnapshot,
		subscriberSvc + "DeleteSnapshot":     c.deleteSnapshot,
		subscriberSvc + "CreateSnapshot":     c.createSnapshot,
		subscriberSvc + "UpdateSnapshot":     c.updateSnapshot,

		schemaSvc + "CreateSchema":         c.createSchema,
		schemaSvc + "GetSchema":            c.getSchema,
		schemaSvc + "ListSchemas":          c.listSchemas,
		schemaSvc + "ListSchemaRevisions":  c.listSchemaRevisions,
		schemaSvc + "CommitSchema":         c.commitSchema,
		schemaSvc + "RollbackSchema":       c.rollbackSchema,
		schemaSvc + "DeleteSchemaRevision": c.deleteSchemaRevision,
		schemaSvc + "DeleteSchema":         c.deleteSchema,
		schemaSvc + "ValidateSchema":       c.validateSchema,
		schemaSvc + "ValidateMessage":      c.validateMessage,
	}
	return c
}

func (c *conformance) unary(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	if h, ok := c.handlers[info.FullMethod]; ok {
		return h(ctx, req, handler)
	}
	return handler(ctx, req)
}

// --- response fix-ups ---

// fixTopic returns a copy of t (pstest hands out its internal protos) as the
// real service would return it.
func (c *conformance) fixTopic(t *pb.Topic) *pb.Topic {
	t = proto.Clone(t).(*pb.Topic)
	if t.State == pb.Topic_STATE_UNSPECIFIED {
		t.State = pb.Topic_ACTIVE
	}
	c.mu.Lock()
	if k, ok := c.topicKMS[t.Name]; ok {
		t.KmsKeyName = k
	}
	c.mu.Unlock()
	return t
}

// fixSub returns a copy of s with the server defaults filled in and the
// overlays applied.
func (c *conformance) fixSub(s *pb.Subscription) *pb.Subscription {
	s = proto.Clone(s).(*pb.Subscription)
	if s.AckDeadlineSeconds == 0 {
		s.AckDeadlineSeconds = defaultAckDeadline
	}
	if s.MessageRetentionDuration == nil {
		s.MessageRetentionDuration = durpb.New(defaultSubRetention)
	}
	if s.ExpirationPolicy == nil {
		s.ExpirationPolicy = &pb.ExpirationPolicy{Ttl: durpb.New(defaultExpirationTTL)}
	}
	if dl := s.DeadLetterPolicy; dl != nil && dl.MaxDeliveryAttempts == 0 {
		dl.MaxDeliveryAttempts = defaultDeliveryAttempt
	}
	if rp := s.RetryPolicy; rp != nil {
		if rp.MinimumBackoff == nil {
			rp.MinimumBackoff = durpb.New(defaultMinimumBackoff)
		}
		if rp.MaximumBackoff == nil {
			rp.MaximumBackoff = durpb.New(defaultMaximumBackoff)
		}
	}
	if s.PushConfig == nil {
		s.PushConfig = &pb.PushConfig{}
	}
	if pc := s.PushConfig; pc.PushEndpoint != "" && pc.Attributes["x-goog-version"] == "" {
		if pc.Attributes == nil {
			pc.Attributes = map[string]string{}
		}
		pc.Attributes["x-goog-version"] = "v1"
	}
	c.mu.Lock()
	if r, ok := c.subRetention[s.Name]; ok {
		s.MessageRetentionDuration = proto.Clone(r).(*durpb.Duration)
	}
	if c.detached[s.Name] {
		s.Detached = true
	}
	c.mu.Unlock()
	return s
}

// --- topics ---

func (c *conformance) createTopic(ctx context.Context, req any, next grpc.UnaryHandler) (any, error) {
	t := req.(*pb.Topic)
	if err := checkTopic(t); err != nil {
		return nil, err
	}
	if t.SchemaSettings != nil {
		c.schemaMu.Lock()
		defer c.schemaMu.Unlock()
		if err := c.checkSchemaRef(ctx, t.SchemaSettings); err != nil {
			return nil, err
		}
	}
	t.State = pb.Topic_ACTIVE
	t.Tags = nil // input only
	resp, err := next(ctx, t)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	delete(c.topicKMS, t.Name)
	c.mu.Unlock()
	return c.fixTopic(resp.(*pb.Topic)), nil
}

// checkSchemaRef checks a topic's schema settings; the caller holds schemaMu.
func (c *conformance) checkSchemaRef(ctx context.Context, ss *pb.SchemaSettings) error {
	if ss == nil {
		return nil
	}
	if ss.Schema == "" {
		return invalidf("Invalid schema_settings: schema is required")
	}
	if err := checkSchemaName(ss.Schema); err != nil {
		return err
	}
	if _, ok := pb.Encoding_name[int32(ss.Encoding)]; !ok {
		return invalidf("Invalid schema_settings.encoding %d", ss.Encoding)
	}
	if _, err := c.g.GetSchema(ctx, &pb.GetSchemaRequest{Name: ss.Schema}); err != nil {
		if status.Code(err) == codes.NotFound {
			return notFoundf("Schema not found: %s", ss.Schema)
		}
		return err
	}
	for _, rev := range []string{ss.FirstRevisionId, ss.LastRevisionId} {
		if rev == "" {
			continue
		}
		if _, err := c.g.GetSchema(ctx, &pb.GetSchemaRequest{Name: ss.Schema + "@" + rev}); err != nil {
			return invalidf("Invalid schema_settings: revision %q of %s does not exist", rev, ss.Schema)
		}
	}
	return nil
}

func (c *conformance) getTopic(ctx context.Context, req any, next grpc.UnaryHandler) (any, error) {
	r := req.(*pb.GetTopicRequest)
	if err := checkTopicName(r.Topic); err != nil {
		return nil, err
	}
	resp, err := next(ctx, r)
	if err != nil {
		return nil, err
	}
	return c.fixTopic(resp.(*pb.Topic)), nil
}

// Mask paths pstest implements, plus kms_key_name which we emulate.
var topicMaskPaths = map[string]bool{
	"labels": true, "message_storage_policy": true, "message_retention_duration": true,
	"kms_key_name": true, "schema_settings": true, "schema_settings.schema": true,
	"schema_settings.encoding": true, "schema_settings.first_revision_id": true,
	"schema_settings.last_revision_id": true, "ingestion_data_source_settings": true,
	"message_transforms": true,
}

func checkMask(m *fieldmaskpb.FieldMask, request string) error {
	if m == nil || len(m.Paths) == 0 {
		return invalidf("Invalid update_mask provided in the %s: update_mask must be specified and non-empty", request)
	}
	return nil
}

func (c *conformance) updateTopic(ctx context.Context, req any, next grpc.UnaryHandler) (any, error) {
	r := req.(*pb.UpdateTopicRequest)
	if r.Topic == nil {
		return nil, invalidf("Invalid UpdateTopicRequest: topic is required")
	}
	if err := checkMask(r.UpdateMask, "UpdateTopicRequest"); err != nil {
		return nil, err
	}
	if err := checkTopicName(r.Topic.Name); err != nil {
		return nil, err
	}
	for _, p := range r.UpdateMask.Paths {
		if !topicMaskPaths[p] {
			return nil, invalidf("Invalid update_mask provided in the UpdateTopicRequest: %q is not a known or updatable Topic field", p)
		}
	}
	if _, err := c.g.GetTopic(ctx, &pb.GetTopicRequest{Topic: r.Topic.Name}); err != nil {
		return nil, err
	}
	var kms *string
	var paths []string
	for _, p := range r.UpdateMask.Paths {
		switch p {
		case "labels":
			if err := checkLabels(r.Topic.Labels); err != nil {
				return nil, err
			}
		case "message_storage_policy":
			if err := checkStoragePolicy(r.Topic.MessageStoragePolicy); err != nil {
				return nil, err
			}
		case "message_retention_duration":
			if d := r.Topic.MessageRetentionDuration; d != nil {
				if _, err := duration("message_retention_duration", d); err != nil {
					return nil, err
				}
			}
		case "kms_key_name":
			if err := checkKMSKey(r.Topic.KmsKeyName); err != nil {
				return nil, err
			}
			k := r.Topic.KmsKeyName
			kms = &k
			continue // pstest rejects this path: emulated by an overlay
		case "schema_settings.schema", "schema_settings.encoding",
			"schema_settings.first_revision_id", "schema_settings.last_revision_id":
			if r.Topic.SchemaSettings == nil { // pstest would dereference nil
				r.Topic.SchemaSettings = &pb.SchemaSettings{}
			}
		}
		paths = append(paths, p)
	}
	if slices.ContainsFunc(paths, func(p string) bool { return strings.HasPrefix(p, "schema_settings") }) {
		c.schemaMu.Lock()
		defer c.schemaMu.Unlock()
		ss := r.Topic.SchemaSettings
		if slices.Contains(paths, "schema_settings") || (ss != nil && ss.Schema != "") {
			if err := c.checkSchemaRef(ctx, ss); err != nil {
				return nil, err
			}
		}
	}
	var resp any
	var err error
	if len(paths) == 0 {
		resp, err = c.g.GetTopic(ctx, &pb.GetTopicRequest{Topic: r.Topic.Name})
	} else {
		r.UpdateMask.Paths = paths
		resp, err = next(ctx, r)
	}
	if err != nil {
		return nil, err
	}
	if kms != nil {
		c.mu.Lock()
		c.topicKMS[r.Topic.Name] = *kms
		c.mu.Unlock()
	}
	return c.fixTopic(resp.(*pb.Topic)), nil
}

func (c *conformance) listTopics(ctx context.Context, req any, next grpc.UnaryHandler) (any, error) {
	r := req.(*pb.ListTopicsRequest)
	if _, err := parseProject(r.Project); err != nil {
		return nil, err
	}
	if _, err := checkPaging(r.PageSize, r.PageToken); err != nil {
		return nil, err
	}
	// pstest matches names by prefix, so "projects/p" would also list
	// "projects/p2/..."; the collection prefix makes the match exact.
	r.Project += "/topics/"
	resp, err := next(ctx, r)
	if err != nil {
		return nil, err
	}
	out := proto.Clone(resp.(*pb.ListTopicsResponse)).(*pb.ListTopicsResponse)
	for i, t := range out.Topics {
		out.Topics[i] = c.fixTopic(t)
	}
	return out, nil
}

func (c *conformance) listTopicSubscriptions(ctx context.Context, req any, next grpc.UnaryHandler) (any, error) {
	r := req.(*pb.ListTopicSubscriptionsRequest)
	if err := checkTopicName(r.Topic); err != nil {
		return nil, err
	}
	from, err := checkPaging(r.PageSize, r.PageToken)
	if err != nil {
		return nil, err
	}
	if _, err := c.g.GetTopic(ctx, &pb.GetTopicRequest{Topic: r.Topic}); err != nil {
		return nil, err
	}
	all, err := next(ctx, &pb.ListTopicSubscriptionsRequest{Topic: r.Topic})
	if err != nil {
		return nil, err
	}
	// pstest also lists subscriptions orphaned by an earlier topic of the
	// same name; keep those whose topic is this one.
	var names []string
	for _, n := range all.(*pb.ListTopicSubscriptionsResponse).Subscriptions {
		if sub, err := c.g.GetSubscription(ctx, &pb.GetSubscriptionRequest{Subscription: n}); err == nil && sub.Topic == r.Topic {
			names = append(names, n)
		}
	}
	lo, hi, next2 := page(len(names), from, r.PageSize)
	return &pb.ListTopicSubscriptionsResponse{Subscriptions: names[lo:hi], NextPageToken: next2}, nil
}

func (c *conformance) listTopicSnapshots(ctx context.Context, req any, next grpc.UnaryHandler) (any, error) {
	r := req.(*pb.ListTopicSnapshotsRequest)
	if err := checkTopicName(r.Topic); err != nil {
		return nil, err
	}
	if _, err := checkPaging(r.PageSize, r.PageToken); err != nil {
		return nil, err
	}
	if _, err := c.g.GetTopic(ctx, &pb.GetTopicRequest{Topic: r.Topic}); err != nil {
		return nil, err
	}
	// The emulator has no snapshots.
	return &pb.ListTopicSnapshotsResponse{}, nil
}

func (c *conformance) deleteTopic(ctx context.Context, req any, next grpc.UnaryHandler) (any, error) {
	r := req.(*pb.DeleteTopicRequest)
	if err := checkTopicName(r.Topic); err != nil {
		return nil, err
	}
	resp, err := next(ctx, r)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	delete(c.topicKMS, r.Topic)
	c.mu.Unlock()
	c.s.iam.drop(r.Topic)
	return resp, nil
}

func (c *conformance) detachSubscription(ctx context.Context, req any, next grpc.UnaryHandler) (any, error) {
	r := req.(*pb.DetachSubscriptionRequest)
	if err := checkSubName(r.Subscription); err != nil {
		return nil, err
	}
	resp, err := next(ctx, r)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.detached[r.Subscription] = true
	c.mu.Unlock()
	return resp, nil
}

func (c *conformance) publish(ctx context.Context, req any, next grpc.UnaryHandler) (any, error) {
	r := req.(*pb.PublishRequest)
	if err := checkPublish(r); err != nil {
		return nil, err
	}
	if err := c.checkMessagesAgainstSchema(ctx, r); err != nil {
		return nil, err
	}
	return next(ctx, r)
}

// checkMessagesAgainstSchema rejects a publish to a topic with an Avro
// schema (JSON or binary encoding) when a message does not match any
// schema revision the topic accepts, as the real service does (pstest
// accepts anything). Protocol Buffer schemas are not checked.
func (c *conformance) checkMessagesAgainstSchema(ctx context.Context, r *pb.PublishRequest) error {
	t, err := c.g.GetTopic(ctx, &pb.GetTopicRequest{Topic: r.Topic})
	if err != nil {
		return nil // pstest answers (NotFound)
	}
	ss := t.GetSchemaSettings()
	if ss == nil || ss.Schema == "" || ss.Schema == "_deleted-schema_" || (ss.Encoding != pb.Encoding_JSON && ss.Encoding != pb.Encoding_BINARY) {
		return nil
	}
	c.schemaMu.Lock()
	resp, err := c.g.ListSchemaRevisions(ctx, &pb.ListSchemaRevisionsRequest{Name: ss.Schema, View: pb.SchemaView_FULL, PageSize: 1000})
	c.schemaMu.Unlock()
	if err != nil {
		return nil
	}
	revs := slices.Clone(resp.GetSchemas())
	slices.SortStableFunc(revs, func(a, b *pb.Schema) int {
		return a.GetRevisionCreateTime().AsTime().Compare(b.GetRevisionCreateTime().AsTime())
	})
	var schemas []*avroSchema
	in := ss.FirstRevisionId == ""
	for _, rev := range revs {
		if rev.RevisionId == ss.FirstRevisionId {
			in = true
		}
		if in {
			if rev.Type != pb.Schema_AVRO {
				return nil
			}
			as := newAvroSchema(rev.Definition)
			if as == nil {
				return nil
			}
			schemas = append(schemas, as)
		}
		if rev.RevisionId == ss.LastRevisionId {
			break
		}
	}
	if len(schemas) == 0 {
		return nil
	}
	for i, m := range r.Messages {
		ok := false
		for _, as := range schemas {
			if (ss.Encoding == pb.Encoding_JSON && as.validJSON(m.Data)) || (ss.Encoding == pb.Encoding_BINARY && as.validBinary(m.Data)) {
				ok = true
				break
			}
		}
		if !ok {
			return invalidf("Invalid data in message: Message failed schema validation. (message %d does not match the topic's Avro schema %s in %s encoding)", i, ss.Schema, ss.Encoding)
		}
	}
	return nil
}

// --- subscriptions ---

// Mask paths of UpdateSubscription that the real service accepts.
var subMaskPaths = map[string]bool{
	"push_config": true, "bigquery_config": true, "cloud_storage_config": true,
	"ack_deadline_seconds": true, "retain_acked_messages": true, "message_retention_duration": true,
	"labels": true, "expiration_policy": true, "dead_letter_policy": true, "retry_policy": true,
	"enable_exactly_once_delivery": true, "message_transforms": true,
}

// Subscription fields that cannot change after creation.
var subImmutablePaths = map[string]bool{
	"name": true, "topic": true, "filter": true, "enable_message_ordering": true, "detached": true, "tags": true,
}

// subNormalizers fill defaults and check ranges of one mask path.
var subNormalizers = map[string]func(*pb.Subscription) error{
	"ack_deadline_seconds":       normAckDeadline,
	"message_retention_duration": normRetention,
	"expiration_policy":          normExpiration,
	"retry_policy":               normRetry,
	"dead_letter_policy":         normDeadLetter,
	"push_config":                normPush,
	"labels":                     func(s *pb.Subscription) error { return checkLabels(s.Labels) },
	"bigquery_config":            func(s *pb.Subscription) error { return checkBigQuery(s.BigqueryConfig) },
	"cloud_storage_config":       func(s *pb.Subscription) error { return checkCloudStorage(s.CloudStorageConfig) },
}

var subCreateOrder = []string{
	"ack_deadline_seconds", "message_retention_duration", "expiration_policy", "retry_policy",
	"dead_letter_policy", "push_config", "labels", "bigquery_config", "cloud_storage_config",
}

// clampRetention stores at most 7 days in pstest (which rejects more) and
// returns the real retention to remember, or nil.
func clampRetention(s *pb.Subscription) *durpb.Duration {
	d := s.MessageRetentionDuration
	if d == nil || d.AsDuration() <= pstestMaxSubRetention {
		return nil
	}
	s.MessageRetentionDuration = durpb.New(pstestMaxSubRetention)
	return d
}

func (c *conformance) setRetention(name string, real *durpb.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if real == nil {
		delete(c.subRetention, name)
	} else {
		c.subRetention[name] = real
	}
}

func (c *conformance) createSubscription(ctx context.Context, req any, next grpc.UnaryHandler) (any, error) {
	s := req.(*pb.Subscription)
	if err := checkSubName(s.Name); err != nil {
		return nil, err
	}
	if s.Topic == "" {
		return nil, invalidf("Invalid subscription: topic is required")
	}
	if err := checkTopicName(s.Topic); err != nil {
		return nil, err
	}
	for _, f := range subCreateOrder {
		if err := subNormalizers[f](s); err != nil {
			return nil, err
		}
	}
	if err := checkSubscriptionWhole(s); err != nil {
		return nil, err
	}
	s.Detached = false
	s.Tags = nil // input only
	real := clampRetention(s)
	resp, err := next(ctx, s)
	if err != nil {
		return nil, err
	}
	c.setRetention(s.Name, real)
	c.mu.Lock()
	delete(c.detached, s.Name)
	c.mu.Unlock()
	return c.fixSub(resp.(*pb.Subscription)), nil
}

func (c *conformance) getSubscription(ctx context.Context, req any, next grpc.UnaryHandler) (any, error) {
	r := req.(*pb.GetSubscriptionRequest)
	if err := checkSubName(r.Subscription); err != nil {
		return nil, err
	}
	resp, err := next(ctx, r)
	if err != nil {
		return nil, err
	}
	return c.fixSub(resp.(*pb.Subscription)), nil
}

func (c *conformance) currentSub(ctx context.Context, name string) (*pb.Subscription, error) {
	cur, err := c.g.GetSubscription(ctx, &pb.GetSubscriptionRequest{Subscription: name})
	if err != nil {
		return nil, err
	}
	return c.fixSub(cur), nil
}

func (c *conformance) updateSubscription(ctx context.Context, req any, next grpc.UnaryHandler) (any, error) {
	r := req.(*pb.UpdateSubscriptionRequest)
	if r.Subscription == nil {
		return nil, invalidf("Invalid UpdateSubscriptionRequest: subscription is required")
	}
	if err := checkMask(r.UpdateMask, "UpdateSubscriptionRequest"); err != nil {
		return nil, err
	}
	if err := checkSubName(r.Subscription.Name); err != nil {
		return nil, err
	}
	for _, p := range r.UpdateMask.Paths {
		if subImmutablePaths[p] {
			return nil, invalidf("Invalid update_mask provided in the UpdateSubscriptionRequest: the %q field is immutable", p)
		}
		if !subMaskPaths[p] {
			return nil, invalidf("Invalid update_mask provided in the UpdateSubscriptionRequest: %q is not a known or updatable Subscription field", p)
		}
	}
	cur, err := c.currentSub(ctx, r.Subscription.Name)
	if err != nil {
		return nil, err
	}
	merged := proto.Clone(cur).(*pb.Subscription)
	mr, rr := merged.ProtoReflect(), r.Subscription.ProtoReflect()
	fields := mr.Descriptor().Fields()
	for _, p := range r.UpdateMask.Paths {
		if norm := subNormalizers[p]; norm != nil {
			if err := norm(r.Subscription); err != nil {
				return nil, err
			}
		}
		fd := fields.ByName(protoreflect.Name(p))
		if rr.Has(fd) {
			mr.Set(fd, rr.Get(fd))
		} else {
			mr.Clear(fd)
		}
	}
	if err := checkSubscriptionWhole(merged); err != nil {
		return nil, err
	}
	if dl := r.Subscription.DeadLetterPolicy; dl != nil && slices.Contains(r.UpdateMask.Paths, "dead_letter_policy") {
		// pstest stores the policy before it looks the topic up; a missing
		// topic would leave a policy without a topic and crash delivery.
		if _, err := c.g.GetTopic(ctx, &pb.GetTopicRequest{Topic: dl.DeadLetterTopic}); err != nil {
			return nil, err
		}
	}
	retentionPath := slices.Contains(r.UpdateMask.Paths, "message_retention_duration")
	real := clampRetention(r.Subscription)
	resp, err := next(ctx, r)
	if err != nil {
		return nil, err
	}
	if retentionPath {
		c.setRetention(r.Subscription.Name, real)
	}
	return c.fixSub(resp.(*pb.Subscription)), nil
}

func (c *conformance) listSubscriptions(ctx context.Context, req any, next grpc.UnaryHandler) (any, error) {
	r := req.(*pb.ListSubscriptionsRequest)
	if _, err := parseProject(r.Project); err != nil {
		return nil, err
	}
	if _, err := checkPaging(r.PageSize, r.PageToken); err != nil {
		return nil, err
	}
	r.Project += "/subscriptions/" // exact project match, see listTopics
	resp, err := next(ctx, r)
	if err != nil {
		return nil, err
	}
	out := proto.Clone(resp.(*pb.ListSubscriptionsResponse)).(*pb.ListSubscriptionsResponse)
	for i, s := range out.Subscriptions {
		out.Subscriptions[i] = c.fixSub(s)
	}
	return out, nil
}

func (c *conformance) deleteSubscription(ctx context.Context, req any, next grpc.UnaryHandler) (any, error) {
	r := req.(*pb.DeleteSubscriptionRequest)
	if err := checkSubName(r.Subscription); err != nil {
		return nil, err
	}
	resp, err := next(ctx, r)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	delete(c.subRetention, r.Subscription)
	delete(c.detached, r.Subscription)
	c.mu.Unlock()
	c.s.iam.drop(r.Subscription)
	return resp, nil
}

// modifyPushConfig implements ModifyPushConfig (pstest answers
// Unimplemented) as an UpdateSubscription of push_config.
func (c *conformance) modifyPushConfig(ctx context.Context, req any, _ grpc.UnaryHandler) (any, error) {
	r := req.(*pb.ModifyPushConfigRequest)
	if err := checkSubName(r.Subscription); err != nil {
		return nil, err
	}
	upd := &pb.UpdateSubscriptionRequest{
		Subscription: &pb.Subscription{Name: r.Subscription, PushConfig: r.PushConfig},
		UpdateMask:   &fieldmaskpb.FieldMask{Paths: []string{"push_config"}},
	}
	if _, err := c.updateSubscription(ctx, upd, func(ctx context.Context, req any) (any, error) {
		return c.g.UpdateSubscription(ctx, req.(*pb.UpdateSubscriptionRequest))
	}); err != nil {
		return nil, err
	}
	return &emptypb.Empty{}, nil
}

func (c *conformance) isDetached(name string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.detached[name]
}

func (c *conformance) pull(ctx context.Context, req any, next grpc.UnaryHandler) (any, error) {
	r := req.(*pb.PullRequest)
	if err := checkSubName(r.Subscription); err != nil {
		return nil, err
	}
	if err := checkPullMaxMessages(r.MaxMessages); err != nil {
		return nil, err
	}
	if c.isDetached(r.Subscription) {
		return nil, status.Errorf(codes.FailedPrecondition, "Subscription %s is detached", r.Subscription)
	}
	return next(ctx, r)
}

func (c *conformance) acknowledge(ctx context.Context, req any, next grpc.UnaryHandler) (any, error) {
	r := req.(*pb.AcknowledgeRequest)
	if err := checkSubName(r.Subscription); err != nil {
		return nil, err
	}
	if len(r.AckIds) == 0 {
		return nil, invalidf("Invalid AcknowledgeRequest: ack_ids must not be empty")
	}
	return next(ctx, r)
}

func (c *conformance) modifyAckDeadline(ctx context.Context, req any, next grpc.UnaryHandler) (any, error) {
	r := req.(*pb.ModifyAckDeadlineRequest)
	if err := checkSubName(r.Subscription); err != nil {
		return nil, err
	}
	if len(r.AckIds) == 0 {
		return nil, invalidf("Invalid ModifyAckDeadlineRequest: ack_ids must not be empty")
	}
	if r.AckDeadlineSeconds < 0 || r.AckDeadlineSeconds > maxAckDeadline {
		return nil, invalidf("Invalid ack_deadline_seconds %d: must be between 0 and %d", r.AckDeadlineSeconds, maxAckDeadline)
	}
	return next(ctx, r)
}

func (c *conformance) seek(ctx context.Context, req any, next grpc.UnaryHandler) (any, error) {
	r := req.(*pb.SeekRequest)
	if err := checkSubName(r.Subscription); err != nil {
		return nil, err
	}
	if snap := r.GetSnapshot(); snap != "" {
		if _, _, err := parseResource(snap, "snapshots"); err != nil {
			return nil, err
		}
		return nil, notFoundf("Snapshot not found: %s", snap)
	}
	return next(ctx, r)
}

// --- snapshots ---
//
// The emulator has no snapshots (pstest answers Unimplemented to every
// snapshot RPC). Reads answer as for a project without snapshots, so that
// tools that list or look them up work; creating one stays Unimplemented.

func (c *conformance) listSnapshots(_ context.Context, req any, _ grpc.UnaryHandler) (any, error) {
	r := req.(*pb.ListSnapshotsRequest)
	if _, err := parseProject(r.Project); err != nil {
		return nil, err
	}
	if _, err := checkPaging(r.PageSize, r.PageToken); err != nil {
		return nil, err
	}
	return &pb.ListSnapshotsResponse{}, nil
}

func (c *conformance) getSnapshot(_ context.Context, req any, _ grpc.UnaryHandler) (any, error) {
	r := req.(*pb.GetSnapshotRequest)
	if _, _, err := parseResource(r.Snapshot, "snapshots"); err != nil {
		return nil, err
	}
	return nil, notFoundf("Snapshot not found: %s", r.Snapshot)
}

func (c *conformance) deleteSnapshot(_ context.Context, req any, _ grpc.UnaryHandler) (any, error) {
	r := req.(*pb.DeleteSnapshotRequest)
	if _, _, err := parseResource(r.Snapshot, "snapshots"); err != nil {
		return nil, err
	}
	return nil, notFoundf("Snapshot not found: %s", r.Snapshot)
}

func (c *conformance) createSnapshot(_ context.Context, req any, _ grpc.UnaryHandler) (any, error) {
	r := req.(*pb.CreateSnapshotRequest)
	if _, _, err := parseResource(r.Name, "snapshots"); err != nil {
		return nil, err
	}
	if err := checkSubName(r.Subscription); err != nil {
		return nil, err
	}
	return nil, status.Error(codes.Unimplemented, "snapshots are not supported by the embedded emulator")
}

func (c *conformance) updateSnapshot(_ context.Context, _ any, _ grpc.UnaryHandler) (any, error) {
	return nil, status.Error(codes.Unimplemented, "snapshots are not supported by the embedded emulator")
}

// --- StreamingPull ---

func (c *conformance) stream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	if info.FullMethod != subscriberSvc+"StreamingPull" {
		return handler(srv, ss)
	}
	return handler(srv, &pullStream{ServerStream: ss, c: c})
}

// pullStream validates StreamingPull requests: pstest indexes
// modify_deadline_seconds by the position in modify_deadline_ack_ids in a
// goroutine of its own, where a mismatch would crash the process.
type pullStream struct {
	grpc.ServerStream
	c     *conformance
	first bool
}

func (p *pullStream) RecvMsg(m any) error {
	if err := p.ServerStream.RecvMsg(m); err != nil {
		return err
	}
	r, ok := m.(*pb.StreamingPullRequest)
	if !ok {
		return nil
	}
	if !p.first {
		p.first = true
		if err := checkSubName(r.Subscription); err != nil {
			return err
		}
		if r.StreamAckDeadlineSeconds < minAckDeadline || r.StreamAckDeadlineSeconds > maxAckDeadline {
			return invalidf("Invalid stream_ack_deadline_seconds %d: must be between %d and %d",
				r.StreamAckDeadlineSeconds, minAckDeadline, maxAckDeadline)
		}
		if p.c.isDetached(r.Subscription) {
			return status.Errorf(codes.FailedPrecondition, "Subscription %s is detached", r.Subscription)
		}
	} else if r.StreamAckDeadlineSeconds != 0 &&
		(r.StreamAckDeadlineSeconds < minAckDeadline || r.StreamAckDeadlineSeconds > maxAckDeadline) {
		return invalidf("Invalid stream_ack_deadline_seconds %d", r.StreamAckDeadlineSeconds)
	}
	if len(r.ModifyDeadlineSeconds) != len(r.ModifyDeadlineAckIds) {
		return invalidf("Invalid StreamingPullRequest: modify_deadline_seconds and modify_deadline_ack_ids must have the same length")
	}
	for _, d := range r.ModifyDeadlineSeconds {
		if d < 0 || d > maxAckDeadline {
			return invalidf("Invalid modify_deadline_seconds %d: must be between 0 and %d", d, maxAckDeadline)
		}
	}
	return nil
}

// --- schemas ---

func (c *conformance) schemaExists(ctx context.Context, name string) (bool, error) {
	_, err := c.g.GetSchema(ctx, &pb.GetSchemaRequest{Name: name})
	switch status.Code(err) {
	case codes.OK:
		return true, nil
	case codes.NotFound:
		return false, nil
	}
	return false, err
}

// applyView strips the definition for the BASIC view.
func applyView(s *pb.Schema, view pb.SchemaView) *pb.Schema {
	s = proto.Clone(s).(*pb.Schema)
	if view == pb.SchemaView_BASIC {
		s.Definition = ""
	}
	return s
}

func checkView(v pb.SchemaView) error {
	if _, ok := pb.SchemaView_name[int32(v)]; !ok {
		return invalidf("Invalid view %d", v)
	}
	return nil
}

func (c *conformance) createSchema(ctx context.Context, req any, next grpc.UnaryHandler) (any, error) {
	r := req.(*pb.CreateSchemaRequest)
	if _, err := parseProject(r.Parent); err != nil {
		return nil, err
	}
	if !validID(r.SchemaId) {
		return nil, invalidf("Invalid [schemas] name: (name=%s/schemas/%s)", r.Parent, r.SchemaId)
	}
	if err := checkSchemaBody(r.Schema); err != nil {
		return nil, err
	}
	name := r.Parent + "/schemas/" + r.SchemaId
	c.schemaMu.Lock()
	defer c.schemaMu.Unlock()
	ok, err := c.schemaExists(ctx, name)
	if err != nil {
		return nil, err
	}
	if ok {
		return nil, status.Errorf(codes.AlreadyExists, "Schema already exists: %s", name)
	}
	return next(ctx, r)
}

func (c *conformance) getSchema(ctx context.Context, req any, next grpc.UnaryHandler) (any, error) {
	r := req.(*pb.GetSchemaRequest)
	if err := checkSchemaRevName(r.Name, false); err != nil {
		return nil, err
	}
	if err := checkView(r.View); err != nil {
		return nil, err
	}
	resp, err := next(ctx, r)
	if err != nil {
		return nil, err
	}
	return applyView(resp.(*pb.Schema), r.View), nil
}

func listView(v pb.SchemaView) pb.SchemaView {
	if v == pb.SchemaView_SCHEMA_VIEW_UNSPECIFIED {
		return pb.SchemaView_BASIC
	}
	return v
}

// listSchemas is answered here: pstest ignores the parent, does not page
// and returns a random order.
func (c *conformance) listSchemas(ctx context.Context, req any, next grpc.UnaryHandler) (any, error) {
	r := req.(*pb.ListSchemasRequest)
	if _, err := parseProject(r.Parent); err != nil {
		return nil, err
	}
	if err := checkView(r.View); err != nil {
		return nil, err
	}
	from, err := checkPaging(r.PageSize, r.PageToken)
	if err != nil {
		return nil, err
	}
	resp, err := next(ctx, &pb.ListSchemasRequest{Parent: r.Parent})
	if err != nil {
		return nil, err
	}
	prefix := r.Parent + "/schemas/"
	var all []*pb.Schema
	for _, s := range resp.(*pb.ListSchemasResponse).Schemas {
		if strings.HasPrefix(s.Name, prefix) {
			all = append(all, s)
		}
	}
	slices.SortFunc(all, func(a, b *pb.Schema) int { return strings.Compare(a.Name, b.Name) })
	lo, hi, nextTok := page(len(all), from, r.PageSize)
	out := &pb.ListSchemasResponse{NextPageToken: nextTok}
	for _, s := range all[lo:hi] {
		out.Schemas = append(out.Schemas, applyView(s, listView(r.View)))
	}
	return out, nil
}

// listSchemaRevisions answers newest first, with paging, and NotFound for a
// missing schema (pstest: oldest first, empty list).
func (c *conformance) listSchemaRevisions(ctx context.Context, req any, next grpc.UnaryHandler) (any, error) {
	r := req.(*pb.ListSchemaRevisionsRequest)
	if err := checkSchemaName(r.Name); err != nil {
		return nil, err
	}
	if err := checkView(r.View); err != nil {
		return nil, err
	}
	from, err := checkPaging(r.PageSize, r.PageToken)
	if err != nil {
		return nil, err
	}
	ok, err := c.schemaExists(ctx, r.Name)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, notFoundf("Schema not found: %s", r.Name)
	}
	resp, err := next(ctx, &pb.ListSchemaRevisionsRequest{Name: r.Name})
	if err != nil {
		return nil, err
	}
	revs := slices.Clone(resp.(*pb.ListSchemaRevisionsResponse).Schemas)
	slices.Reverse(revs)
	lo, hi, nextTok := page(len(revs), from, r.PageSize)
	out := &pb.ListSchemaRevisionsResponse{NextPageToken: nextTok}
	for _, s := range revs[lo:hi] {
		out.Schemas = append(out.Schemas, applyView(s, listView(r.View)))
	}
	return out, nil
}

func (c *conformance) commitSchema(ctx context.Context, req any, next grpc.UnaryHandler) (any, error) {
	r := req.(*pb.CommitSchemaRequest)
	if err := checkSchemaName(r.Name); err != nil {
		return nil, err
	}
	if err := checkSchemaBody(r.Schema); err != nil {
		return nil, err
	}
	c.schemaMu.Lock()
	defer c.schemaMu.Unlock()
	ok, err := c.schemaExists(ctx, r.Name)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, notFoundf("Schema not found: %s", r.Name)
	}
	return next(ctx, r)
}

func (c *conformance) rollbackSchema(ctx context.Context, req any, next grpc.UnaryHandler) (any, error) {
	r := req.(*pb.RollbackSchemaRequest)
	if err := checkSchemaName(r.Name); err != nil {
		return nil, err
	}
	if r.RevisionId == "" {
		return nil, invalidf("Invalid RollbackSchemaRequest: revision_id is required")
	}
	return next(ctx, r)
}

func (c *conformance) deleteSchemaRevision(ctx context.Context, req any, next grpc.UnaryHandler) (any, error) {
	r := req.(*pb.DeleteSchemaRevisionRequest)
	if err := checkSchemaRevName(r.Name, true); err != nil {
		return nil, err
	}
	return next(ctx, r)
}

func (c *conformance) deleteSchema(ctx context.Context, req any, next grpc.UnaryHandler) (any, error) {
	r := req.(*pb.DeleteSchemaRequest)
	if err := checkSchemaName(r.Name); err != nil {
		return nil, err
	}
	c.schemaMu.Lock()
	defer c.schemaMu.Unlock()
	resp, err := next(ctx, r)
	if err != nil {
		return nil, err
	}
	c.s.iam.drop(r.Name)
	// Topics that used the schema now refer to "_deleted-schema_".
	if all, err := c.g.ListTopics(ctx, &pb.ListTopicsRequest{}); err == nil {
		for _, t := range all.Topics {
			if t.GetSchemaSettings().GetSchema() == r.Name {
				_, _ = c.g.UpdateTopic(ctx, &pb.UpdateTopicRequest{
					Topic:      &pb.Topic{Name: t.Name, SchemaSettings: &pb.SchemaSettings{Schema: deletedSchema}},
					UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"schema_settings.schema"}},
				})
			}
		}
	}
	return resp, nil
}

func (c *conformance) validateSchema(ctx context.Context, req any, next grpc.UnaryHandler) (any, error) {
	r := req.(*pb.ValidateSchemaRequest)
	if _, err := parseProject(r.Parent); err != nil {
		return nil, err
	}
	if err := checkSchemaBody(r.Schema); err != nil {
		return nil, err
	}
	return next(ctx, r)
}

func (c *conformance) validateMessage(ctx context.Context, req any, next grpc.UnaryHandler) (any, error) {
	r := req.(*pb.ValidateMessageRequest)
	if _, err := parseProject(r.Parent); err != nil {
		return nil, err
	}
	switch spec := r.SchemaSpec.(type) {
	case *pb.ValidateMessageRequest_Name:
		if err := checkSchemaRevName(spec.Name, false); err != nil {
			return nil, err
		}
	case *pb.ValidateMessageRequest_Schema:
		if err := checkSchemaBody(spec.Schema); err != nil {
			return nil, err
		}
	default:
		return nil, invalidf("Invalid ValidateMessageRequest: name or schema is required")
	}
	return next(ctx, r)
}
