package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/alecthomas/kong"
	"github.com/mattn/go-isatty"

	"github.com/pubsubctl/pubsubctl/plan"
)

// Exit codes.
const (
	ExitOK      = 0
	ExitError   = 1
	ExitUsage   = 1 // usage errors are errors: only "changes present" exits 2
	ExitChanges = 2 // with --detailed-exitcode
)

// Globals are flags every command accepts.
type Globals struct {
	Project string   `help:"Google Cloud project ID. Overrides the pubsubctl block; else PUBSUBCTL_PROJECT or GOOGLE_CLOUD_PROJECT." placeholder:"ID"`
	Var     []string `name:"var" sep:"none" help:"Set a variable, NAME=VALUE (repeatable). Also PUBSUBCTL_VAR_<NAME> in the environment." placeholder:"NAME=VALUE"`
	VarFile []string `name:"var-file" sep:"none" help:"Read variables from an HCL file of NAME = VALUE lines (repeatable; later files win)." placeholder:"FILE"`
	NoColor bool     `name:"no-color" help:"Disable colour (same as --color never; also NO_COLOR in the environment)."`
	Color   string   `default:"auto" enum:"auto,always,never" help:"Colour: auto (a terminal, or a CI log that renders colours such as GitHub Actions), always or never."`
	Verbose bool     `short:"v" help:"Verbose output: provenance of every value, names of unmanaged resources."`

	PrintVersion kong.VersionFlag `name:"version" help:"Print the version and exit."`
}

// CLI is the whole grammar.
type CLI struct {
	Globals

	Validate    ValidateCmd    `cmd:"" help:"Check the configuration, with no network and no credentials."`
	Fmt         FmtCmd         `cmd:"" help:"Rewrite configuration files in canonical format."`
	Plan        PlanCmd        `cmd:"" help:"Show what apply would change in live Pub/Sub."`
	Apply       ApplyCmd       `cmd:"" help:"Change live Pub/Sub to match the configuration, then prove it converged."`
	Show        ShowCmd        `cmd:"" help:"Render a plan saved with plan --out."`
	Export      ExportCmd      `cmd:"" help:"Write the live topics, subscriptions, schemas and IAM of a project as a configuration, to adopt with plan --adopt and apply --adopt."`
	Forget      ForgetCmd      `cmd:"" help:"Stop managing resources without deleting them: remove this stack's ownership labels from them."`
	Emulator    EmulatorCmd    `cmd:"" help:"Run the embedded Pub/Sub emulator (with IAM), optionally bootstrapped from a configuration."`
	Permissions PermissionsCmd `cmd:"" help:"Print the IAM permissions the identity running pubsubctl needs for this configuration."`
	Schema      SchemaCmd      `cmd:"" help:"Work with schemas: schema test checks sample messages against a configured schema, offline."`
	Transform   TransformCmd   `cmd:"" help:"Work with message transforms: transform test runs a resource's JavaScript UDFs on sample messages, offline."`
	Explain     ExplainCmd     `cmd:"" help:"Explain a resource or one of its fields: value, where it came from, defaults, in-place or replace, IAM, live drift."`
	Graph       GraphCmd       `cmd:"" help:"Draw the topology (topics, subscriptions, dead letters, schemas, endpoints, publishers and subscribers) as Mermaid, DOT or JSON."`
	Output      OutputCmd      `cmd:"" help:"Print the resolved names applications need (topics, subscriptions, dead-letter topics, push audiences) and the output blocks, as env, dotenv or JSON."`
	Init        InitCmd        `cmd:"" help:"Write a starter configuration (a topic and a subscription with the safe defaults spelled out) that validates at once."`
	Version     VersionCmd     `cmd:"" help:"Print the version."`
	Completion  CompletionCmd  `cmd:"" help:"Print a shell completion script: bash, zsh or fish."`
	Complete    CompleteCmd    `cmd:"" name:"__complete" hidden:"" help:"Answer a completion script (one candidate a line)."`
}

// env is the process environment as a lookup.
type env []string

func (e env) Get(name string) string {
	v, _ := e.Lookup(name)
	return v
}

func (e env) Lookup(name string) (string, bool) {
	for i := len(e) - 1; i >= 0; i-- {
		if k, v, ok := strings.Cut(e[i], "="); ok && k == name {
			return v, true
		}
	}
	return "", false
}

// runContext is what every command's Run receives.
type runContext struct {
	ctx    context.Context
	env    env
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	g      *Globals
	// diagFormat is how load prints configuration diagnostics: "" (text
	// with source snippets, to stderr), "json" or "github" (to stdout).
	diagFormat string
	// planDir is the configuration directory as shown to people (relative
	// to the working directory when under it), for the Markdown plan.
	planDir string
	// markdownBytes bounds the Markdown plan (0: a whole comment); a
	// combined report of several configurations gives each a share.
	markdownBytes int
	// parent is the run this one is a configuration of (plan DIR...):
	// the sensitive values this one learns are redacted there too.
	parent *runContext
	// shown is the last plan renderPlan showed (a configuration's plan in
	// a run of several, for the combined summary).
	shown *plan.Plan
	// limiters, in a run of several configurations, is shared by all of
	// them: one rate limit per project.
	limiters *limiterSet
}

// color reports whether to colour output written to w: --color always or
// never decide; auto (the default) colours a terminal, and the logs of CI
// systems that render ANSI colours (GitHub Actions), unless NO_COLOR is set
// (not empty), TERM is dumb or --no-color is given.
func (rc *runContext) color(w io.Writer) bool {
	switch {
	case rc.g.NoColor || rc.g.Color == "never":
		return false
	case rc.g.Color == "always":
		return true
	case rc.env.Get("NO_COLOR") != "": // the convention: only a non-empty value
		return false
	case rc.env.Get("TERM") == "dumb":
		return false
	case rc.env.Get("GITHUB_ACTIONS") == "true":
		return true
	}
	return isTerminal(w)
}

// isTerminal reports whether a stream (stdin, stdout or stderr) is a terminal.
func isTerminal(stream any) bool {
	if u, ok := stream.(interface{ Unwrap() io.Writer }); ok {
		stream = u.Unwrap()
	}
	f, ok := stream.(*os.File)
	return ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
}

// exitError carries an exit code; its message (if any) has not been printed.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

// exitCode makes an error that only sets the exit code: what went wrong was
// already printed.
func exitCode(code int) error { return &exitError{code: code} }

type kongExit int

// Main runs pubsubctl and returns the process exit code.
func Main(ctx context.Context, args, environ []string, stdin io.Reader, stdout, stderr io.Writer) (code int) {
	var cli CLI
	parser, err := kong.New(&cli,
		kong.Name("pubsubctl"),
		kong.Description("Infrastructure-as-code for Google Cloud Pub/Sub: safe defaults, reviewable plans, least-privilege IAM."),
		kong.Writers(stdout, stderr),
		kong.Exit(func(c int) { panic(kongExit(c)) }),
		kong.UsageOnError(),
		kong.ConfigureHelp(kong.HelpOptions{Compact: true, Summary: true}),
		kong.Vars{"version": "pubsubctl " + version()},
	)
	if err != nil {
		panic(err) // the grammar is ours: a programmer error
	}
	defer func() {
		if r := recover(); r != nil {
			if c, ok := r.(kongExit); ok {
				code = int(c)
				return
			}
			panic(r)
		}
	}()
	if len(args) == 0 {
		// Bare pubsubctl: the usage, and an error (nothing was asked).
		func() {
			defer func() {
				if r := recover(); r != nil {
					if _, ok := r.(kongExit); !ok {
						panic(r)
					}
				}
			}()
			_, _ = parser.Parse([]string{"--help"})
		}()
		return ExitUsage
	}
	kctx, err := parser.Parse(terraformArgs(args, longFlagNames(parser.Model)))
	if err != nil {
		fmt.Fprintf(stderr, "pubsubctl: error: %v\n", err)
		if kctx != nil {
			fmt.Fprintf(stderr, "Run \"pubsubctl %s --help\" for usage.\n", kctx.Command())
		}
		return ExitUsage
	}
	// Everything a command prints goes through a redactor, which learns
	// the sensitive values when the configuration is loaded.
	out, errOut := newRedactor(stdout), newRedactor(stderr)
	defer func() {
		out.Flush()
		errOut.Flush()
	}()
	rc := &runContext{ctx: ctx, env: env(environ), stdin: stdin, stdout: out, stderr: errOut, g: &cli.Globals}
	err = kctx.Run(rc)
	if err == nil {
		return ExitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintf(errOut, "Error: %v\n", ee.err)
		}
		return ee.code
	}
	fmt.Fprintf(errOut, "Error: %v\n", err)
	return ExitError
}

// addSecrets makes the output filter replace these values from now on.
func (rc *runContext) addSecrets(secrets []string) {
	for _, w := range []io.Writer{rc.stdout, rc.stderr} {
		if r, ok := w.(*redactor); ok {
			r.add(secrets)
		}
	}
	if rc.parent != nil {
		rc.parent.addSecrets(secrets)
	}
}
