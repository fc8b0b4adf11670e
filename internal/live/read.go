package live

import (
	"context"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	iampb "cloud.google.com/go/iam/apiv1/iampb"
	pb "cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"
	"golang.org/x/sync/errgroup"
	"google.golang.org/api/iterator"
	"google.golang.org/grpc/codes"

	"github.com/googleapis/gax-go/v2"

	"github.com/pubsubctl/pubsubctl/model"
)

// ReadOptions select what Read reads besides the resources themselves.
type ReadOptions struct {
	// IAMFor selects the resources whose IAM policy is read (full names).
	// nil reads no policy.
	IAMFor func(kind model.Kind, fullName string) bool
	// Elsewhere are full names of resources in other projects (a
	// dead-letter topic kept elsewhere) whose policies are read as well;
	// one that does not exist is left out of State.Policies.
	Elsewhere []string
	// Progress, when not nil, is updated as the read goes: resources
	// listed, and policies to read and read. Another goroutine may watch it
	// (a status line on a terminal).
	Progress *ReadProgress
	// RPCs, when not nil, receives the number of RPCs this Read made, by
	// method, retries included (other calls sharing the client are not
	// counted).
	RPCs map[string]int
}

// Read lists every schema, topic and subscription of the project (paged,
// page size 1000; never one Get per resource) and reads the IAM policies
// of the resources selected by ro.IAMFor, at most Options.Parallelism at a
// time.
func (c *Client) Read(ctx context.Context, ro ReadOptions) (*model.State, error) {
	ctx, rc := withCounter(ctx)
	parent := "projects/" + c.project
	// Each page is converted as it arrives and its protobufs dropped: only
	// the model form of the project is ever held, and the strings that
	// thousands of resources repeat (label keys and values) once.
	var (
		topics  []*model.Topic
		subs    []*model.Subscription
		schemas []*model.Schema
	)
	// Some emulators list by string prefix (projects/p also matches
	// projects/p2) or ignore the parent: keep this project's resources only.
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		in := newInterner()
		return listPaged(gctx, c, ro.Progress, "list topics", parent, func(ctx context.Context, tok string, page *[]*pb.Topic) (string, error) {
			it := c.topics.ListTopics(ctx, &pb.ListTopicsRequest{Project: parent, PageSize: pageSize, PageToken: tok})
			return iterator.NewPager(it, pageSize, tok).NextPage(page)
		}, func(p *pb.Topic) {
			if inProject(p.GetName(), parent, model.KindTopic) {
				topics = append(topics, topicFromProtoIn(p, in))
			}
		})
	})
	g.Go(func() error {
		in := newInterner()
		return listPaged(gctx, c, ro.Progress, "list subscriptions", parent, func(ctx context.Context, tok string, page *[]*pb.Subscription) (string, error) {
			it := c.subs.ListSubscriptions(ctx, &pb.ListSubscriptionsRequest{Project: parent, PageSize: pageSize, PageToken: tok})
			return iterator.NewPager(it, pageSize, tok).NextPage(page)
		}, func(p *pb.Subscription) {
			if inProject(p.GetName(), parent, model.KindSubscription) {
				subs = append(subs, subFromProtoIn(p, in))
			}
		})
	})
	g.Go(func() error {
		return listPaged(gctx, c, ro.Progress, "list schemas", parent, func(ctx context.Context, tok string, page *[]*pb.Schema) (string, error) {
			it := c.schemas.ListSchemas(ctx, &pb.ListSchemasRequest{Parent: parent, View: pb.SchemaView_FULL, PageSize: pageSize, PageToken: tok})
			return iterator.NewPager(it, pageSize, tok).NextPage(page)
		}, func(p *pb.Schema) {
			if inProject(p.GetName(), parent, model.KindSchema) {
				schemas = append(schemas, schemaFromProto(p))
			}
		})
	})
	if err := g.Wait(); err != nil {
		return nil, err
	}

	st := &model.State{Project: c.project, Policies: map[string]*model.Policy{}, IAMSupported: !c.iamUnsupported.Load(),
		Schemas: schemas, Topics: topics, Subscriptions: subs}
	sort.Slice(st.Schemas, func(i, j int) bool { return st.Schemas[i].Name < st.Schemas[j].Name })
	sort.Slice(st.Topics, func(i, j int) bool { return st.Topics[i].Name < st.Topics[j].Name })
	sort.Slice(st.Subscriptions, func(i, j int) bool { return st.Subscriptions[i].Name < st.Subscriptions[j].Name })

	if (ro.IAMFor != nil || len(ro.Elsewhere) > 0) && st.IAMSupported {
		if err := c.readPolicies(ctx, ro, st); err != nil {
			return nil, err
		}
	}
	if ro.RPCs != nil {
		for m, n := range rc.snapshot() {
			ro.RPCs[m] += n
		}
	}
	return st, nil
}

func inProject(name, parent string, k model.Kind) bool {
	rest, ok := strings.CutPrefix(name, parent+"/"+k.Collection()+"/")
	return ok && rest != "" && !strings.Contains(rest, "/")
}

// listPaged calls fetch page after page, retrying each page on its own,
// and hands each element of a page to each before it fetches the next, so
// that no more than one page of protobufs is held at a time.
func listPaged[T any](ctx context.Context, c *Client, progress *ReadProgress, op, parent string, fetch func(ctx context.Context, tok string, page *[]T) (string, error), each func(T)) error {
	tok := ""
	var page []T
	for {
		var next string
		err := c.call(ctx, Read, op, parent, func(ctx context.Context) error {
			clear(page)
			page = page[:0]
			var err error
			next, err = fetch(ctx, tok, &page)
			return err
		})
		if err != nil {
			return err
		}
		for _, e := range page {
			each(e)
		}
		if progress != nil {
			progress.Listed.Add(int64(len(page)))
		}
		if next == "" {
			return nil
		}
		tok = next
	}
}

// ReadProgress counts what a Read has done so far.
type ReadProgress struct {
	Listed, PoliciesToRead, PoliciesRead atomic.Int64
}

type iamTarget struct {
	kind model.Kind
	name string
}

// readPolicies reads the policies of the selected resources. The first
// call probes for IAM support; an Unimplemented answer turns IAM off.
func (c *Client) readPolicies(ctx context.Context, ro ReadOptions, st *model.State) error {
	var targets []iamTarget
	add := func(k model.Kind, id string) {
		full := model.FullName(c.project, k, id)
		if ro.IAMFor != nil && ro.IAMFor(k, full) {
			targets = append(targets, iamTarget{k, full})
		}
	}
	for _, s := range st.Schemas {
		add(model.KindSchema, s.Name)
	}
	for _, t := range st.Topics {
		add(model.KindTopic, t.Name)
	}
	for _, s := range st.Subscriptions {
		add(model.KindSubscription, s.Name)
	}
	for _, full := range ro.Elsewhere {
		for _, k := range []model.Kind{model.KindTopic, model.KindSubscription, model.KindSchema} {
			if project, _, ok := model.SplitName(full, k); ok && project != c.project {
				targets = append(targets, iamTarget{k, full})
			}
		}
	}
	if len(targets) == 0 {
		// Nothing to read yet (an empty project), but the plan will set
		// policies: on an emulator, probe once whether it has IAM at all, so
		// that IAM is skipped with a warning instead of failing apply. The
		// probed topic never exists: an emulator with IAM answers NotFound.
		if c.emulator != "" {
			_, err := c.getPolicy(ctx, true, model.KindTopic, model.FullName(c.project, model.KindTopic, "pubsubctl-iam-probe"), nil)
			if Code(err) == codes.Unimplemented {
				st.IAMSupported = false
			}
		}
		return nil
	}
	var mu sync.Mutex
	store := func(name string, p *model.Policy) {
		mu.Lock()
		st.Policies[name] = p
		mu.Unlock()
	}
	in := newInterner()
	read := func(ctx context.Context, t iamTarget) (*model.Policy, error) {
		p, err := c.getPolicy(ctx, true, t.kind, t.name, in)
		if ro.Progress != nil {
			ro.Progress.PoliciesRead.Add(1)
		}
		return p, err
	}
	if ro.Progress != nil {
		ro.Progress.PoliciesToRead.Store(int64(len(targets)))
	}
	first, err := read(ctx, targets[0])
	switch {
	case Code(err) == codes.Unimplemented:
		st.IAMSupported = false
		return nil
	case IsNotFound(err):
	case err != nil:
		return err
	default:
		store(targets[0].name, first)
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(c.opts.Parallelism)
	for _, t := range targets[1:] {
		g.Go(func() error {
			p, err := read(gctx, t)
			switch {
			case IsNotFound(err): // deleted since it was listed
				return nil
			case err != nil:
				return err
			}
			store(t.name, p)
			return nil
		})
	}
	return g.Wait()
}

// GetPolicy reads the IAM policy of a resource (requested policy version
// 3) in a single attempt. On a target without IAM (the official emulator)
// the error has outcome Unsupported.
func (c *Client) GetPolicy(ctx context.Context, kind model.Kind, fullName string) (*model.Policy, error) {
	return c.getPolicy(ctx, false, kind, qualify(c.project, kind, fullName), nil)
}

// getPolicy reads a policy, retrying transient errors when retry is set
// (Read does; the single-attempt GetPolicy does not), and interning its
// roles and members in in (nil: not).
func (c *Client) getPolicy(ctx context.Context, retry bool, kind model.Kind, fullName string, in *interner) (*model.Policy, error) {
	req := &iampb.GetIamPolicyRequest{Resource: fullName, Options: &iampb.GetPolicyOptions{RequestedPolicyVersion: 3}}
	var resp *iampb.Policy
	call := c.once
	if retry {
		call = func(ctx context.Context, op, resource string, fn func(ctx context.Context) error) error {
			return c.call(ctx, Read, op, resource, fn)
		}
	}
	err := call(ctx, "get IAM policy of "+kind.String(), fullName, func(ctx context.Context) (err error) {
		resp, err = c.iamOf(kind).GetIamPolicy(ctx, req)
		return err
	})
	return c.policyResultIn(resp, err, in)
}

// iamMethods are the IAM methods every admin client has.
type iamMethods interface {
	GetIamPolicy(context.Context, *iampb.GetIamPolicyRequest, ...gax.CallOption) (*iampb.Policy, error)
	SetIamPolicy(context.Context, *iampb.SetIamPolicyRequest, ...gax.CallOption) (*iampb.Policy, error)
}

// iamOf returns the admin client that serves the IAM of kind.
func (c *Client) iamOf(kind model.Kind) iamMethods {
	switch kind {
	case model.KindTopic:
		return c.topics
	case model.KindSubscription:
		return c.subs
	}
	return c.schemas
}

// policyResult converts an IAM call's answer, remembering when the target
// has no IAM at all.
func (c *Client) policyResult(resp *iampb.Policy, err error) (*model.Policy, error) {
	return c.policyResultIn(resp, err, nil)
}

func (c *Client) policyResultIn(resp *iampb.Policy, err error, in *interner) (*model.Policy, error) {
	if err != nil {
		if Classify(err) == Unsupported {
			c.iamUnsupported.Store(true)
		}
		return nil, err
	}
	return policyFromProtoIn(resp, in), nil
}

// SetPolicy writes the IAM policy of a resource. It sends p.Etag, so a
// policy changed since it was read fails with Aborted (re-read, recompute
// and retry the whole read-modify-write); an empty Etag overwrites
// blindly. It returns the stored policy with its new etag.
func (c *Client) SetPolicy(ctx context.Context, kind model.Kind, fullName string, p *model.Policy) (*model.Policy, error) {
	fullName = qualify(c.project, kind, fullName)
	op := "set IAM policy of " + kind.String()
	pp, err := policyToProto(p)
	if err != nil {
		return nil, &Error{Op: op, Resource: fullName, Err: err}
	}
	req := &iampb.SetIamPolicyRequest{Resource: fullName, Policy: pp}
	var resp *iampb.Policy
	err = c.once(ctx, op, fullName, func(ctx context.Context) (err error) {
		resp, err = c.iamOf(kind).SetIamPolicy(ctx, req)
		return err
	})
	return c.policyResult(resp, err)
}

// IsUnimplemented reports whether err has code Unimplemented, as IAM calls
// do on targets without IAM.
func IsUnimplemented(err error) bool { return Code(err) == codes.Unimplemented }
