package live

import (
	"context"
	"slices"

	pb "cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"
	"github.com/googleapis/gax-go/v2"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	"github.com/pubsubctl/pubsubctl/model"
)

// ---- schemas ----

// CreateSchema creates a schema and returns it as stored (with its first
// revision ID).
func (c *Client) CreateSchema(ctx context.Context, s *model.Schema) (*model.Schema, error) {
	full := model.FullName(c.project, model.KindSchema, s.Name)
	p, err := schemaToProto(c.project, s)
	if err != nil {
		return nil, &Error{Op: "create schema", Resource: full, Err: err}
	}
	req := &pb.CreateSchemaRequest{Parent: "projects/" + c.project, SchemaId: s.Name, Schema: p}
	return sendOnce(ctx, c, "create schema", full, c.schemas.CreateSchema, req, schemaFromProto)
}

// CommitSchema commits a new revision of a schema and returns it.
func (c *Client) CommitSchema(ctx context.Context, s *model.Schema) (*model.Schema, error) {
	full := model.FullName(c.project, model.KindSchema, s.Name)
	p, err := schemaToProto(c.project, s)
	if err != nil {
		return nil, &Error{Op: "commit schema", Resource: full, Err: err}
	}
	req := &pb.CommitSchemaRequest{Name: full, Schema: p}
	return sendOnce(ctx, c, "commit schema", full, c.schemas.CommitSchema, req, schemaFromProto)
}

// DeleteSchema deletes a schema and all its revisions. id may be an ID or
// a full name.
func (c *Client) DeleteSchema(ctx context.Context, id string) error {
	full := qualify(c.project, model.KindSchema, id)
	return c.once(ctx, "delete schema", full, func(ctx context.Context) error {
		return c.schemas.DeleteSchema(ctx, &pb.DeleteSchemaRequest{Name: full})
	})
}

// GetSchema reads a schema (latest revision, full view). NotFound passes
// through as a status error (see IsNotFound).
func (c *Client) GetSchema(ctx context.Context, id string) (*model.Schema, error) {
	full := qualify(c.project, model.KindSchema, id)
	return sendOnce(ctx, c, "get schema", full, c.schemas.GetSchema, &pb.GetSchemaRequest{Name: full, View: pb.SchemaView_FULL}, schemaFromProto)
}

// ---- topics ----

// CreateTopic creates a topic and returns it as stored.
func (c *Client) CreateTopic(ctx context.Context, t *model.Topic) (*model.Topic, error) {
	full := model.FullName(c.project, model.KindTopic, t.Name)
	p, err := topicToProto(c.project, t)
	if err != nil {
		return nil, &Error{Op: "create topic", Resource: full, Err: err}
	}
	return sendOnce(ctx, c, "create topic", full, c.topics.CreateTopic, p, topicFromProto)
}

// UpdateTopic changes the given configuration fields of a topic (the
// mutable rows of model.Fields; a sub-path updates its top-level field) to
// the values in t, and returns the topic as stored. A field whose value in
// t is unset is cleared.
func (c *Client) UpdateTopic(ctx context.Context, t *model.Topic, fields []string) (*model.Topic, error) {
	full := model.FullName(c.project, model.KindTopic, t.Name)
	paths, err := TopicMask(fields)
	if err != nil {
		return nil, &Error{Op: "update topic", Resource: full, Err: err}
	}
	p, err := topicToProto(c.project, t)
	if err != nil {
		return nil, &Error{Op: "update topic", Resource: full, Err: err}
	}
	req := &pb.UpdateTopicRequest{Topic: p, UpdateMask: &fieldmaskpb.FieldMask{Paths: paths}}
	return sendOnce(ctx, c, "update topic", full, c.topics.UpdateTopic, req, topicFromProto)
}

// DeleteTopic deletes a topic; its subscriptions survive with topic
// "_deleted-topic_". id may be an ID or a full name.
func (c *Client) DeleteTopic(ctx context.Context, id string) error {
	full := qualify(c.project, model.KindTopic, id)
	return c.once(ctx, "delete topic", full, func(ctx context.Context) error {
		return c.topics.DeleteTopic(ctx, &pb.DeleteTopicRequest{Topic: full})
	})
}

// GetTopic reads a topic. NotFound passes through as a status error (see
// IsNotFound).
func (c *Client) GetTopic(ctx context.Context, id string) (*model.Topic, error) {
	full := qualify(c.project, model.KindTopic, id)
	return sendOnce(ctx, c, "get topic", full, c.topics.GetTopic, &pb.GetTopicRequest{Topic: full}, topicFromProto)
}

// ---- subscriptions ----

// CreateSubscription creates a subscription and returns it as stored.
// s.Topic and s.DeadLetter.Topic may be IDs in the client's project or
// full names.
func (c *Client) CreateSubscription(ctx context.Context, s *model.Subscription) (*model.Subscription, error) {
	full := model.FullName(c.project, model.KindSubscription, s.Name)
	p, err := subToProto(c.project, s)
	if err != nil {
		return nil, &Error{Op: "create subscription", Resource: full, Err: err}
	}
	return sendOnce(ctx, c, "create subscription", full, c.subs.CreateSubscription, p, subFromProto)
}

// UpdateSubscription changes the given configuration fields of a
// subscription (the mutable rows of model.Fields; a sub-path updates its
// top-level field) to the values in s and returns it as stored. Immutable
// fields are refused. Updating push with s.Push nil switches the
// subscription to pull.
func (c *Client) UpdateSubscription(ctx context.Context, s *model.Subscription, fields []string) (*model.Subscription, error) {
	full := model.FullName(c.project, model.KindSubscription, s.Name)
	paths, err := SubscriptionMask(fields)
	if err != nil {
		return nil, &Error{Op: "update subscription", Resource: full, Err: err}
	}
	p, err := subToProto(c.project, s)
	if err != nil {
		return nil, &Error{Op: "update subscription", Resource: full, Err: err}
	}
	if p.PushConfig == nil && slices.Contains(paths, "push_config") {
		p.PushConfig = &pb.PushConfig{} // an empty push config means pull
	}
	req := &pb.UpdateSubscriptionRequest{Subscription: p, UpdateMask: &fieldmaskpb.FieldMask{Paths: paths}}
	return sendOnce(ctx, c, "update subscription", full, c.subs.UpdateSubscription, req, subFromProto)
}

// DeleteSubscription deletes a subscription (and its backlog). id may be an
// ID or a full name.
func (c *Client) DeleteSubscription(ctx context.Context, id string) error {
	full := qualify(c.project, model.KindSubscription, id)
	return c.once(ctx, "delete subscription", full, func(ctx context.Context) error {
		return c.subs.DeleteSubscription(ctx, &pb.DeleteSubscriptionRequest{Subscription: full})
	})
}

// GetSubscription reads a subscription. NotFound passes through as a status
// error (see IsNotFound).
func (c *Client) GetSubscription(ctx context.Context, id string) (*model.Subscription, error) {
	full := qualify(c.project, model.KindSubscription, id)
	return sendOnce(ctx, c, "get subscription", full, c.subs.GetSubscription, &pb.GetSubscriptionRequest{Subscription: full}, subFromProto)
}

// sendOnce makes a single attempt (see once) of rpc, a method of the
// generated clients, and converts its answer with from.
func sendOnce[Q, R, M any](ctx context.Context, c *Client, op, full string, rpc func(context.Context, Q, ...gax.CallOption) (R, error), req Q, from func(R) M) (M, error) {
	var resp R
	err := c.once(ctx, op, full, func(ctx context.Context) (err error) {
		resp, err = rpc(ctx, req)
		return err
	})
	if err != nil {
		var zero M
		return zero, err
	}
	return from(resp), nil
}
