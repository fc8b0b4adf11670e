package emulator

import (
	"context"
	"slices"
	"strings"

	pb "cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"
)

// --- topics ---

func (c *conformance) createTopic(ctx context.Context, t *pb.Topic, next grpc.UnaryHandler) (any, error) {
	if err := checkTopic(t); err != nil {
		return nil, err
	}
	if err := checkTopicFeatures(t); err != nil {
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
	// Tags are input-only on the service; the emulator keeps and returns
	// them so that plans can show a tag change (a replace).
	return forward(ctx, next, t, c.fixTopic)
}

// checkSchemaRef checks a topic's schema settings; the caller holds schemaMu.
func (c *conformance) checkSchemaRef(ctx context.Context, ss *pb.SchemaSettings) error {
	if ss == nil {
		return nil
	}
	if err := checkRef(ss.Schema, "schema_settings", "schema", checkSchemaName); err != nil {
		return err
	}
	if _, ok := pb.Encoding_name[int32(ss.Encoding)]; !ok {
		return invalidf("Invalid schema_settings.encoding %d", ss.Encoding)
	}
	if err := c.mustSchemaExist(ctx, ss.Schema); err != nil {
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

func (c *conformance) getTopic(ctx context.Context, r *pb.GetTopicRequest, next grpc.UnaryHandler) (any, error) {
	if err := checkTopicName(r.Topic); err != nil {
		return nil, err
	}
	return forward(ctx, next, r, c.fixTopic)
}

// Mask paths of UpdateTopic that the real service accepts.
var topicMaskPaths = map[string]bool{
	"labels": true, "message_storage_policy": true, "message_retention_duration": true,
	"kms_key_name": true, "schema_settings": true, "schema_settings.schema": true,
	"schema_settings.encoding": true, "schema_settings.first_revision_id": true,
	"schema_settings.last_revision_id": true, "ingestion_data_source_settings": true,
	"message_transforms": true,
}

var topicUpdate = updateRules{
	request: "UpdateTopicRequest", resource: "topic", kind: "Topic",
	checkName: checkTopicName, updatable: topicMaskPaths,
}

func (c *conformance) updateTopic(ctx context.Context, r *pb.UpdateTopicRequest, next grpc.UnaryHandler) (any, error) {
	if err := topicUpdate.check(r.Topic != nil, r.Topic.GetName(), r.UpdateMask); err != nil {
		return nil, err
	}
	if _, err := c.g.GetTopic(ctx, &pb.GetTopicRequest{Topic: r.Topic.Name}); err != nil {
		return nil, err
	}
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
		case "ingestion_data_source_settings":
			if err := checkIngestion(r.Topic.IngestionDataSourceSettings); err != nil {
				return nil, err
			}
		case "message_transforms":
			if err := checkTransforms(r.Topic.MessageTransforms); err != nil {
				return nil, err
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
	return forward(ctx, next, r, c.fixTopic)
}

func (c *conformance) listTopics(ctx context.Context, r *pb.ListTopicsRequest, next grpc.UnaryHandler) (any, error) {
	if err := checkProjectListing(r.Project, r.PageSize, r.PageToken); err != nil {
		return nil, err
	}
	return forward(ctx, next, r, func(resp *pb.ListTopicsResponse) *pb.ListTopicsResponse {
		out := proto.Clone(resp).(*pb.ListTopicsResponse)
		fixEach(out.Topics, c.fixTopic)
		return out
	})
}

func (c *conformance) listTopicSubscriptions(ctx context.Context, r *pb.ListTopicSubscriptionsRequest, next grpc.UnaryHandler) (any, error) {
	if err := checkTopicName(r.Topic); err != nil {
		return nil, err
	}
	if _, err := checkPaging(r.PageSize, r.PageToken); err != nil {
		return nil, err
	}
	return next(ctx, r)
}

func (c *conformance) listTopicSnapshots(ctx context.Context, r *pb.ListTopicSnapshotsRequest, next grpc.UnaryHandler) (any, error) {
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

func (c *conformance) deleteTopic(ctx context.Context, r *pb.DeleteTopicRequest, next grpc.UnaryHandler) (any, error) {
	return c.deleteNamed(ctx, next, r, r.Topic, checkTopicName)
}

func (c *conformance) detachSubscription(ctx context.Context, r *pb.DetachSubscriptionRequest, next grpc.UnaryHandler) (any, error) {
	if err := checkSubName(r.Subscription); err != nil {
		return nil, err
	}
	return next(ctx, r)
}
