package emulator

import (
	"context"
	"log"
	"maps"
	"runtime/debug"
	"strings"
	"sync/atomic"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// testHook, when set by a test, runs before the handler of every RPC; it
// lets tests provoke a panic inside the interceptor chain.
var testHook atomic.Pointer[func(method string)]

func runTestHook(method string) {
	if h := testHook.Load(); h != nil {
		(*h)(method)
	}
}

// shortMethod turns "/google.pubsub.v1.Publisher/CreateTopic" into "CreateTopic".
func shortMethod(fullMethod string) string {
	if i := strings.LastIndexByte(fullMethod, '/'); i >= 0 {
		return fullMethod[i+1:]
	}
	return fullMethod
}

// isHealth reports whether the RPC belongs to the gRPC health service, which
// is neither counted nor subject to faults.
func isHealth(fullMethod string) bool {
	return strings.HasPrefix(fullMethod, "/grpc.health.v1.")
}

func (s *Server) panicError(method string, p any) error {
	if !s.quietPanics.Load() {
		log.Printf("emulator: recovered panic in %s: %v\n%s", method, p, debug.Stack())
	}
	return status.Errorf(codes.Internal, "emulator: internal error in %s: panic: %v", shortMethod(method), p)
}

func (s *Server) recoverUnary(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (resp any, err error) {
	defer func() {
		if p := recover(); p != nil {
			resp, err = nil, s.panicError(info.FullMethod, p)
		}
	}()
	runTestHook(info.FullMethod)
	return handler(ctx, req)
}

func (s *Server) recoverStream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = s.panicError(info.FullMethod, p)
		}
	}()
	runTestHook(info.FullMethod)
	return handler(srv, ss)
}

func (s *Server) count(fullMethod string) {
	if isHealth(fullMethod) {
		return
	}
	s.countMu.Lock()
	s.counts[shortMethod(fullMethod)]++
	s.countMu.Unlock()
}

func (s *Server) countUnary(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	s.count(info.FullMethod)
	return handler(ctx, req)
}

func (s *Server) countStream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	s.count(info.FullMethod)
	return handler(srv, ss)
}

// RPCCounts returns how many RPCs each method received since the start or
// the last ResetRPCCounts, keyed by short method name ("CreateTopic",
// "GetIamPolicy", ...). Failed and fault-injected calls count; health checks
// do not.
func (s *Server) RPCCounts() map[string]int64 {
	s.countMu.Lock()
	defer s.countMu.Unlock()
	return maps.Clone(s.counts) // never nil: s.counts is not
}

// ResetRPCCounts sets all RPC counters to zero.
func (s *Server) ResetRPCCounts() {
	s.countMu.Lock()
	s.counts = map[string]int64{}
	s.countMu.Unlock()
}

func (s *Server) faultUnary(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	if err := s.fault(info.FullMethod); err != nil {
		return nil, err
	}
	return handler(ctx, req)
}

func (s *Server) faultStream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	if err := s.fault(info.FullMethod); err != nil {
		return err
	}
	return handler(srv, ss)
}
