package emulator

import (
	"context"
	"sync"

	pb "cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"
	durpb "google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	"github.com/pubsubctl/pubsubctl/internal/emulator/engine"
)

const (
	publisherSvc  = "/google.pubsub.v1.Publisher/"
	subscriberSvc = "/google.pubsub.v1.Subscriber/"
	schemaSvc     = "/google.pubsub.v1.SchemaService/"
)

type unaryFunc func(ctx context.Context, req any, next grpc.UnaryHandler) (any, error)

// rpc makes the handler of one RPC, whose requests are of type R, an entry
// of the handlers table.
func rpc[R any](h func(ctx context.Context, r R, next grpc.UnaryHandler) (any, error)) unaryFunc {
	return func(ctx context.Context, req any, next grpc.UnaryHandler) (any, error) {
		return h(ctx, req.(R), next)
	}
}

// conformance validates requests before the engine sees them and fixes
// its responses, so that the emulator answers like the real service.
type conformance struct {
	s *Server
	g *engine.Server

	// schemaMu serializes schema check-then-act sequences (create if
	// absent, commit if present, topic references, delete).
	schemaMu sync.Mutex

	handlers map[string]unaryFunc
}

func newConformance(s *Server) *conformance {
	c := &conformance{
		s: s,
		g: s.eng,
	}
	c.handlers = map[string]unaryFunc{
		publisherSvc + "CreateTopic":            rpc(c.createTopic),
		publisherSvc + "GetTopic":               rpc(c.getTopic),
		publisherSvc + "UpdateTopic":            rpc(c.updateTopic),
		publisherSvc + "ListTopics":             rpc(c.listTopics),
		publisherSvc + "ListTopicSubscriptions": rpc(c.listTopicSubscriptions),
		publisherSvc + "ListTopicSnapshots":     rpc(c.listTopicSnapshots),
		publisherSvc + "DeleteTopic":            rpc(c.deleteTopic),
		publisherSvc + "DetachSubscription":     rpc(c.detachSubscription),
		publisherSvc + "Publish":                rpc(c.publish),

		subscriberSvc + "CreateSubscription": rpc(c.createSubscription),
		subscriberSvc + "GetSubscription":    rpc(c.getSubscription),
		subscriberSvc + "UpdateSubscription": rpc(c.updateSubscription),
		subscriberSvc + "ListSubscriptions":  rpc(c.listSubscriptions),
		subscriberSvc + "DeleteSubscription": rpc(c.deleteSubscription),
		subscriberSvc + "ModifyPushConfig":   rpc(c.modifyPushConfig),
		subscriberSvc + "Pull":               rpc(c.pull),
		subscriberSvc + "Acknowledge":        rpc(c.acknowledge),
		subscriberSvc + "ModifyAckDeadline":  rpc(c.modifyAckDeadline),
		subscriberSvc + "Seek":               rpc(c.seek),
		subscriberSvc + "ListSnapshots":      rpc(c.listSnapshots),
		subscriberSvc + "GetSnapshot":        rpc(c.getSnapshot),
		subscriberSvc + "DeleteSnapshot":     rpc(c.deleteSnapshot),
		subscriberSvc + "CreateSnapshot":     rpc(c.createSnapshot),
		subscriberSvc + "UpdateSnapshot":     rpc(c.updateSnapshot),

		schemaSvc + "CreateSchema":         rpc(c.createSchema),
		schemaSvc + "GetSchema":            rpc(c.getSchema),
		schemaSvc + "ListSchemas":          rpc(c.listSchemas),
		schemaSvc + "ListSchemaRevisions":  rpc(c.listSchemaRevisions),
		schemaSvc + "CommitSchema":         rpc(c.commitSchema),
		schemaSvc + "RollbackSchema":       rpc(c.rollbackSchema),
		schemaSvc + "DeleteSchemaRevision": rpc(c.deleteSchemaRevision),
		schemaSvc + "DeleteSchema":         rpc(c.deleteSchema),
		schemaSvc + "ValidateSchema":       rpc(c.validateSchema),
		schemaSvc + "ValidateMessage":      rpc(c.validateMessage),
	}
	return c
}

func (c *conformance) unary(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	if h, ok := c.handlers[info.FullMethod]; ok {
		return h(ctx, req, handler)
	}
	return handler(ctx, req)
}

// forward passes req on to the engine and, when it succeeds, returns its
// answer as after makes it over.
func forward[T any](ctx context.Context, next grpc.UnaryHandler, req any, after func(T) T) (any, error) {
	resp, err := next(ctx, req)
	if err != nil {
		return nil, err
	}
	return after(resp.(T)), nil
}

// checkProjectListing checks the project and the paging of a request that
// lists a project's topics, subscriptions or snapshots.
func checkProjectListing(project string, pageSize int32, pageToken string) error {
	if _, err := parseProject(project); err != nil {
		return err
	}
	_, err := checkPaging(pageSize, pageToken)
	return err
}

// deleteNamed handles a Delete request for the resource name: it checks
// the name, passes the request on to the engine and, once the resource is
// gone, forgets its IAM policy.
func (c *conformance) deleteNamed(ctx context.Context, next grpc.UnaryHandler, req any, name string, check func(string) error) (any, error) {
	if err := check(name); err != nil {
		return nil, err
	}
	resp, err := next(ctx, req)
	if err != nil {
		return nil, err
	}
	c.forget(name)
	return resp, nil
}

// forget drops the IAM policy of a deleted resource.
func (c *conformance) forget(name string) {
	c.s.iam.drop(name)
}

// --- response fix-ups ---

// fixEach replaces every element of list by what fix makes of it.
func fixEach[T any](list []T, fix func(T) T) {
	for i, x := range list {
		list[i] = fix(x)
	}
}

// fixTopic returns a copy of t (the engine hands out its stored protos) as
// the real service would return it.
func (c *conformance) fixTopic(t *pb.Topic) *pb.Topic {
	t = proto.Clone(t).(*pb.Topic)
	if t.State == pb.Topic_STATE_UNSPECIFIED {
		t.State = pb.Topic_ACTIVE
	}
	return t
}

// fixSub returns a copy of s with the server defaults filled in.
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
	return s
}

// updateRules say what the Update RPC of one kind of resource accepts.
type updateRules struct {
	request   string // "UpdateTopicRequest"
	resource  string // the request's field: "topic"
	kind      string // the message: "Topic"
	checkName func(string) error
	updatable map[string]bool // mask paths
	immutable map[string]bool // mask paths refused as immutable
}

// check checks an Update request: the resource is given (present), its
// name is valid and the update mask is non-empty and names only updatable
// fields.
func (u updateRules) check(present bool, name string, mask *fieldmaskpb.FieldMask) error {
	if !present {
		return invalidf("Invalid %s: %s is required", u.request, u.resource)
	}
	if mask == nil || len(mask.Paths) == 0 {
		return invalidf("Invalid update_mask provided in the %s: update_mask must be specified and non-empty", u.request)
	}
	if err := u.checkName(name); err != nil {
		return err
	}
	for _, p := range mask.Paths {
		if u.immutable[p] {
			return invalidf("Invalid update_mask provided in the %s: the %q field is immutable", u.request, p)
		}
		if !u.updatable[p] {
			return invalidf("Invalid update_mask provided in the %s: %q is not a known or updatable %s field", u.request, p, u.kind)
		}
	}
	return nil
}
