package live

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	pubsub "cloud.google.com/go/pubsub/v2/apiv1"
	"google.golang.org/api/impersonate"
	"google.golang.org/api/option"
	"google.golang.org/api/option/internaloption"
	gtransport "google.golang.org/api/transport/grpc"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// EnvEmulatorHost is the environment variable that points Google Cloud
// clients at a Pub/Sub emulator.
const EnvEmulatorHost = "PUBSUB_EMULATOR_HOST"

// Endpoint is the real Pub/Sub service.
const Endpoint = "pubsub.googleapis.com"

// Defaults of Options.
const (
	DefaultParallelism = 16
	DefaultMaxAttempts = 6
	DefaultBaseBackoff = 200 * time.Millisecond
	// maxBackoff caps one sleep between attempts.
	maxBackoff = 30 * time.Second
	// attemptTimeout bounds one attempt, so that a hung connection is
	// retried (reads) or reported (mutations) instead of blocking forever.
	attemptTimeout = 60 * time.Second
	// pageSize is the page size of every List call.
	pageSize = 1000
)

// Options configure New.
type Options struct {
	// Project is the project ID. Required.
	Project string
	// Emulator is the host:port of a Pub/Sub emulator. When empty,
	// PUBSUB_EMULATOR_HOST in Env is honored, and otherwise the client talks
	// to the real Pub/Sub with Application Default Credentials.
	Emulator string
	// Env is the environment, os.Environ()-style. The package never reads
	// the process environment itself.
	Env []string
	// ImpersonateServiceAccount is the email of a service account to
	// impersonate (real Pub/Sub only).
	ImpersonateServiceAccount string
	// Parallelism bounds concurrent IAM reads; 0 means 16.
	Parallelism int
	// MaxAttempts bounds the attempts of a call the client retries itself
	// (the paged reads of Read, policy reads, the project number); 0 means
	// 6, 1 means no retry. The single-resource methods that apply's
	// executor calls (apply.Target) make one attempt each: the executor
	// retries them under its own Policy, so retries are never stacked.
	MaxAttempts int
	// BaseBackoff is the first backoff between attempts; 0 means 200ms.
	BaseBackoff time.Duration
	// OpsPerMinute is the client-side rate limit, waited on before every
	// attempt of every RPC the client sends (see Limiter): 0 means
	// DefaultOpsPerMinute (3000) against the real Pub/Sub and no limit
	// against an emulator; a negative value means no limit.
	OpsPerMinute int
	// Limiter, when set, is the limit to wait on instead of one made from
	// OpsPerMinute: clients of one project share it so that together they
	// stay within the project's quota.
	Limiter *Limiter
}

// Client reads and changes Pub/Sub resources of one project.
type Client struct {
	project  string
	emulator string // host:port when talking to an emulator
	opts     Options
	// authOpts are the credential options of the real service (nil on an
	// emulator), reused by ProjectNumber.
	authOpts []option.ClientOption

	conn    *grpc.ClientConn
	topics  *pubsub.TopicAdminClient
	subs    *pubsub.SubscriptionAdminClient
	schemas *pubsub.SchemaClient

	counts sync.Map // method -> *atomic.Int64
	// iamUnsupported is set once the target answered Unimplemented for IAM.
	iamUnsupported atomic.Bool
	// policy retries the calls the client retries itself.
	policy Policy
	// limit is the client-side rate limit every RPC waits on.
	limit *Limiter

	numberMu sync.Mutex
	number   string // cached project number

	closeOnce sync.Once
	closeErr  error
}

// New connects to Pub/Sub (or an emulator). It does not make any RPC.
func New(ctx context.Context, opts Options) (*Client, error) {
	if opts.Project == "" {
		return nil, errors.New("live: no project: set the project ID")
	}
	if opts.Parallelism <= 0 {
		opts.Parallelism = DefaultParallelism
	}
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = DefaultMaxAttempts
	}
	if opts.BaseBackoff <= 0 {
		opts.BaseBackoff = DefaultBaseBackoff
	}
	c := &Client{project: opts.Project, opts: opts, policy: Policy{
		MaxAttempts:    opts.MaxAttempts,
		BaseBackoff:    opts.BaseBackoff,
		MaxBackoff:     maxBackoff,
		AttemptTimeout: attemptTimeout,
	}}
	c.emulator = emulatorOf(opts.Emulator, opts.Env)
	if c.emulator != "" && opts.ImpersonateServiceAccount != "" {
		return nil, fmt.Errorf("live: impersonating %s is only possible against the real Pub/Sub, not the emulator at %s",
			opts.ImpersonateServiceAccount, c.emulator)
	}
	c.limit = opts.Limiter
	if c.limit == nil {
		c.limit = NewLimiter(opsPerMinute(opts.OpsPerMinute, c.emulator != ""))
	}

	var err error
	dialOpts := []grpc.DialOption{
		grpc.WithChainUnaryInterceptor(c.countUnary),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(math.MaxInt32)),
	}
	if c.emulator != "" {
		dialOpts = append(dialOpts, grpc.WithTransportCredentials(insecure.NewCredentials()))
		c.conn, err = grpc.NewClient(c.emulator, dialOpts...)
		if err != nil {
			return nil, fmt.Errorf("live: connect to the emulator at %s: %w", c.emulator, err)
		}
	} else {
		if opts.ImpersonateServiceAccount != "" {
			ts, err := impersonate.CredentialsTokenSource(ctx, impersonate.CredentialsConfig{
				TargetPrincipal: opts.ImpersonateServiceAccount,
				Scopes:          pubsub.DefaultAuthScopes(),
			})
			if err != nil {
				return nil, fmt.Errorf("live: impersonate %s: %w", opts.ImpersonateServiceAccount, err)
			}
			c.authOpts = append(c.authOpts, option.WithTokenSource(ts))
		}
		o := []option.ClientOption{
			// The defaults of the generated Pub/Sub clients.
			internaloption.WithDefaultEndpoint(Endpoint + ":443"),
			internaloption.WithDefaultEndpointTemplate("pubsub.UNIVERSE_DOMAIN:443"),
			internaloption.WithDefaultMTLSEndpoint("pubsub.mtls.googleapis.com:443"),
			internaloption.WithDefaultUniverseDomain("googleapis.com"),
			internaloption.WithDefaultAudience("https://pubsub.googleapis.com/"),
			internaloption.WithDefaultScopes(pubsub.DefaultAuthScopes()...),
			internaloption.EnableJwtWithScope(),
			option.WithUserAgent("pubsubctl"),
		}
		for _, d := range dialOpts {
			o = append(o, option.WithGRPCDialOption(d))
		}
		o = append(o, c.authOpts...)
		c.conn, err = gtransport.Dial(ctx, o...)
		if err != nil {
			return nil, fmt.Errorf("live: connect to %s: %w", Endpoint, err)
		}
	}

	// All three clients share the connection; their own retries and
	// timeouts are replaced by ours (see retry.go).
	shared := []option.ClientOption{option.WithGRPCConn(c.conn)}
	if c.emulator != "" {
		shared = append(shared, option.WithoutAuthentication())
	}
	if c.topics, err = pubsub.NewTopicAdminClient(ctx, shared...); err == nil {
		c.topics.CallOptions = &pubsub.TopicAdminCallOptions{}
		if c.subs, err = pubsub.NewSubscriptionAdminClient(ctx, shared...); err == nil {
			c.subs.CallOptions = &pubsub.SubscriptionAdminCallOptions{}
			if c.schemas, err = pubsub.NewSchemaClient(ctx, shared...); err == nil {
				c.schemas.CallOptions = &pubsub.SchemaCallOptions{}
			}
		}
	}
	if err != nil {
		_ = c.conn.Close()
		return nil, fmt.Errorf("live: create Pub/Sub clients for %s: %w", c.Target(), err)
	}
	return c, nil
}

// lookupEnv returns the last value of key in an os.Environ()-style list.
func lookupEnv(env []string, key string) string {
	v := ""
	for _, kv := range env {
		if k, val, ok := strings.Cut(kv, "="); ok && k == key {
			v = val
		}
	}
	return v
}

// Close closes the connection. It is safe to call more than once.
func (c *Client) Close() error {
	c.closeOnce.Do(func() {
		// The generated clients' Close would close the shared connection
		// three times; close it once.
		c.closeErr = c.conn.Close()
	})
	return c.closeErr
}

// Project returns the project ID the client works on.
func (c *Client) Project() string { return c.project }

// Target describes where the client connects: "emulator 127.0.0.1:8085"
// or "pubsub.googleapis.com".
func (c *Client) Target() string { return describeTarget(c.emulator) }

// TargetOf returns what Client.Target would return for a client made with
// this Emulator option and environment, without connecting: "emulator
// HOST:PORT", or Endpoint for the real Pub/Sub.
func TargetOf(emulator string, env []string) string {
	return describeTarget(emulatorOf(emulator, env))
}

// emulatorOf is the emulator address a client talks to: the option, else
// PUBSUB_EMULATOR_HOST, else none (the real Pub/Sub).
func emulatorOf(emulator string, env []string) string {
	if emulator != "" {
		return emulator
	}
	return lookupEnv(env, EnvEmulatorHost)
}

func describeTarget(emulator string) string {
	if emulator != "" {
		return "emulator " + emulator
	}
	return Endpoint
}

// IsEmulator reports whether the client talks to an emulator.
func (c *Client) IsEmulator() bool { return c.emulator != "" }

// rpcCounterKey carries a per-call *rpcCounter in a context, so that Read
// can report the RPCs it made even when other calls share the client.
type rpcCounterKey struct{}

type rpcCounter struct {
	mu sync.Mutex
	m  map[string]int
}

func (r *rpcCounter) add(method string) {
	r.mu.Lock()
	r.m[method]++
	r.mu.Unlock()
}

func (r *rpcCounter) snapshot() map[string]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return maps.Clone(r.m)
}

func withCounter(ctx context.Context) (context.Context, *rpcCounter) {
	rc := &rpcCounter{m: map[string]int{}}
	return context.WithValue(ctx, rpcCounterKey{}, rc), rc
}

// countUnary waits on the client-side rate limit, then counts every unary
// RPC sent on the wire (each attempt and each page) by its short method
// name ("ListTopics", "GetIamPolicy"), and tells the limit whether the
// service refused it for quota. A call that could not wait is not sent and
// not counted.
func (c *Client) countUnary(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
	ticket, err := c.limit.admit(ctx)
	if err != nil {
		return err
	}
	name := method[strings.LastIndexByte(method, '/')+1:]
	v, ok := c.counts.Load(name)
	if !ok {
		v, _ = c.counts.LoadOrStore(name, new(atomic.Int64))
	}
	v.(*atomic.Int64).Add(1)
	if rc, ok := ctx.Value(rpcCounterKey{}).(*rpcCounter); ok {
		rc.add(name)
	}
	err = invoker(ctx, method, req, reply, cc, opts...)
	if isQuotaRefusal(err) {
		c.limit.throttled(ticket)
	} else {
		c.limit.answered()
	}
	return err
}

// opsPerMinute is the limit a client makes from Options.OpsPerMinute: 0
// means the default of its target, negative none.
func opsPerMinute(opt int, emulator bool) int {
	switch {
	case opt < 0:
		return 0
	case opt == 0 && !emulator:
		return DefaultOpsPerMinute
	}
	return opt
}

// LimitStats returns what the client-side rate limit has done: calls
// delayed, time waited, quota refusals. A Limiter shared through
// Options.Limiter reports for every client that shares it.
func (c *Client) LimitStats() LimitStats { return c.limit.Stats() }

// Limiter returns the client's rate limit, for other clients of the same
// project to share (Options.Limiter).
func (c *Client) Limiter() *Limiter { return c.limit }

// RPCCounts returns the number of RPCs the client has sent, by method,
// since it was created.
func (c *Client) RPCCounts() map[string]int {
	out := map[string]int{}
	c.counts.Range(func(k, v any) bool {
		out[k.(string)] = int(v.(*atomic.Int64).Load())
		return true
	})
	return out
}
