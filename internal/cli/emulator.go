package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/pubsubctl/pubsubctl/apply"
	"github.com/pubsubctl/pubsubctl/internal/emulator"
	"github.com/pubsubctl/pubsubctl/internal/live"
)

// EmulatorCmd runs the embedded emulator.
type EmulatorCmd struct {
	Host     string   `default:"127.0.0.1" help:"Address to listen on (0.0.0.0 for every interface)."`
	Port     int      `default:"8085" help:"Port to listen on (0 picks a free port, printed in the export line)."`
	PrintEnv bool     `name:"print-env" help:"Print only the export line on standard output (for eval); everything else goes to standard error."`
	Fail     []string `help:"Inject errors: METHOD=CODE[@RATE], e.g. CreateTopic=UNAVAILABLE@0.3 (METHOD * for every RPC); repeatable." placeholder:"METHOD=CODE[@RATE]"`
	Quota    string   `help:"Enforce an administrator-operations quota per project, like Pub/Sub's 6,000 per minute: above OPS calls per minute (a token bucket holding one second's worth), every call but Publish, Pull, StreamingPull, Acknowledge and ModifyAckDeadline gets ResourceExhausted." placeholder:"OPS[/min]"`
	Config   string   `help:"Bootstrap from this configuration (directory or .hcl file; IAM included) before reporting ready; --var, --var-file and --project apply to it." placeholder:"PATH" type:"path"`
}

// Help is the long help of emulator.
func (*EmulatorCmd) Help() string {
	return `Serves Pub/Sub's gRPC API (topics, subscriptions, schemas, publish/pull) and the IAM
policy service on one port, validating requests like the real service, until
interrupted (Ctrl-C or SIGTERM), then shuts down gracefully. State is in memory.

Once ready it prints the line that points Google's client libraries, gcloud and
pubsubctl plan/apply at it (and, with --project P, export PUBSUB_PROJECT_ID=P):
  export PUBSUB_EMULATOR_HOST=127.0.0.1:8085

Exit status: 0 after a clean shutdown, 1 when it cannot start (port in use), the
bootstrap fails, or on a usage error.

Examples:
  pubsubctl emulator --port 8085
  pubsubctl emulator --port 0 --print-env > emu.env &    # scripts: wait for the line, then . ./emu.env
  pubsubctl emulator --config examples/emulator            # created and ready for your app
  pubsubctl emulator --fail CreateTopic=UNAVAILABLE@0.5    # half of CreateTopic calls fail
  pubsubctl emulator --quota 600/min                       # ResourceExhausted above 10 admin calls a second`
}

// Run serves until SIGINT or SIGTERM.
func (c *EmulatorCmd) Run(rc *runContext) error {
	var faults []emulator.Fault
	for _, f := range c.Fail {
		fault, err := emulator.ParseFault(f)
		if err != nil {
			return &exitError{code: ExitUsage, err: fmt.Errorf("--fail %q: %w", f, err)}
		}
		faults = append(faults, fault)
	}
	quota := 0
	if c.Quota != "" {
		q, err := emulator.ParseQuota(c.Quota)
		if err != nil {
			return &exitError{code: ExitUsage, err: fmt.Errorf("--quota: %w", err)}
		}
		quota = q
	}
	ctx, stop := signal.NotifyContext(rc.ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	start := time.Now()
	srv, err := emulator.Start(ctx, emulator.Options{
		Host:            c.Host,
		Port:            c.Port,
		Project:         rc.g.Project,
		StartNotServing: c.Config != "",
	})
	if errors.Is(err, syscall.EADDRINUSE) {
		return fmt.Errorf("cannot start the emulator: %s:%d is already in use (is another emulator running?); choose another port with --port, or --port 0 for a free one", c.Host, c.Port)
	}
	if err != nil {
		return fmt.Errorf("start emulator: %w", err)
	}
	defer srv.Close()
	info := rc.stdout
	if c.PrintEnv {
		info = rc.stderr
	}
	if c.Config != "" {
		if err := c.bootstrap(ctx, rc, srv.Addr(), info); err != nil {
			return err
		}
	}
	// Faults and the quota start after the bootstrap, which must not fail.
	for _, f := range faults {
		srv.InjectFault(f.Method, f.Code, f.Rate)
	}
	srv.SetQuota(quota)
	srv.SetHealth(true)
	fmt.Fprintf(info, "Pub/Sub emulator (pubsubctl %s, IAM enabled) ready on %s in %s.\n", Version, srv.Addr(), time.Since(start).Round(time.Millisecond))
	if len(faults) > 0 {
		for _, f := range faults {
			fmt.Fprintf(info, "Injecting fault: %s\n", f)
		}
	}
	if quota > 0 {
		fmt.Fprintf(info, "Quota: %d administrator operations per minute per project; calls above it get ResourceExhausted.\n", quota)
	}
	if !c.PrintEnv {
		fmt.Fprintln(info, "Point clients at it with:")
		fmt.Fprint(info, "  ")
	}
	fmt.Fprintf(rc.stdout, "export PUBSUB_EMULATOR_HOST=%s\n", srv.Addr())
	if p := rc.g.Project; p != "" {
		// The variable Google's samples and gcloud's env-init use for the
		// emulator's project.
		if !c.PrintEnv {
			fmt.Fprint(info, "  ")
		}
		fmt.Fprintf(rc.stdout, "export PUBSUB_PROJECT_ID=%s\n", p)
	}
	if f, ok := rc.stdout.(interface{ Sync() error }); ok {
		f.Sync()
	}
	fmt.Fprintln(info, "Press Ctrl-C to stop.")
	<-ctx.Done()
	fmt.Fprintln(info, "Shutting down.")
	return srv.Close()
}

// bootstrap applies the configuration to the fresh emulator, like
// `pubsubctl apply --auto-approve`, and checks it converged.
func (c *EmulatorCmd) bootstrap(ctx context.Context, rc *runContext, addr string, out io.Writer) error {
	sub := *rc
	sub.ctx = ctx
	sub.stdout = out
	res, _, err := sub.load(c.Config)
	if err != nil {
		return err
	}
	client, err := live.New(ctx, live.Options{Project: res.Config.Project, Emulator: addr, Env: rc.env})
	if err != nil {
		return fmt.Errorf("connect to the embedded emulator: %w", err)
	}
	defer client.Close()
	p, _, _, err := sub.planWith(client, res.Config, nil, false)
	if err != nil {
		return err
	}
	r := apply.Execute(ctx, client, p, apply.Options{Parallelism: 16})
	if !r.OK() {
		for _, e := range r.Events {
			if e.Status == apply.Failed {
				fmt.Fprintf(rc.stderr, "Error: %v\n", e.Err)
			}
		}
		return fmt.Errorf("bootstrap from %s failed: %d applied, %d failed, %d skipped", c.Config, r.Applied, r.Failed, r.Skipped)
	}
	again, _, _, err := sub.planWith(client, res.Config, nil, false)
	if err != nil {
		return err
	}
	if again.HasChanges() {
		return fmt.Errorf("bootstrap from %s did not converge", c.Config)
	}
	cnt := p.Counts()
	fmt.Fprintf(out, "Bootstrapped project %s from %s: %d resources created, %d IAM policies set.\n", res.Config.Project, c.Config, cnt.Create, cnt.IAM)
	return nil
}
