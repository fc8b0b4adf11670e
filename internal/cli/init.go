package cli

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/pubsubctl/pubsubctl/internal/safefile"
)

// InitCmd writes a starter configuration.
type InitCmd struct {
	Dir   string `arg:"" optional:"" default:"." help:"Directory to write the configuration in (created when missing; default: the current directory)." type:"path"`
	Stack string `help:"Stack name: the ownership label value (default: the directory's name)." placeholder:"NAME"`
}

// Help is the long help of init.
func (*InitCmd) Help() string {
	return `Writes a starter configuration to DIR: main.hcl with the pubsubctl block, one topic and
one pull subscription whose safe defaults (dead-letter topic, backoff, no expiration, 60s
ack deadline) are spelled out in comments, and a .gitignore for saved plans (*.plan). It
validates at once: run pubsubctl validate DIR.

The project is --project, else gcloud's configured project (core/project in
~/.config/gcloud/configurations/config_default, or $CLOUDSDK_CONFIG), else it is left for
you to set: the configuration then declares variable "project" without a default and
validate says to pass --var project=ID (or PUBSUBCTL_VAR_project).

init never overwrites: a DIR that already has *.hcl files is refused, and an existing
.gitignore is left alone (add *.plan to it yourself).

Exit status: 0 written, 1 DIR already has a configuration, a file cannot be written, or a
usage error.

Examples:
  pubsubctl init --project my-project infra/pubsub
  pubsubctl init                    # here, with gcloud's project
  pubsubctl validate infra/pubsub && pubsubctl plan infra/pubsub`
}

var stackRE = regexp.MustCompile(`[^a-z0-9_-]+`)

// Run writes the files.
func (c *InitCmd) Run(rc *runContext) error {
	if err := os.MkdirAll(c.Dir, 0o755); err != nil {
		return &exitError{code: ExitError, err: fmt.Errorf("create %s: %w", c.Dir, err)}
	}
	existing, _ := filepath.Glob(filepath.Join(c.Dir, "*.hcl"))
	if len(existing) > 0 {
		return &exitError{code: ExitError, err: fmt.Errorf("%s already has a configuration (%s): init never overwrites; choose an empty directory", relDir(c.Dir), relDir(existing[0]))}
	}
	stack := c.Stack
	if stack == "" {
		abs, _ := filepath.Abs(c.Dir)
		stack = strings.Trim(stackRE.ReplaceAllString(strings.ToLower(filepath.Base(abs)), "-"), "-_")
		if stack == "" || stack[0] < 'a' || stack[0] > 'z' {
			stack = "main"
		}
	}
	project, from := rc.g.Project, "--project"
	if project == "" {
		project, from = gcloudProject(rc.env)
	}
	written := []string{}
	if err := writeNew(filepath.Join(c.Dir, "main.hcl"), starterConfig(project, from, stack)); err != nil {
		return &exitError{code: ExitError, err: err}
	}
	written = append(written, "main.hcl")
	gi := filepath.Join(c.Dir, ".gitignore")
	if _, err := os.Lstat(gi); err == nil {
		fmt.Fprintf(rc.stderr, "Note: %s exists and was left alone: add *.plan to it, saved plans hold configuration values.\n", relDir(gi))
	} else if err := writeNew(gi, "# Saved plans (pubsubctl plan --out) hold configuration values: never commit them.\n*.plan\n"); err != nil {
		return &exitError{code: ExitError, err: err}
	} else {
		written = append(written, ".gitignore")
	}
	dir := shellQuote(relDir(c.Dir))
	fmt.Fprintf(rc.stdout, "Wrote %s in %s (stack %q", strings.Join(written, " and "), relDir(c.Dir), stack)
	if project != "" {
		fmt.Fprintf(rc.stdout, ", project %s from %s).\n", project, from)
		fmt.Fprintf(rc.stdout, "Next:\n  pubsubctl validate %s\n  pubsubctl plan %s\n", dir, dir)
		return nil
	}
	fmt.Fprintf(rc.stdout, ", no project: neither --project nor gcloud's configured project was found).\n")
	fmt.Fprintf(rc.stdout, "Next: set the project, e.g.\n  pubsubctl validate --var project=my-project %s\n(or the variable's default in main.hcl, or PUBSUBCTL_VAR_project)\n", dir)
	return nil
}

// writeNew creates path, failing if it exists.
func writeNew(path, content string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		if errors.Is(err, os.ErrExist) {
			return fmt.Errorf("%s exists: init never overwrites", relDir(path))
		}
		return err
	}
	if _, err := f.WriteString(content); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// gcloudProject reads core/project of gcloud's default configuration, if
// it is readable; it returns "" otherwise.
func gcloudProject(e env) (project, from string) {
	dir := e.Get("CLOUDSDK_CONFIG")
	if dir == "" {
		home := e.Get("HOME")
		if home == "" {
			return "", ""
		}
		dir = filepath.Join(home, ".config", "gcloud")
	}
	path := filepath.Join(dir, "configurations", "config_default")
	data, err := safefile.ReadBounded(path, 1<<20)
	if err != nil {
		return "", ""
	}
	section := ""
	sc := bufio.NewScanner(strings.NewReader(string(data)))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]"):
			section = strings.TrimSpace(line[1 : len(line)-1])
		case section == "core":
			if k, v, ok := strings.Cut(line, "="); ok && strings.TrimSpace(k) == "project" {
				if p := strings.TrimSpace(v); p != "" {
					return p, "gcloud's configuration (" + path + ")"
				}
			}
		}
	}
	return "", ""
}

// starterConfig is main.hcl.
func starterConfig(project, from, stack string) string {
	def := fmt.Sprintf("  default     = %q # from %s\n", project, from)
	if project == "" {
		def = "  # No default: pass --var project=ID, set PUBSUBCTL_VAR_project, or add\n  # default = \"my-project\" here.\n"
	}
	return fmt.Sprintf(`# A pubsubctl configuration: every *.hcl file of this directory is read together.
# pubsubctl validate . (offline), pubsubctl plan . (what would change), pubsubctl apply .
# Reference: https://github.com/pubsubctl/pubsubctl/blob/main/docs/language.md

pubsubctl {
  project = var.project
  # Ownership: pubsubctl labels what it creates managed-by = "pubsubctl" and
  # pubsubctl-stack = %[1]q, and only ever changes resources with these labels.
  stack = %[1]q
  # project_number = "123456789012" # names the Pub/Sub service agent for the
  #                                 # dead-letter grants; looked up by plan otherwise
}

variable "project" {
  type        = string
  description = "Google Cloud project ID."
%[2]s}

topic "events" {
  # message_retention = "1d"        # keep acknowledged messages for replay (off by default)
  # publishers        = ["serviceAccount:app@${var.project}.iam.gserviceaccount.com"]
}

subscription "events-worker" {
  topic = topic.events

  # pubsubctl's safe defaults, all visible in plan; uncomment to change one.
  # ack_deadline      = "60s"    # Pub/Sub's own is 10s: fewer duplicate deliveries
  # message_retention = "7d"
  # expiration        = "never"  # Pub/Sub's own deletes a subscription idle for 31 days
  # retry_policy {               # Pub/Sub's own redelivers at once
  #   minimum_backoff = "10s"
  #   maximum_backoff = "10m"
  # }
  # dead_letter {                # Pub/Sub's own has none: a poison message loops forever.
  #   max_delivery_attempts = 5  # pubsubctl creates topic and subscription events-worker-dlq
  # }                            # and grants the Pub/Sub service agent what it needs.

  # subscribers = ["serviceAccount:worker@${var.project}.iam.gserviceaccount.com"]
}
`, stack, def)
}
