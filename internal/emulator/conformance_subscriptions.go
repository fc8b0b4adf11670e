package emulator

import (
	"context"

	pb "cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/fieldmaskpb"
)

// --- subscriptions ---

// Mask paths of UpdateSubscription that the real service accepts.
var subMaskPaths = map[string]bool{
	"push_config": true, "bigquery_config": true, "cloud_storage_config": true,
	"ack_deadline_seconds": true, "retain_acked_messages": true, "message_retention_duration": true,
	"labels": true, "expiration_policy": true, "dead_letter_policy": true, "retry_policy": true,
	"enable_exactly_once_delivery": true, "message_transforms": true, "bigtable_config": true,
}

// Subscription fields that cannot change after creation.
var subImmutablePaths = map[string]bool{
	"name": true, "topic": true, "filter": true, "enable_message_ordering": true, "detached": true, "tags": true,
}

var subUpdate = updateRules{
	request: "UpdateSubscriptionRequest", resource: "subscription", kind: "Subscription",
	checkName: checkSubName, updatable: subMaskPaths, immutable: subImmutablePaths,
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
	"bigtable_config":            func(s *pb.Subscription) error { return checkBigtable(s.BigtableConfig) },
	"message_transforms":         func(s *pb.Subscription) error { return checkTransforms(s.MessageTransforms) },
	"tags":                       func(s *pb.Subscription) error { return checkTags(s.Tags) },
}

var subCreateOrder = []string{
	"ack_deadline_seconds", "message_retention_duration", "expiration_policy", "retry_policy",
	"dead_letter_policy", "push_config", "labels", "bigquery_config", "cloud_storage_config",
	"bigtable_config", "message_transforms", "tags",
}

func (c *conformance) createSubscription(ctx context.Context, s *pb.Subscription, next grpc.UnaryHandler) (any, error) {
	if err := checkSubName(s.Name); err != nil {
		return nil, err
	}
	if err := checkRef(s.Topic, "subscription", "topic", checkTopicName); err != nil {
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
	// Tags are input-only on the service; the emulator keeps and returns
	// them so that plans can show a tag change (a replace).
	return forward(ctx, next, s, c.fixSub)
}

func (c *conformance) getSubscription(ctx context.Context, r *pb.GetSubscriptionRequest, next grpc.UnaryHandler) (any, error) {
	if err := checkSubName(r.Subscription); err != nil {
		return nil, err
	}
	return forward(ctx, next, r, c.fixSub)
}

func (c *conformance) currentSub(ctx context.Context, name string) (*pb.Subscription, error) {
	cur, err := c.g.GetSubscription(ctx, &pb.GetSubscriptionRequest{Subscription: name})
	if err != nil {
		return nil, err
	}
	return c.fixSub(cur), nil
}

func (c *conformance) updateSubscription(ctx context.Context, r *pb.UpdateSubscriptionRequest, next grpc.UnaryHandler) (any, error) {
	if err := subUpdate.check(r.Subscription != nil, r.Subscription.GetName(), r.UpdateMask); err != nil {
		return nil, err
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
	return forward(ctx, next, r, c.fixSub)
}

func (c *conformance) listSubscriptions(ctx context.Context, r *pb.ListSubscriptionsRequest, next grpc.UnaryHandler) (any, error) {
	if err := checkProjectListing(r.Project, r.PageSize, r.PageToken); err != nil {
		return nil, err
	}
	return forward(ctx, next, r, func(resp *pb.ListSubscriptionsResponse) *pb.ListSubscriptionsResponse {
		out := proto.Clone(resp).(*pb.ListSubscriptionsResponse)
		fixEach(out.Subscriptions, c.fixSub)
		return out
	})
}

func (c *conformance) deleteSubscription(ctx context.Context, r *pb.DeleteSubscriptionRequest, next grpc.UnaryHandler) (any, error) {
	return c.deleteNamed(ctx, next, r, r.Subscription, checkSubName)
}

// modifyPushConfig implements ModifyPushConfig as an UpdateSubscription of
// push_config.
func (c *conformance) modifyPushConfig(ctx context.Context, r *pb.ModifyPushConfigRequest, _ grpc.UnaryHandler) (any, error) {
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

// --- snapshots ---
//
// The emulator has no snapshots. Reads answer as for a project without snapshots, so that
// tools that list or look them up work; creating one stays Unimplemented.

// errNoSnapshots answers CreateSnapshot and UpdateSnapshot.
var errNoSnapshots = status.Error(codes.Unimplemented, "snapshots are not supported by the embedded emulator")

func (c *conformance) listSnapshots(_ context.Context, r *pb.ListSnapshotsRequest, _ grpc.UnaryHandler) (any, error) {
	if err := checkProjectListing(r.Project, r.PageSize, r.PageToken); err != nil {
		return nil, err
	}
	return &pb.ListSnapshotsResponse{}, nil
}

// noSnapshot answers a request for one snapshot: the name is checked and,
// the emulator having no snapshots, the snapshot is not found.
func noSnapshot(name string) error {
	if _, _, err := parseResource(name, "snapshots"); err != nil {
		return err
	}
	return notFoundf("Snapshot not found: %s", name)
}

func (c *conformance) getSnapshot(_ context.Context, r *pb.GetSnapshotRequest, _ grpc.UnaryHandler) (any, error) {
	return nil, noSnapshot(r.Snapshot)
}

func (c *conformance) deleteSnapshot(_ context.Context, r *pb.DeleteSnapshotRequest, _ grpc.UnaryHandler) (any, error) {
	return nil, noSnapshot(r.Snapshot)
}

func (c *conformance) createSnapshot(_ context.Context, r *pb.CreateSnapshotRequest, _ grpc.UnaryHandler) (any, error) {
	if _, _, err := parseResource(r.Name, "snapshots"); err != nil {
		return nil, err
	}
	if err := checkSubName(r.Subscription); err != nil {
		return nil, err
	}
	return nil, errNoSnapshots
}

func (c *conformance) updateSnapshot(_ context.Context, _ *pb.UpdateSnapshotRequest, _ grpc.UnaryHandler) (any, error) {
	return nil, errNoSnapshots
}
