package emulator

import (
	"context"
	"slices"

	pb "cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"
	"google.golang.org/grpc"
)

// --- publish ---

func (c *conformance) publish(ctx context.Context, r *pb.PublishRequest, next grpc.UnaryHandler) (any, error) {
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

// --- pull, acknowledge, seek ---

// checkAckIDs checks what Acknowledge and ModifyAckDeadline requests share:
// the subscription and a non-empty ack_ids.
func checkAckIDs(request, sub string, ackIDs []string) error {
	if err := checkSubName(sub); err != nil {
		return err
	}
	if len(ackIDs) == 0 {
		return invalidf("Invalid %s: ack_ids must not be empty", request)
	}
	return nil
}

func (c *conformance) pull(ctx context.Context, r *pb.PullRequest, next grpc.UnaryHandler) (any, error) {
	if err := checkSubName(r.Subscription); err != nil {
		return nil, err
	}
	if err := checkPullMaxMessages(r.MaxMessages); err != nil {
		return nil, err
	}
	return next(ctx, r)
}

func (c *conformance) acknowledge(ctx context.Context, r *pb.AcknowledgeRequest, next grpc.UnaryHandler) (any, error) {
	if err := checkAckIDs("AcknowledgeRequest", r.Subscription, r.AckIds); err != nil {
		return nil, err
	}
	return next(ctx, r)
}

func (c *conformance) modifyAckDeadline(ctx context.Context, r *pb.ModifyAckDeadlineRequest, next grpc.UnaryHandler) (any, error) {
	if err := checkAckIDs("ModifyAckDeadlineRequest", r.Subscription, r.AckIds); err != nil {
		return nil, err
	}
	if r.AckDeadlineSeconds < 0 || r.AckDeadlineSeconds > maxAckDeadline {
		return nil, invalidf("Invalid ack_deadline_seconds %d: must be between 0 and %d", r.AckDeadlineSeconds, maxAckDeadline)
	}
	return next(ctx, r)
}

func (c *conformance) seek(ctx context.Context, r *pb.SeekRequest, next grpc.UnaryHandler) (any, error) {
	if err := checkSubName(r.Subscription); err != nil {
		return nil, err
	}
	if snap := r.GetSnapshot(); snap != "" {
		return nil, noSnapshot(snap)
	}
	return next(ctx, r)
}

// --- StreamingPull ---

func (c *conformance) stream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	if info.FullMethod != subscriberSvc+"StreamingPull" {
		return handler(srv, ss)
	}
	return handler(srv, &pullStream{ServerStream: ss, c: c})
}

// pullStream validates StreamingPull requests: modify_deadline_seconds
// must pair with modify_deadline_ack_ids.
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
