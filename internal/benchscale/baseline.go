package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	iampb "cloud.google.com/go/iam/apiv1/iampb"
	pubsub "cloud.google.com/go/pubsub/v2/apiv1"
	pb "cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"
	"github.com/googleapis/gax-go/v2"
	"golang.org/x/sync/errgroup"
	"google.golang.org/api/iterator"
	"google.golang.org/api/option"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

// Parallelism of the baseline: apply's (--parallelism 8) for mutations,
// plan's default (16) for policy reads.
const (
	createParallelism = 8
	readParallelism   = 16
	listPageSize      = 1000
)

// baseline is the direct-RPC work of one run, timed.
type baseline struct {
	listSecs   float64 // ListTopics + ListSubscriptions of everything (concurrently)
	getIAMSecs float64 // GetIamPolicy of the resources whose IAM pubsubctl manages
	createSecs float64 // CreateTopic, then CreateSubscription, then SetIamPolicy
	topics     int
	subs       int
	policies   int
	iamNote    string // why no policy was read, when none was
}

// readSecs is the baseline of a no-op plan: a List of everything and the
// policies it reads.
func (b baseline) readSecs() float64 { return b.listSecs + b.getIAMSecs }

// listing is what the baseline read: every topic and subscription of
// benchProject, and the policies pubsubctl manages.
type listing struct {
	topics   []*pb.Topic
	subs     []*pb.Subscription
	targets  []iamTarget
	policies map[string]*iampb.Policy
}

type iamTarget struct {
	name    string
	isTopic bool
}

// clients are the official Go client's admin clients on one emulator.
type clients struct {
	conn *grpc.ClientConn
	tc   *pubsub.TopicAdminClient
	sc   *pubsub.SubscriptionAdminClient
}

func dial(ctx context.Context, addr string) (*clients, error) {
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return nil, err
	}
	opts := []option.ClientOption{option.WithGRPCConn(conn), option.WithoutAuthentication()}
	tc, err := pubsub.NewTopicAdminClient(ctx, opts...)
	if err != nil {
		conn.Close()
		return nil, err
	}
	sc, err := pubsub.NewSubscriptionAdminClient(ctx, opts...)
	if err != nil {
		conn.Close()
		return nil, err
	}
	return &clients{conn: conn, tc: tc, sc: sc}, nil
}

// baselineReads lists project benchProject on the emulator at addr (the
// state plan reads) and reads the policies pubsubctl manages. Both are
// timed into b.
func baselineReads(ctx context.Context, addr string, s shape, b *baseline) (*listing, error) {
	c, err := dial(ctx, addr)
	if err != nil {
		return nil, err
	}
	defer c.conn.Close()
	tc, sc := c.tc, c.sc
	parent := "projects/" + benchProject
	l := &listing{policies: map[string]*iampb.Policy{}}

	// A List of everything, topics and subscriptions concurrently (as plan
	// does).
	start := time.Now()
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() (err error) {
		it := tc.ListTopics(gctx, &pb.ListTopicsRequest{Project: parent, PageSize: listPageSize})
		l.topics, err = listAll(it, parent+"/topics/", "topics")
		return err
	})
	g.Go(func() (err error) {
		it := sc.ListSubscriptions(gctx, &pb.ListSubscriptionsRequest{Project: parent, PageSize: listPageSize})
		l.subs, err = listAll(it, parent+"/subscriptions/", "subscriptions")
		return err
	})
	if err := g.Wait(); err != nil {
		return nil, err
	}
	b.listSecs = time.Since(start).Seconds()
	b.topics, b.subs = len(l.topics), len(l.subs)

	// GetIamPolicy of the resources whose IAM pubsubctl manages.
	for _, t := range l.topics {
		if s.managesIAM(true, lastSegment(t.GetName())) {
			l.targets = append(l.targets, iamTarget{t.GetName(), true})
		}
	}
	for _, x := range l.subs {
		if s.managesIAM(false, lastSegment(x.GetName())) {
			l.targets = append(l.targets, iamTarget{x.GetName(), false})
		}
	}
	if len(l.targets) == 0 {
		b.iamNote = "no managed IAM"
		return l, nil
	}
	var mu sync.Mutex
	start = time.Now()
	err = inParallel(ctx, readParallelism, l.targets, func(ctx context.Context, t iamTarget) error {
		req := &iampb.GetIamPolicyRequest{Resource: t.name, Options: &iampb.GetPolicyOptions{RequestedPolicyVersion: 3}}
		p, err := c.iamOf(t).GetIamPolicy(ctx, req)
		if err != nil {
			return fmt.Errorf("get IAM policy of %s: %w", t.name, err)
		}
		mu.Lock()
		l.policies[t.name] = p
		mu.Unlock()
		return nil
	})
	if err != nil {
		if status.Code(errors.Unwrap(err)) != codes.Unimplemented {
			return nil, err
		}
		b.iamNote = "this emulator has no IAM"
	}
	b.getIAMSecs = time.Since(start).Seconds()
	return l, nil
}

// listAll reads a List to the end and keeps what is named under prefix;
// what names the List in the error.
func listAll[T interface{ GetName() string }](it interface{ Next() (T, error) }, prefix, what string) ([]T, error) {
	var out []T
	for {
		x, err := it.Next()
		if errors.Is(err, iterator.Done) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("list %s: %w", what, err)
		}
		if strings.HasPrefix(x.GetName(), prefix) {
			out = append(out, x)
		}
	}
}

// inParallel calls fn on every item, limit at a time, and returns the
// first error (which cancels the ctx of the calls still to come).
func inParallel[T any](ctx context.Context, limit int, items []T, fn func(context.Context, T) error) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(limit)
	for _, x := range items {
		g.Go(func() error { return fn(gctx, x) })
	}
	return g.Wait()
}

// iamMethods are the IAM methods both admin clients have.
type iamMethods interface {
	GetIamPolicy(context.Context, *iampb.GetIamPolicyRequest, ...gax.CallOption) (*iampb.Policy, error)
	SetIamPolicy(context.Context, *iampb.SetIamPolicyRequest, ...gax.CallOption) (*iampb.Policy, error)
}

// iamOf returns the admin client that serves the IAM of t.
func (c *clients) iamOf(t iamTarget) iamMethods {
	if t.isTopic {
		return c.tc
	}
	return c.sc
}

// baselineCreates creates the same topics and subscriptions as l (copies
// of what apply created) on the fresh emulator at addr, then sets the same
// policies, createParallelism at a time, and times it into b.
func baselineCreates(ctx context.Context, addr string, l *listing, b *baseline) error {
	c, err := dial(ctx, addr)
	if err != nil {
		return err
	}
	defer c.conn.Close()
	start := time.Now()
	err = inParallel(ctx, createParallelism, l.topics, func(ctx context.Context, t *pb.Topic) error {
		t = proto.Clone(t).(*pb.Topic)
		t.State = 0 // output only
		if _, err := c.tc.CreateTopic(ctx, t); err != nil {
			return fmt.Errorf("create %s: %w", t.Name, err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	err = inParallel(ctx, createParallelism, l.subs, func(ctx context.Context, x *pb.Subscription) error {
		x = proto.Clone(x).(*pb.Subscription)
		// The embedded emulator lists a pull subscription with
		// push_config { pubsub_wrapper {} } but refuses that on create.
		if x.PushConfig.GetPushEndpoint() == "" {
			x.PushConfig = nil
		}
		// Output only.
		x.State = 0
		x.TopicMessageRetentionDuration = nil
		x.AnalyticsHubSubscriptionInfo = nil
		if _, err := c.sc.CreateSubscription(ctx, x); err != nil {
			return fmt.Errorf("create %s: %w", x.Name, err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	var withPolicy []iamTarget
	for _, t := range l.targets {
		if len(l.policies[t.name].GetBindings()) > 0 {
			withPolicy = append(withPolicy, t)
		}
	}
	b.policies += len(withPolicy)
	err = inParallel(ctx, createParallelism, withPolicy, func(ctx context.Context, t iamTarget) error {
		p := l.policies[t.name]
		req := &iampb.SetIamPolicyRequest{Resource: t.name, Policy: &iampb.Policy{Version: p.GetVersion(), Bindings: p.GetBindings()}}
		if _, err := c.iamOf(t).SetIamPolicy(ctx, req); err != nil {
			return fmt.Errorf("set IAM policy of %s: %w", req.Resource, err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	b.createSecs = time.Since(start).Seconds()
	return nil
}

func lastSegment(name string) string {
	return name[strings.LastIndex(name, "/")+1:]
}
