package emulator

import (
	"context"
	"slices"
	"strings"

	pb "cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/fieldmaskpb"
)

// --- schemas ---

func (c *conformance) schemaExists(ctx context.Context, name string) (bool, error) {
	_, err := c.g.GetSchema(ctx, &pb.GetSchemaRequest{Name: name})
	return found(err)
}

// mustSchemaExist answers NotFound, in the service's words, for a missing
// schema.
func (c *conformance) mustSchemaExist(ctx context.Context, name string) error {
	_, err := c.g.GetSchema(ctx, &pb.GetSchemaRequest{Name: name})
	if status.Code(err) == codes.NotFound {
		return notFoundf("Schema not found: %s", name)
	}
	return err
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

func (c *conformance) createSchema(ctx context.Context, r *pb.CreateSchemaRequest, next grpc.UnaryHandler) (any, error) {
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

func (c *conformance) getSchema(ctx context.Context, r *pb.GetSchemaRequest, next grpc.UnaryHandler) (any, error) {
	if err := checkSchemaRevName(r.Name, false); err != nil {
		return nil, err
	}
	if err := checkView(r.View); err != nil {
		return nil, err
	}
	return forward(ctx, next, r, func(s *pb.Schema) *pb.Schema { return applyView(s, r.View) })
}

func listView(v pb.SchemaView) pb.SchemaView {
	if v == pb.SchemaView_SCHEMA_VIEW_UNSPECIFIED {
		return pb.SchemaView_BASIC
	}
	return v
}

// checkSchemaListing checks the view and the paging of a list of schemas
// or revisions and returns where the page starts.
func checkSchemaListing(view pb.SchemaView, pageSize int32, pageToken string) (int, error) {
	if err := checkView(view); err != nil {
		return 0, err
	}
	return checkPaging(pageSize, pageToken)
}

// schemaPage returns the page of all that starts at from, in the list view
// of view, and the token of the next page.
func schemaPage(all []*pb.Schema, from int, pageSize int32, view pb.SchemaView) ([]*pb.Schema, string) {
	lo, hi, nextTok := page(len(all), from, pageSize)
	var out []*pb.Schema
	for _, s := range all[lo:hi] {
		out = append(out, applyView(s, listView(view)))
	}
	return out, nextTok
}

// listSchemas is answered here: pstest ignores the parent, does not page
// and returns a random order.
func (c *conformance) listSchemas(ctx context.Context, r *pb.ListSchemasRequest, next grpc.UnaryHandler) (any, error) {
	if _, err := parseProject(r.Parent); err != nil {
		return nil, err
	}
	from, err := checkSchemaListing(r.View, r.PageSize, r.PageToken)
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
	schemas, nextTok := schemaPage(all, from, r.PageSize, r.View)
	return &pb.ListSchemasResponse{Schemas: schemas, NextPageToken: nextTok}, nil
}

// listSchemaRevisions answers newest first, with paging, and NotFound for a
// missing schema (pstest: oldest first, empty list).
func (c *conformance) listSchemaRevisions(ctx context.Context, r *pb.ListSchemaRevisionsRequest, next grpc.UnaryHandler) (any, error) {
	if err := checkSchemaName(r.Name); err != nil {
		return nil, err
	}
	from, err := checkSchemaListing(r.View, r.PageSize, r.PageToken)
	if err != nil {
		return nil, err
	}
	if err := c.mustSchemaExist(ctx, r.Name); err != nil {
		return nil, err
	}
	resp, err := next(ctx, &pb.ListSchemaRevisionsRequest{Name: r.Name})
	if err != nil {
		return nil, err
	}
	revs := slices.Clone(resp.(*pb.ListSchemaRevisionsResponse).Schemas)
	slices.Reverse(revs)
	schemas, nextTok := schemaPage(revs, from, r.PageSize, r.View)
	return &pb.ListSchemaRevisionsResponse{Schemas: schemas, NextPageToken: nextTok}, nil
}

func (c *conformance) commitSchema(ctx context.Context, r *pb.CommitSchemaRequest, next grpc.UnaryHandler) (any, error) {
	if err := checkSchemaName(r.Name); err != nil {
		return nil, err
	}
	if err := checkSchemaBody(r.Schema); err != nil {
		return nil, err
	}
	c.schemaMu.Lock()
	defer c.schemaMu.Unlock()
	if err := c.mustSchemaExist(ctx, r.Name); err != nil {
		return nil, err
	}
	return next(ctx, r)
}

func (c *conformance) rollbackSchema(ctx context.Context, r *pb.RollbackSchemaRequest, next grpc.UnaryHandler) (any, error) {
	if err := checkSchemaName(r.Name); err != nil {
		return nil, err
	}
	if r.RevisionId == "" {
		return nil, invalidf("Invalid RollbackSchemaRequest: revision_id is required")
	}
	return next(ctx, r)
}

func (c *conformance) deleteSchemaRevision(ctx context.Context, r *pb.DeleteSchemaRevisionRequest, next grpc.UnaryHandler) (any, error) {
	if err := checkSchemaRevName(r.Name, true); err != nil {
		return nil, err
	}
	return next(ctx, r)
}

func (c *conformance) deleteSchema(ctx context.Context, r *pb.DeleteSchemaRequest, next grpc.UnaryHandler) (any, error) {
	if err := checkSchemaName(r.Name); err != nil {
		return nil, err
	}
	c.schemaMu.Lock()
	defer c.schemaMu.Unlock()
	resp, err := next(ctx, r)
	if err != nil {
		return nil, err
	}
	c.forget(r.Name)
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

func (c *conformance) validateSchema(ctx context.Context, r *pb.ValidateSchemaRequest, next grpc.UnaryHandler) (any, error) {
	if _, err := parseProject(r.Parent); err != nil {
		return nil, err
	}
	if err := checkSchemaBody(r.Schema); err != nil {
		return nil, err
	}
	return next(ctx, r)
}

func (c *conformance) validateMessage(ctx context.Context, r *pb.ValidateMessageRequest, next grpc.UnaryHandler) (any, error) {
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
