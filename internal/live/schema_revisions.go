package live

import (
	"context"

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
