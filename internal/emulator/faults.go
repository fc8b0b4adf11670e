package emulator

import (
	"fmt"
	"math/rand"
	"strconv"
	"strings"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Fault makes an RPC fail with Code, with probability Rate.
type Fault struct {
	// Method is the short RPC name ("CreateTopic", "GetIamPolicy", ...) or
	// "*" for every RPC except health checks.
	Method string
	// Code is the gRPC status code returned; it must not be codes.OK.
	Code codes.Code
	// Rate is the probability, 0..1, that a matching call fails.
	Rate float64
}

// String renders f in the syntax ParseFault accepts.
func (f Fault) String() string {
	return fmt.Sprintf("%s=%s@%s", f.Method, codeName(f.Code), strconv.FormatFloat(f.Rate, 'g', -1, 64))
}

func (f Fault) validate() error {
	if f.Method == "" || strings.ContainsAny(f.Method, " /=@") {
		return fmt.Errorf("emulator: fault method %q: want a short RPC name such as CreateTopic, or *", f.Method)
	}
	if f.Code == codes.OK || f.Code > codes.Unauthenticated {
		return fmt.Errorf("emulator: fault code %d: want a non-OK gRPC code (1..16)", uint32(f.Code))
	}
	if !(f.Rate >= 0 && f.Rate <= 1) { // also rejects NaN
		return fmt.Errorf("emulator: fault rate %v: want 0..1", f.Rate)
	}
	return nil
}

func (f Fault) matches(method string) bool {
	return f.Method == "*" || f.Method == method
}

// codeName renders c as the canonical upper-snake name (UNAVAILABLE).
func codeName(c codes.Code) string {
	if c > codes.Unauthenticated {
		return strconv.Itoa(int(c))
	}
	name := c.String()
	if name == "OK" {
		return name
	}
	var b strings.Builder
	for i, r := range name {
		if i > 0 && r >= 'A' && r <= 'Z' {
			b.WriteByte('_')
		}
		b.WriteRune(r)
	}
	return strings.ToUpper(b.String())
}

// ParseCode parses a gRPC code given as a name in any case, with or without
// underscores (UNAVAILABLE, Unavailable, resource_exhausted,
// ResourceExhausted) or as a number.
func ParseCode(s string) (codes.Code, error) {
	s = strings.TrimSpace(s)
	if n, err := strconv.ParseUint(s, 10, 32); err == nil {
		if n > uint64(codes.Unauthenticated) {
			return 0, fmt.Errorf("unknown gRPC code %q", s)
		}
		return codes.Code(n), nil
	}
	norm := func(x string) string { return strings.ToLower(strings.ReplaceAll(x, "_", "")) }
	want := norm(s)
	for c := codes.OK; c <= codes.Unauthenticated; c++ {
		if norm(c.String()) == want || norm(codeName(c)) == want {
			return c, nil
		}
	}
	return 0, fmt.Errorf("unknown gRPC code %q", s)
}

// ParseFault parses the CLI syntax METHOD=CODE[@RATE], for example
// "CreateTopic=UNAVAILABLE@0.5", "*=Internal" or "GetTopic=14@1".
// RATE defaults to 1.
func ParseFault(s string) (Fault, error) {
	method, rest, ok := strings.Cut(strings.TrimSpace(s), "=")
	if !ok {
		return Fault{}, fmt.Errorf("fault %q: want METHOD=CODE[@RATE]", s)
	}
	codeStr, rateStr, hasRate := strings.Cut(rest, "@")
	f := Fault{Method: strings.TrimSpace(method), Rate: 1}
	c, err := ParseCode(codeStr)
	if err != nil {
		return Fault{}, fmt.Errorf("fault %q: %w", s, err)
	}
	f.Code = c
	if hasRate {
		r, err := strconv.ParseFloat(strings.TrimSpace(rateStr), 64)
		if err != nil {
			return Fault{}, fmt.Errorf("fault %q: bad rate %q", s, rateStr)
		}
		f.Rate = r
	}
	if err := f.validate(); err != nil {
		return Fault{}, fmt.Errorf("fault %q: %w", s, err)
	}
	return f, nil
}

// InjectFault makes calls of method ("CreateTopic", or "*" for all) fail with
// code, with probability rate (clamped to 0..1). Faults are checked in the
// order they were added; the first that fires wins. Invalid arguments
// (code OK, empty method) are ignored.
func (s *Server) InjectFault(method string, code codes.Code, rate float64) {
	if rate < 0 {
		rate = 0
	} else if rate > 1 {
		rate = 1
	}
	f := Fault{Method: method, Code: code, Rate: rate}
	if f.validate() != nil {
		return
	}
	s.faultMu.Lock()
	s.faults = append(s.faults, f)
	s.faultMu.Unlock()
}

// ClearFaults removes all injected faults.
func (s *Server) ClearFaults() {
	s.faultMu.Lock()
	s.faults = nil
	s.faultMu.Unlock()
}

// Faults returns the injected faults.
func (s *Server) Faults() []Fault {
	s.faultMu.Lock()
	defer s.faultMu.Unlock()
	return append([]Fault(nil), s.faults...)
}

// SetFaultSeed reseeds the random source that decides whether a fault with
// a rate below 1 fires, for deterministic runs.
func (s *Server) SetFaultSeed(seed int64) {
	s.faultMu.Lock()
	s.rng = rand.New(rand.NewSource(seed))
	s.faultMu.Unlock()
}

// fault returns the injected error for this call, or nil.
func (s *Server) fault(fullMethod string) error {
	if isHealth(fullMethod) {
		return nil
	}
	method := shortMethod(fullMethod)
	s.faultMu.Lock()
	defer s.faultMu.Unlock()
	for _, f := range s.faults {
		if !f.matches(method) {
			continue
		}
		if f.Rate >= 1 || (f.Rate > 0 && s.rng.Float64() < f.Rate) {
			return status.Errorf(f.Code, "emulator: injected fault for %s", method)
		}
	}
	return nil
}
