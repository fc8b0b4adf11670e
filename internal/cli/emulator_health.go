package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"

	"github.com/pubsubctl/pubsubctl/internal/live"
)

// Bounds of emulator health's durations, and the pause between checks
// of --wait.
const (
	minHealthTimeout = 100 * time.Millisecond
	maxHealthTimeout = time.Minute
	maxHealthWait    = 10 * time.Minute
	healthRetry      = 100 * time.Millisecond
)

// EmulatorHealthCmd asks an emulator's gRPC health service whether it
// serves.
type EmulatorHealthCmd struct {
	Addr    string        `help:"Address of the emulator (default: PUBSUB_EMULATOR_HOST)." placeholder:"HOST:PORT"`
	Timeout time.Duration `default:"3s" help:"Give up on one check after this long (100ms to 1m)." placeholder:"DURATION"`
	Wait    time.Duration `help:"Check again (every 100ms) until the emulator serves or this much time has passed, e.g. 30s in a script that has just started it (at most 10m; default: check once)." placeholder:"DURATION"`
}

// Help is the long help of emulator health.
func (*EmulatorHealthCmd) Help() string {
	return `Asks the standard gRPC health service (grpc.health.v1.Health/Check) of the emulator
at --addr, or PUBSUB_EMULATOR_HOST, whether it serves. pubsubctl's emulator reports
NOT_SERVING while it bootstraps its --config, then SERVING. A server that answers gRPC
but has no health service (Google's emulator) counts as serving.

Prints one line saying what it found; never needs credentials or a configuration.

Exit status: 0 serving; 1 not serving, unreachable, no answer within --timeout (or,
with --wait, not serving by then), or a usage error (no address).

Examples:
  pubsubctl emulator health                                 # the emulator of PUBSUB_EMULATOR_HOST
  pubsubctl emulator health --addr 127.0.0.1:8085
  pubsubctl emulator --port 8085 --config infra/ & pubsubctl emulator health --addr 127.0.0.1:8085 --wait 30s
  # compose.yaml:
  #   healthcheck:
  #     test: ["CMD", "pubsubctl", "emulator", "health", "--addr", "127.0.0.1:8085"]`
}

// Run checks, until serving or --wait has passed.
func (c *EmulatorHealthCmd) Run(rc *runContext) error {
	addr := c.Addr
	from := "--addr"
	if addr == "" {
		addr, from = rc.env.Get(live.EnvEmulatorHost), live.EnvEmulatorHost
	}
	if addr == "" {
		return &exitError{code: ExitUsage, err: fmt.Errorf("which emulator? pass --addr HOST:PORT, or set %s", live.EnvEmulatorHost)}
	}
	if host, port, err := net.SplitHostPort(addr); err != nil || host == "" || !validPort(port) {
		return &exitError{code: ExitUsage, err: fmt.Errorf("%s %q: want HOST:PORT, such as 127.0.0.1:8085", from, addr)}
	}
	if c.Timeout < minHealthTimeout || c.Timeout > maxHealthTimeout {
		return &exitError{code: ExitUsage, err: fmt.Errorf("--timeout %s: want %s to %s", c.Timeout, minHealthTimeout, maxHealthTimeout)}
	}
	if c.Wait < 0 || c.Wait > maxHealthWait {
		return &exitError{code: ExitUsage, err: fmt.Errorf("--wait %s: want 0 to %s", c.Wait, maxHealthWait)}
	}
	start := time.Now()
	deadline := start.Add(c.Wait)
	for {
		timeout := c.Timeout
		if c.Wait > 0 {
			// The last check ends by the deadline, more or less.
			timeout = min(timeout, max(time.Until(deadline), minHealthTimeout))
		}
		msg, err := checkHealth(rc.ctx, addr, timeout)
		if err == nil {
			fmt.Fprintln(rc.stdout, msg)
			return nil
		}
		if c.Wait == 0 || time.Now().Add(healthRetry).After(deadline) || rc.ctx.Err() != nil {
			if c.Wait > 0 {
				err = fmt.Errorf("%w (still, after waiting %s)", err, time.Since(start).Round(100*time.Millisecond))
			}
			return &exitError{code: ExitError, err: err}
		}
		t := time.NewTimer(healthRetry)
		select {
		case <-rc.ctx.Done():
			t.Stop()
		case <-t.C:
		}
	}
}

func validPort(p string) bool {
	n, err := strconv.Atoi(p)
	return err == nil && n >= 1 && n <= 65535
}

// checkHealth makes one health check, on a connection of its own (a
// connection that failed waits a second or more before dialling again:
// --wait must see the emulator as soon as it listens), returning what to
// print when the emulator serves, else why it does not.
func checkHealth(ctx context.Context, addr string, timeout time.Duration) (string, error) {
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return "", fmt.Errorf("cannot connect to %s: %w", addr, err)
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	resp, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{})
	switch status.Code(err) {
	case codes.OK:
	case codes.Unimplemented:
		return fmt.Sprintf("The server at %s answers gRPC and has no health service (not pubsubctl's emulator): taken as serving.", addr), nil
	case codes.DeadlineExceeded:
		return "", fmt.Errorf("the emulator at %s did not answer within %s", addr, timeout)
	case codes.Unavailable:
		return "", fmt.Errorf("cannot reach the emulator at %s: %s", addr, status.Convert(err).Message())
	default:
		if errors.Is(err, context.Canceled) {
			return "", fmt.Errorf("the health check of %s was interrupted", addr)
		}
		return "", fmt.Errorf("the server at %s does not answer like the emulator: %v", addr, err)
	}
	switch st := resp.GetStatus(); st {
	case healthpb.HealthCheckResponse_SERVING:
		return fmt.Sprintf("The emulator at %s is serving.", addr), nil
	case healthpb.HealthCheckResponse_NOT_SERVING:
		return "", fmt.Errorf("the emulator at %s is not serving yet: NOT_SERVING (still bootstrapping its --config, or shutting down)", addr)
	default:
		return "", fmt.Errorf("the emulator at %s is not serving: %s", addr, st)
	}
}
