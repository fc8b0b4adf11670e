package cli

import (
	"context"
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
	Host     string   `default:"127.0.0.1" help:"Address to listen on."`
	Port     int      `default:"8085" help:"Port to listen on (0 picks a free port)."`
	PrintEnv bool     `name:"print-env" help:"Print only the export line on standard output (for eval); everything else goes to standard error."`
	Fail     []string `help:"Inject errors: METHOD=CODE[@RATE], e.g. CreateTopic=UNAVAILABLE@0.3 (METHOD * for every RPC); repeatable." placeholder:"METHOD=CODE[@RATE]"`
	Config   string   `help:"Bootstrap from this configuration directory (IAM included) before reporting ready." placeholder:"DIR" type:"existingdir"`
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
	ctx, stop := signal.NotifyContext(rc.ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	start := time.Now()
	srv, err := emulator.Start(ctx, emulator.Options{
		Host:            c.Host,
		Port:            c.Port,
		Project:         rc.g.Project,
		StartNotServing: c.Config != "",
	})
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
	// Faults start after the bootstrap, which must not fail.
	for _, f := range faults {
		srv.InjectFault(f.Method, f.Code, f.Rate)
	}
	srv.SetHealth(true)
	fmt.Fprintf(info, "Pub/Sub emulator (pubsubctl %s, IAM enabled) ready on %s in %s.\n", Version, srv.Addr(), time.Since(start).Round(time.Millisecond))
	if len(faults) > 0 {
		for _, f := range faults {
			fmt.Fprintf(info, "Injecting fault: %s\n", f)
		}
	}
	if !c.PrintEnv {
		fmt.Fprintln(info, "Point clients at it with:")
		fmt.Fprint(info, "  ")
	}
	fmt.Fprintf(rc.stdout, "export PUBSUB_EMULATOR_HOST=%s\n", srv.Addr())
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
	p, _, err := sub.planWith(client, res.Config, nil, false)
	if err != nil {
		return err
	}
	r := apply.Execute(ctx, client, p, apply.Options{Parallelism: 16, OpsPerMinute: 1 << 20})
	if !r.OK() {
		for _, e := range r.Events {
			if e.Status == apply.Failed {
				fmt.Fprintf(rc.stderr, "Error: %v\n", e.Err)
			}
		}
		return fmt.Errorf("bootstrap from %s failed: %d applied, %d failed, %d skipped", c.Config, r.Applied, r.Failed, r.Skipped)
	}
	again, _, err := sub.planWith(client, res.Config, nil, false)
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
