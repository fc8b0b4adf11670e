package emulator

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	iampb "cloud.google.com/go/iam/apiv1/iampb"
	pb "cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"
	"google.golang.org/api/option"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/pubsubctl/pubsubctl/internal/emulator/engine"
)

// Options configure Start.
type Options struct {
	// Host to listen on; "" means 127.0.0.1.
	Host string
	// Port to listen on; 0 picks a free port.
	Port int
	// Project is an optional default project ID, reported by Server.Project.
	Project string
	// Faults are injected from the start (see Server.InjectFault).
	Faults []Fault
	// Seed seeds the fault-injection random source; 0 means a time-based seed.
	Seed int64
	// StartNotServing makes the health service report NOT_SERVING until
	// SetHealth(true) is called (for callers that bootstrap state first).
	StartNotServing bool
	// Quota is the administrator-operations quota, in operations per
	// minute per project, above which calls get ResourceExhausted like the
	// service's (quota.go); 0 means none. See also Server.SetQuota.
	Quota int
	// CertsAddr is the host:port of the HTTP server for the keys that
	// verify push OIDC tokens (Server.CertsURL, Server.JWKSURL,
	// Server.DiscoveryURL); "" picks a free loopback port.
	CertsAddr string
	// Logf logs what nobody asked for, such as failed pushes; nil means
	// log.Printf.
	Logf func(format string, args ...any)
	// DataDir, when set, makes the state persistent: Start restores the
	// state file in it (StateFileName) if there is one, and Close writes
	// it (Server.SaveState writes it at other times). A corrupt or foreign
	// file makes Start fail with an error naming it. "" keeps everything
	// in memory.
	DataDir string

	// pushTimeout, when positive, bounds push requests below the ack
	// deadline (tests).
	pushTimeout time.Duration
}

// maxMessageSize is the largest request the server accepts. The real
// service accepts publish requests of up to 10 MiB, above gRPC's 4 MB
// default; up to twice that, an oversized publish reaches checkPublishSize
// (limits.go) and gets the service's InvalidArgument rather than gRPC's
// ResourceExhausted.
const maxMessageSize = 20 << 20

// Server is a running embedded emulator.
type Server struct {
	addr    string
	project string
	lis     net.Listener
	gsrv    *grpc.Server
	eng     *engine.Server
	health  *health.Server
	conf    *conformance
	oidc    *oidcIssuer
	dataDir string
	iam     *iamService

	faultMu sync.Mutex
	faults  []Fault
	rng     *rand.Rand

	quota atomic.Pointer[quota] // nil: no quota

	countMu sync.Mutex
	counts  map[string]int64

	// quietPanics turns off the log line of recovered panics (tests).
	quietPanics atomic.Bool

	closeOnce sync.Once
	closeErr  error
	serveErr  chan error
}

// Start starts an emulator that serves in the background until Close.
// A port that is already in use is returned as an error naming the address.
func Start(ctx context.Context, opts Options) (*Server, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	host := opts.Host
	if host == "" {
		host = "127.0.0.1"
	}
	if opts.Port < 0 || opts.Port > 65535 {
		return nil, fmt.Errorf("emulator: invalid port %d", opts.Port)
	}
	if opts.Quota < 0 {
		return nil, fmt.Errorf("emulator: invalid quota %d operations per minute", opts.Quota)
	}
	for _, f := range opts.Faults {
		if err := f.validate(); err != nil {
			return nil, err
		}
	}
	addr := net.JoinHostPort(host, strconv.Itoa(opts.Port))
	lis, err := (&net.ListenConfig{}).Listen(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("emulator: cannot listen on %s: %w", addr, err)
	}

	seed := opts.Seed
	if seed == 0 {
		seed = time.Now().UnixNano()
	}
	s := &Server{
		addr:     lis.Addr().String(),
		project:  opts.Project,
		lis:      lis,
		health:   health.NewServer(),
		faults:   append([]Fault(nil), opts.Faults...),
		rng:      rand.New(rand.NewSource(seed)),
		counts:   map[string]int64{},
		serveErr: make(chan error, 1),
	}
	s.oidc, err = startOIDC(ctx, opts.CertsAddr, time.Now)
	if err != nil {
		_ = lis.Close()
		return nil, err
	}
	s.eng = engine.New(engine.Options{
		Logf: opts.Logf,
		Push: engine.PushOptions{Token: s.oidc.token, Timeout: opts.pushTimeout},
	})
	s.conf = newConformance(s)
	s.iam = newIAMService(s)
	s.SetQuota(opts.Quota)
	if opts.DataDir != "" {
		s.dataDir = opts.DataDir
		if err := s.loadState(opts.DataDir); err != nil {
			s.eng.Close()
			s.oidc.close()
			_ = lis.Close()
			return nil, err
		}
	}

	s.gsrv = grpc.NewServer(
		grpc.MaxRecvMsgSize(maxMessageSize),
		grpc.ChainUnaryInterceptor(s.recoverUnary, s.countUnary, s.faultUnary, s.quotaUnary, s.conf.unary),
		grpc.ChainStreamInterceptor(s.recoverStream, s.countStream, s.faultStream, s.conf.stream),
	)
	pb.RegisterPublisherServer(s.gsrv, s.eng)
	pb.RegisterSubscriberServer(s.gsrv, s.eng)
	pb.RegisterSchemaServiceServer(s.gsrv, s.eng)
	iampb.RegisterIAMPolicyServer(s.gsrv, s.iam)
	healthpb.RegisterHealthServer(s.gsrv, s.health)
	s.SetHealth(!opts.StartNotServing)

	go func() { s.serveErr <- s.gsrv.Serve(lis) }()
	return s, nil
}

// Addr returns the host:port the emulator serves on.
func (s *Server) Addr() string { return s.addr }

// Project returns Options.Project.
func (s *Server) Project() string { return s.project }

// ClientOptions returns the options that connect a Google Cloud Go client
// (pubsub.NewClient, apiv1.NewSchemaClient, ...) to this emulator.
func (s *Server) ClientOptions() []option.ClientOption {
	return []option.ClientOption{
		option.WithEndpoint(s.addr),
		option.WithoutAuthentication(),
		option.WithGRPCDialOption(grpc.WithTransportCredentials(insecure.NewCredentials())),
		option.WithTelemetryDisabled(),
	}
}

// SetHealth sets the status the gRPC health service reports, for the whole
// server ("") and for each Pub/Sub service.
func (s *Server) SetHealth(serving bool) {
	st := healthpb.HealthCheckResponse_NOT_SERVING
	if serving {
		st = healthpb.HealthCheckResponse_SERVING
	}
	for _, svc := range []string{"", "google.pubsub.v1.Publisher", "google.pubsub.v1.Subscriber",
		"google.pubsub.v1.SchemaService", "google.iam.v1.IAMPolicy"} {
		s.health.SetServingStatus(svc, st)
	}
}

// closeTimeout bounds the graceful part of Close.
const closeTimeout = 2 * time.Second

// Close stops the server: gracefully, then forcibly after a short timeout
// (streams such as StreamingPull do not end by themselves). It is safe to
// call more than once.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		s.health.Shutdown()
		done := make(chan struct{})
		go func() {
			s.gsrv.GracefulStop()
			close(done)
		}()
		select {
		case <-done:
		case <-time.After(closeTimeout):
			s.gsrv.Stop()
			<-done
		}
		// Stops the delivery timers and the push workers.
		s.eng.Close()
		s.oidc.close()
		if s.dataDir != "" {
			if err := s.saveState(s.dataDir); err != nil {
				s.closeErr = err
			}
		}
		if err := <-s.serveErr; err != nil && !errors.Is(err, grpc.ErrServerStopped) {
			s.closeErr = err
		}
	})
	return s.closeErr
}
