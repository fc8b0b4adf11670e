package live

import (
	"context"
	"slices"
	"time"

	pb "cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"
	"google.golang.org/api/iterator"

	"github.com/pubsubctl/pubsubctl/model"
)

// MaxSchemaRevisions is how many revisions Pub/Sub keeps of one schema: a
// commit beyond it fails until older revisions are deleted.
const MaxSchemaRevisions = 20

// SchemaRevisionCount counts the revisions of a schema (ListSchemaRevisions,
// basic view: IDs only, not definitions), stopping once it has seen more
// than MaxSchemaRevisions. Read does not count revisions (it reads the
// latest of each schema); the plan asks only for schemas whose definition
// changes, so a plan stays one list call per kind otherwise.
func (c *Client) SchemaRevisionCount(ctx context.Context, id string) (int, error) {
	full := qualify(c.project, model.KindSchema, id)
	n := 0
	err := listPaged(ctx, c, nil, "list schema revisions", full, func(ctx context.Context, tok string, page *[]*pb.Schema) (string, error) {
		if n > MaxSchemaRevisions {
			return "", nil
		}
		it := c.schemas.ListSchemaRevisions(ctx, &pb.ListSchemaRevisionsRequest{Name: full, View: pb.SchemaView_BASIC, PageSize: 50, PageToken: tok})
		return iterator.NewPager(it, 50, tok).NextPage(page)
	}, func(*pb.Schema) { n++ })
	return n, err
}

// SchemaRevision is one revision of a schema.
type SchemaRevision struct {
	ID      string
	Created time.Time
	// Type and Definition are read with the full view only.
	Type       string
	Definition string
}

// SchemaRevisions lists every revision of a schema, oldest first (by
// revision_create_time; Pub/Sub lists them newest first, and that order
// breaks ties). full reads the definitions too (the full view); otherwise
// only IDs and creation times. A missing schema is a NotFound error.
func (c *Client) SchemaRevisions(ctx context.Context, id string, full bool) ([]SchemaRevision, error) {
	name := qualify(c.project, model.KindSchema, id)
	view := pb.SchemaView_BASIC
	if full {
		view = pb.SchemaView_FULL
	}
	var out []SchemaRevision
	err := listPaged(ctx, c, nil, "list schema revisions", name, func(ctx context.Context, tok string, page *[]*pb.Schema) (string, error) {
		it := c.schemas.ListSchemaRevisions(ctx, &pb.ListSchemaRevisionsRequest{Name: name, View: view, PageSize: 50, PageToken: tok})
		return iterator.NewPager(it, 50, tok).NextPage(page)
	}, func(p *pb.Schema) {
		r := SchemaRevision{ID: p.GetRevisionId(), Created: p.GetRevisionCreateTime().AsTime()}
		if full {
			r.Type, r.Definition = enumFromProto(p.GetType(), schemaTypes), p.GetDefinition()
		}
		out = append(out, r)
	})
	if err != nil {
		return nil, err
	}
	slices.Reverse(out)
	slices.SortStableFunc(out, func(a, b SchemaRevision) int { return a.Created.Compare(b.Created) })
	return out, nil
}

// DeleteSchemaRevision deletes one revision of a schema (Pub/Sub refuses
// to delete the last one left). NotFound passes through as a status error.
func (c *Client) DeleteSchemaRevision(ctx context.Context, id, revisionID string) error {
	full := qualify(c.project, model.KindSchema, id) + "@" + revisionID
	return c.once(ctx, "delete schema revision", full, func(ctx context.Context) error {
		_, err := c.schemas.DeleteSchemaRevision(ctx, &pb.DeleteSchemaRevisionRequest{Name: full})
		return err
	})
}
