package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/pubsubctl/pubsubctl/apply"
	"github.com/pubsubctl/pubsubctl/internal/config"
	"github.com/pubsubctl/pubsubctl/internal/emulator"
	"github.com/pubsubctl/pubsubctl/internal/render"
	"github.com/pubsubctl/pubsubctl/model"
)

// EmulatorCmd is `pubsubctl emulator`: run the embedded emulator (serve,
// the default subcommand, so that `pubsubctl emulator --config DIR` runs
// it) or probe a running one (health).
type EmulatorCmd struct {
	Serve  EmulatorServeCmd  `cmd:"" default:"withargs" help:"Run the emulator (the default: 'pubsubctl emulator FLAGS' is 'pubsubctl emulator serve FLAGS')."`
	Health EmulatorHealthCmd `cmd:"" help:"Exit 0 if an emulator is serving at --addr (default: PUBSUB_EMULATOR_HOST), 1 otherwise: for compose healthchecks and scripts."`
}

// Help is the long help of emulator.
func (*EmulatorCmd) Help() string {
	return `Runs the embedded Pub/Sub emulator (with IAM), optionally bootstrapped from one or
more configurations and kept in step with their files (--watch), or checks that one
is serving (health). 'pubsubctl emulator FLAGS' is 'pubsubctl emulator serve FLAGS':
run "pubsubctl emulator serve --help" for every flag.

Exit status: see each subcommand's help (1 on any error or usage error).

Examples:
  pubsubctl emulator --config infra/                       # created and ready for your app
  pubsubctl emulator --config billing/ --config orders/    # two stacks (or projects) in one emulator
  pubsubctl emulator --config infra/ --watch               # re-applies infra/ when a .hcl file changes
  pubsubctl emulator --host 0.0.0.0 --config /config       # in a container
  pubsubctl emulator health --addr 127.0.0.1:8085          # exit 0 when it serves (compose healthcheck)`
}

// Limits of the --watch interval.
const (
	minWatchInterval = 10 * time.Millisecond
	maxWatchInterval = time.Minute
)

// EmulatorServeCmd runs the embedded emulator.
type EmulatorServeCmd struct {
	Host          string        `default:"127.0.0.1" help:"Address to listen on (0.0.0.0 or :: for every interface; the export line then names the loopback address, see --advertise)."`
	Port          int           `default:"8085" help:"Port to listen on (0 picks a free port, printed in the export line)."`
	Advertise     string        `help:"Host, or HOST:PORT, to print in the export line instead of the address the emulator listens on, e.g. its service name in a compose file." placeholder:"HOST"`
	PrintEnv      bool          `name:"print-env" help:"Print only the export lines on standard output (for eval); everything else goes to standard error."`
	Fail          []string      `help:"Inject errors: METHOD=CODE[@RATE], e.g. CreateTopic=UNAVAILABLE@0.3 (METHOD * for every RPC); repeatable." placeholder:"METHOD=CODE[@RATE]"`
	Quota         string        `help:"Enforce an administrator-operations quota per project, like Pub/Sub's 6,000 per minute: above OPS calls per minute (a token bucket holding one second's worth), every call but Publish, Pull, StreamingPull, Acknowledge and ModifyAckDeadline gets ResourceExhausted." placeholder:"OPS[/min]"`
	Config        []string      `sep:"none" help:"Bootstrap from this configuration (directory or .hcl file; IAM included) before reporting ready; repeatable, for several stacks and projects in one emulator (one configuration per stack and project). --var, --var-file and --project apply to each." placeholder:"PATH"`
	Watch         bool          `help:"Keep the emulator in step with the --config files: whenever a .hcl file (or a --var-file) changes, plan and apply again, printing the plan. Replacements and deletions are applied without asking (it is a local emulator); a configuration error is printed and the last good state keeps being served."`
	WatchInterval time.Duration `name:"watch-interval" default:"250ms" help:"How often --watch looks at the files' sizes and modification times (10ms to 1m)." placeholder:"DURATION"`
	Outputs       string        `help:"Write the names an application needs (pubsubctl output's dotenv form, of every --config) to FILE once the bootstrap is applied, and again after each --watch apply, for the application to source." placeholder:"FILE" type:"path"`
	Data          string        `help:"Keep the emulator's state (topics, subscriptions, schemas, IAM policies and unacknowledged messages) in DIR across restarts: restored at start, written every --save-interval and on shutdown. A corrupt or foreign state file is an error, never a silent reset. Without it the state is in memory only." placeholder:"DIR" type:"path"`
	SaveInterval  time.Duration `name:"save-interval" default:"30s" help:"How often --data writes the state while serving (1s to 1h)." placeholder:"DURATION"`
	CertsAddr     string        `name:"certs-addr" help:"Address of the HTTP server of the keys that verify push OIDC tokens (/oauth2/v1/certs, /oauth2/v3/certs, /.well-known/openid-configuration). Default: a free port, on loopback, or on every interface with --host 0.0.0.0 or ::." placeholder:"HOST:PORT"`
}

// Help is the long help of emulator serve.
func (*EmulatorServeCmd) Help() string {
	return `Serves Pub/Sub's gRPC API (topics, subscriptions, schemas, publish/pull) and the IAM
policy service on one port, validating requests like the real service, until
interrupted (Ctrl-C or SIGTERM), then shuts down gracefully. State is in memory
(unless --data DIR keeps it across restarts: DIR/pubsubctl-emulator-state.json).
The standard gRPC health service reports NOT_SERVING until the --config bootstrap is
done, then SERVING ('pubsubctl emulator health' asks it).

Once ready it prints the lines that point Google's client libraries, gcloud and
pubsubctl plan/apply at it: PUBSUB_EMULATOR_HOST, and PUBSUB_PROJECT_ID when
--project is given or the configurations name exactly one project:
  export PUBSUB_EMULATOR_HOST=127.0.0.1:8085
  export PUBSUB_PROJECT_ID=my-project
  # push OIDC tokens: certs at http://127.0.0.1:PORT/oauth2/v1/certs (JWKS: ...)
The last line is where an application verifying push tokens finds the keys (Python
google-auth: id_token.verify_token(token, request, audience=..., certs_url=...));
--certs-addr fixes its address. Push subscriptions are delivered, to http://
endpoints too when they are on loopback or private hosts.
Listening on every interface (--host 0.0.0.0 or ::), the export line names the
loopback address; --advertise HOST names another (a compose service name, a LAN
address).

--config is repeatable: each configuration (one stack of one project) is applied in
the order given, as 'pubsubctl apply --auto-approve' would. Two configurations of
the same stack and project are refused: they would delete each other's resources.
With --watch, an edit of a .hcl file re-plans and applies that configuration and
prints the plan; a changed filter (or any immutable field) replaces the
subscription, and removed resources are deleted, without asking.

Exit status: 0 after a clean shutdown; 1 when it cannot start (port in use), a
configuration is invalid or its bootstrap fails, or on a usage error.

Examples:
  pubsubctl emulator --port 8085
  pubsubctl emulator --port 0 --print-env > emu.env &    # scripts: wait for the line, then . ./emu.env
  pubsubctl emulator --config examples/emulator            # created and ready for your app
  pubsubctl emulator --config billing/ --config orders/    # two stacks in one emulator
  pubsubctl emulator --config infra/ --watch               # edit infra/*.hcl: applied at once
  pubsubctl emulator --host 0.0.0.0 --advertise emulator   # export line: emulator:8085
  pubsubctl emulator --fail CreateTopic=UNAVAILABLE@0.5    # half of CreateTopic calls fail
  pubsubctl emulator --quota 600/min                       # ResourceExhausted above 10 admin calls a second`
}

// emuConfig is one --config of the emulator: the configuration last
// loaded from it, and the files it was loaded from.
type emuConfig struct {
	path  string // as given to --config
	cfg   *model.Config
	res   *config.Result // the whole load (output blocks for --outputs)
	files stamps         // the inputs as of the last load attempt (--watch)
}

func (e *emuConfig) key() string { return e.cfg.Project + "\x00" + e.cfg.Stack }

// Run serves until SIGINT or SIGTERM.
func (c *EmulatorServeCmd) Run(rc *runContext) error {
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
	if err := checkAdvertise(c.Advertise); err != nil {
		return &exitError{code: ExitUsage, err: err}
	}
	certsAddr := c.CertsAddr
	if certsAddr != "" {
		if _, port, err := net.SplitHostPort(certsAddr); err != nil || (port != "0" && !validPort(port)) {
			return &exitError{code: ExitUsage, err: fmt.Errorf("--certs-addr %q: want HOST:PORT, such as 0.0.0.0:8086 (port 0: a free one)", certsAddr)}
		}
	} else if ip := net.ParseIP(c.Host); ip != nil && ip.IsUnspecified() {
		// Reachable wherever the emulator is: a container's
		// neighbours verify tokens too.
		certsAddr = net.JoinHostPort(c.Host, "0")
	}
	if c.Watch && len(c.Config) == 0 {
		return &exitError{code: ExitUsage, err: errors.New("--watch keeps the emulator in step with configuration files: give them with --config PATH")}
	}
	if c.WatchInterval < minWatchInterval || c.WatchInterval > maxWatchInterval {
		return &exitError{code: ExitUsage, err: fmt.Errorf("--watch-interval %s: want %s to %s", c.WatchInterval, minWatchInterval, maxWatchInterval)}
	}
	if c.SaveInterval < time.Second || c.SaveInterval > time.Hour {
		return &exitError{code: ExitUsage, err: fmt.Errorf("--save-interval %s: want 1s to 1h", c.SaveInterval)}
	}
	if c.Data != "" {
		if err := os.MkdirAll(c.Data, 0o700); err != nil {
			return fmt.Errorf("--data: %w", err)
		}
	}
	// Every configuration is loaded, and checked against the others,
	// before the emulator starts: a mistake fails fast, with no port taken.
	configs, err := c.loadConfigs(rc)
	if err != nil {
		return err
	}
	projects := projectsOf(configs)
	project := rc.g.Project
	if project == "" && len(projects) == 1 {
		project = projects[0]
	}

	ctx, stop := signal.NotifyContext(rc.ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	start := time.Now()
	srv, err := emulator.Start(ctx, emulator.Options{
		Host:            c.Host,
		Port:            c.Port,
		Project:         project,
		StartNotServing: len(configs) > 0,
		CertsAddr:       certsAddr,
		DataDir:         c.Data,
	})
	if errors.Is(err, syscall.EADDRINUSE) {
		return fmt.Errorf("cannot start the emulator: %s is already in use (is another emulator running?); choose another port with --port, or --port 0 for a free one", net.JoinHostPort(c.Host, strconv.Itoa(c.Port)))
	}
	if err != nil {
		return fmt.Errorf("start emulator: %w", err)
	}
	defer srv.Close()
	local := localAddr(ctx, srv.Addr())
	advertised := advertisedAddr(local, c.Advertise)
	info := rc.stdout
	if c.PrintEnv {
		info = rc.stderr
	}
	sub := *rc
	sub.ctx = ctx
	sub.stdout = info
	for _, ec := range configs {
		if err := sub.emulatorApply(local, ec, false); err != nil {
			return err
		}
	}
	// Faults and the quota start after the bootstrap, which must not fail.
	for _, f := range faults {
		srv.InjectFault(f.Method, f.Code, f.Rate)
	}
	srv.SetQuota(quota)
	if c.Outputs != "" {
		if err := writeOutputsFile(c.Outputs, configs); err != nil {
			return err
		}
		fmt.Fprintf(info, "Wrote the outputs to %s.\n", c.Outputs)
	}
	srv.SetHealth(true)
	if c.Data != "" {
		fmt.Fprintf(info, "State kept in %s: saved every %s and on shutdown.\n", filepath.Join(c.Data, emulator.StateFileName), c.SaveInterval)
		go saveEvery(ctx, srv, c.SaveInterval, rc.stderr)
	}
	fmt.Fprintf(info, "Pub/Sub emulator (pubsubctl %s, IAM enabled) ready on %s in %s.\n", Version, srv.Addr(), time.Since(start).Round(time.Millisecond))
	if advertised != srv.Addr() {
		fmt.Fprintf(info, "Clients connect to it at %s%s.\n", advertised, map[bool]string{true: " (--advertise)", false: ""}[c.Advertise != ""])
	}
	for _, f := range faults {
		fmt.Fprintf(info, "Injecting fault: %s\n", f)
	}
	if quota > 0 {
		fmt.Fprintf(info, "Quota: %d administrator operations per minute per project; calls above it get ResourceExhausted.\n", quota)
	}
	if !c.PrintEnv {
		fmt.Fprintln(info, "Point clients at it with:")
		fmt.Fprint(info, "  ")
	}
	fmt.Fprintf(rc.stdout, "export PUBSUB_EMULATOR_HOST=%s\n", advertised)
	if project != "" {
		// The variable Google's samples and gcloud's env-init use for the
		// emulator's project.
		if !c.PrintEnv {
			fmt.Fprint(info, "  ")
		}
		fmt.Fprintf(rc.stdout, "export PUBSUB_PROJECT_ID=%s\n", project)
	} else if len(projects) > 1 {
		fmt.Fprintf(info, "The configurations name %d projects (%s): set PUBSUB_PROJECT_ID to your application's.\n", len(projects), strings.Join(projects, ", "))
	}
	// A shell comment, so that the output of --print-env can still be
	// sourced.
	if !c.PrintEnv {
		fmt.Fprint(info, "  ")
	}
	fmt.Fprintf(rc.stdout, "# push OIDC tokens: certs at %s (JWKS: %s)\n",
		advertisedURL(ctx, srv.CertsURL(), c.Advertise), advertisedURL(ctx, srv.JWKSURL(), c.Advertise))
	if f, ok := rc.stdout.(interface{ Sync() error }); ok {
		f.Sync()
	}
	if c.Watch {
		fmt.Fprintf(info, "Watching %s for changes (every %s).\n", strings.Join(pathsOf(configs), ", "), c.WatchInterval)
	}
	fmt.Fprintln(info, "Press Ctrl-C to stop.")
	if c.Watch {
		sub.watch(local, configs, c.WatchInterval, c.Outputs)
	}
	<-ctx.Done()
	fmt.Fprintln(info, "Shutting down.")
	return srv.Close()
}

// writeOutputsFile writes the dotenv outputs of every configuration to
// path, atomically. A name two configurations give different values is an
// error naming both.
func writeOutputsFile(path string, configs []*emuConfig) error {
	var all []outputEntry
	from := map[string]*emuConfig{}
	value := map[string]string{}
	for _, ec := range configs {
		entries, _, _, err := outputsOf(ec.res)
		if err != nil {
			return fmt.Errorf("--outputs: %s: %w", ec.path, err)
		}
		for _, e := range entries {
			if prev, ok := from[e.key]; ok {
				if value[e.key] != e.value {
					return fmt.Errorf("--outputs: %s and %s give %s different values (%s, %s)", prev.path, ec.path, e.key, value[e.key], e.value)
				}
				continue
			}
			from[e.key], value[e.key] = ec, e.value
			all = append(all, e)
		}
	}
	var b bytes.Buffer
	if err := writeEntries(&b, all, dotenvQuote); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".pubsubctl-outputs-*")
	if err != nil {
		return fmt.Errorf("--outputs: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b.Bytes()); err != nil {
		tmp.Close()
		return fmt.Errorf("--outputs: %w", err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fmt.Errorf("--outputs: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("--outputs: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("--outputs: %w", err)
	}
	return nil
}

// saveEvery writes the emulator's state every interval until ctx ends
// (Close writes it once more); a failed write is reported and retried at
// the next tick.
func saveEvery(ctx context.Context, srv *emulator.Server, interval time.Duration, errOut io.Writer) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := srv.SaveState(); err != nil {
				fmt.Fprintf(errOut, "Warning: could not save the emulator's state: %v\n", err)
			}
		}
	}
}

// loadConfigs loads every --config, refusing a path that holds no
// configuration and two configurations of one stack and project.
func (c *EmulatorServeCmd) loadConfigs(rc *runContext) ([]*emuConfig, error) {
	var out []*emuConfig
	for _, path := range c.Config {
		if err := checkConfigPath(path); err != nil {
			return nil, &exitError{code: ExitError, err: err}
		}
		ec := &emuConfig{path: path, files: inputStamps(path, rc.g.VarFile)}
		res, _, err := rc.load(path)
		if err != nil {
			return nil, err
		}
		ec.cfg, ec.res = res.Config, res
		for _, prev := range out {
			if prev.key() == ec.key() {
				return nil, &exitError{code: ExitError, err: sameStackError(prev, ec)}
			}
		}
		out = append(out, ec)
	}
	return out, nil
}

func sameStackError(prev, ec *emuConfig) error {
	if a, b := absPath(prev.path), absPath(ec.path); a == b {
		if prev.path == ec.path {
			return fmt.Errorf("--config %s is given twice: give each configuration once", ec.path)
		}
		return fmt.Errorf("--config %s is given twice (as %s and %s): give each configuration once", ec.path, prev.path, ec.path)
	}
	return fmt.Errorf("--config %s is stack %q of project %s, like --config %s: two configurations of one stack would delete each other's resources; give each its own stack (pubsubctl { stack = \"...\" }), or merge them", ec.path, ec.cfg.Stack, ec.cfg.Project, prev.path)
}

func absPath(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return filepath.Clean(p)
}

// checkConfigPath names a --config that cannot be a configuration: a path
// that does not exist, or a directory without .hcl files.
func checkConfigPath(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("--config %s: %w", path, errors.Unwrap(err))
	}
	if !fi.IsDir() {
		return nil // a single file: the loader says what is wrong with it
	}
	entries, err := os.ReadDir(path)
	if err != nil {
		return fmt.Errorf("--config %s: %w", path, errors.Unwrap(err))
	}
	for _, e := range entries {
		if isConfigFile(e.Name()) {
			return nil
		}
	}
	return fmt.Errorf("--config %s: the directory has no .hcl files; give a configuration directory (or a .hcl file)", path)
}

// isConfigFile reports whether a directory entry's name is one the
// configuration loader reads.
func isConfigFile(name string) bool {
	return strings.HasSuffix(name, ".hcl") && !strings.HasPrefix(name, ".")
}

func projectsOf(configs []*emuConfig) []string {
	var out []string
	seen := map[string]bool{}
	for _, ec := range configs {
		if !seen[ec.cfg.Project] {
			seen[ec.cfg.Project] = true
			out = append(out, ec.cfg.Project)
		}
	}
	return out
}

func pathsOf(configs []*emuConfig) []string {
	out := make([]string, len(configs))
	for i, ec := range configs {
		out[i] = ec.path
	}
	return out
}

// emulatorApply makes the emulator at addr match ec's configuration
// through the pipeline of plan and apply: plan, apply (deletions,
// replacements and orphaned subscriptions allowed: it is a local
// emulator, but lifecycle.prevent_destroy is still honoured), plan again
// to prove convergence. With show (--watch), the plan and the apply
// summary are printed; otherwise (the bootstrap) one line says what was
// created.
func (rc *runContext) emulatorApply(addr string, ec *emuConfig, show bool) error {
	cfg := ec.cfg
	client, err := rc.connect(cfg.Project, TargetFlags{Emulator: addr}, 16)
	if err != nil {
		return fmt.Errorf("connect to the embedded emulator: %w", err)
	}
	defer client.Close()
	p, l, _, err := rc.planWith(client, cfg, nil, false)
	if err != nil {
		return err
	}
	if show {
		// The flags a replacement or deletion needs are granted here:
		// the plan shown does not ask for them.
		shown := *p
		shown.Changes = slices.Clone(p.Changes)
		for i := range shown.Changes {
			shown.Changes[i].RequiresFlag = ""
		}
		if err := rc.renderPlan(&shown, "human"); err != nil {
			return err
		}
	}
	local := &ApplyCmd{Parallelism: 16, AllowDestroy: true, AllowReplace: true, AllowOrphan: true}
	var res *apply.Result
	if p.HasChanges() {
		if err := local.guard(rc, p, l, cfg); err != nil {
			return err
		}
		res = apply.Execute(rc.ctx, client, p, local.options(nil))
		if show {
			render.ApplySummary(rc.stdout, rc.stderr, res)
		}
		if !res.OK() {
			if !show {
				for _, e := range res.Events {
					if e.Status == apply.Failed {
						fmt.Fprintf(rc.stderr, "Error: %v\n", e.Err)
					}
				}
			}
			return fmt.Errorf("applying %s to the emulator failed: %d applied, %d failed, %d skipped", ec.path, res.Applied, res.Failed, res.Skipped)
		}
	}
	again := p
	if res != nil {
		if again, _, _, err = rc.planWith(client, cfg, nil, false); err != nil {
			return err
		}
		if again.HasChanges() {
			fmt.Fprintf(rc.stderr, "%s did not converge: the emulator still differs from it:\n", ec.path)
			if err := render.Human(rc.stderr, again, render.Options{Verbose: rc.g.Verbose}); err != nil {
				return err
			}
			return fmt.Errorf("applying %s to the emulator did not converge", ec.path)
		}
	}
	if err := notInEffect(rc, again); err != nil {
		return fmt.Errorf("%s: %w", ec.path, err)
	}
	if !show {
		cnt := p.Counts()
		fmt.Fprintf(rc.stdout, "Bootstrapped project %s from %s: %s created, %d IAM %s set (stack %s).\n", cfg.Project, ec.path, plural(cnt.Create, "resource"), cnt.IAM, pronoun(cnt.IAM, "policy", "policies"), cfg.Stack)
	}
	return nil
}

// localAddr is the address this process reaches the emulator at: its
// listening address, or for an unspecified host (0.0.0.0, ::) the
// loopback address, 127.0.0.1 if it answers there, else ::1.
func localAddr(ctx context.Context, listen string) string {
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return listen
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsUnspecified() {
		return listen
	}
	v4 := net.JoinHostPort("127.0.0.1", port)
	dctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	if conn, err := (&net.Dialer{}).DialContext(dctx, "tcp", v4); err == nil {
		conn.Close()
		return v4
	}
	return net.JoinHostPort("::1", port)
}

// advertisedAddr is the address the export line names: --advertise (HOST,
// with the emulator's port, or HOST:PORT), else the local address.
func advertisedAddr(local, advertise string) string {
	if advertise == "" {
		return local
	}
	if _, _, err := net.SplitHostPort(advertise); err == nil {
		return advertise
	}
	_, port, _ := net.SplitHostPort(local)
	return net.JoinHostPort(strings.Trim(advertise, "[]"), port)
}

// advertisedURL is an http URL of the emulator's key server as the export
// lines name the emulator: its host is --advertise's (without a port) or,
// for an unspecified host, the loopback address.
func advertisedURL(ctx context.Context, raw, advertise string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	port := u.Port()
	host := localAddr(ctx, u.Host)
	if advertise != "" {
		h := strings.Trim(advertise, "[]")
		if ah, _, err := net.SplitHostPort(advertise); err == nil {
			h = ah
		}
		host = net.JoinHostPort(h, port)
	}
	u.Host = host
	return u.String()
}

// checkAdvertise refuses an --advertise value that clients cannot use.
func checkAdvertise(a string) error {
	if a == "" {
		return nil
	}
	bad := func(why string) error {
		return fmt.Errorf("--advertise %q: %s; want HOST or HOST:PORT, such as emulator, 192.168.1.20 or localhost:18085", a, why)
	}
	if strings.Contains(a, "://") || strings.ContainsAny(a, " \t/") {
		return bad("not a host name or address")
	}
	host := strings.Trim(a, "[]")
	if h, p, err := net.SplitHostPort(a); err == nil {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return bad("the port must be a number from 1 to 65535")
		}
		host = h
	} else if strings.Contains(host, ":") && net.ParseIP(host) == nil {
		return bad("not a host name or address")
	}
	if host == "" {
		return bad("the host is empty")
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		return bad("clients cannot connect to the unspecified address " + host)
	}
	return nil
}

// stamps records the size and modification time of a configuration's
// input files, by path; an unreadable file is recorded with size -1.
type stamps map[string]stamp

type stamp struct {
	size int64
	mod  time.Time
}

func (s stamps) equal(o stamps) bool {
	if len(s) != len(o) {
		return false
	}
	for k, v := range s {
		if w, ok := o[k]; !ok || w.size != v.size || !w.mod.Equal(v.mod) {
			return false
		}
	}
	return true
}

// inputStamps stamps what loading path reads: the .hcl files of the
// directory (or the one file), and the --var-file files.
func inputStamps(path string, varFiles []string) stamps {
	out := stamps{}
	add := func(p string) {
		fi, err := os.Stat(p)
		if err != nil {
			out[p] = stamp{size: -1}
			return
		}
		out[p] = stamp{size: fi.Size(), mod: fi.ModTime()}
	}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		entries, _ := os.ReadDir(path)
		for _, e := range entries {
			if isConfigFile(e.Name()) {
				add(filepath.Join(path, e.Name()))
			}
		}
	} else {
		add(path)
	}
	for _, f := range varFiles {
		add(f)
	}
	return out
}
