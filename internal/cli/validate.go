package cli

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/pubsubctl/pubsubctl/model"
)

// ConfigDirArg is the configuration argument of the commands that read
// one and nothing else (validate, output).
type ConfigDirArg struct {
	Dir string `arg:"" optional:"" default:"." help:"Configuration: a directory whose *.hcl files are read together, or a single .hcl file (default: the current directory)." type:"path"`
}

// ValidateCmd checks a configuration offline.
type ValidateCmd struct {
	ConfigDirArg
	Format string `default:"text" enum:"text,json,github" help:"How to print problems: text (file:line,column with the source), json (one object a line: file, line, column, severity, summary, detail) or github (GitHub Actions annotations, shown on the pull request's lines)."`
	JSON   bool   `name:"json" help:"Same as --format json."`
}

// Help is the long help of validate.
func (*ValidateCmd) Help() string {
	return `Loads the configuration (variables from --var, --var-file, PUBSUBCTL_VAR_<name> and
defaults), applies the defaults and checks every rule Pub/Sub enforces, plus pubsubctl's
least-privilege rules, without any network call or credentials. Problems are printed
as file:line,column with the source; warnings do not fail the run. The same warning
about many resources is printed once, with the count and the first three (-v lists
them all). On success it prints a summary such as
"3 topics, 5 subscriptions, 1 schema, 12 IAM members: valid".

Exit status: 0 valid (warnings allowed), 1 invalid configuration or usage error.

Examples:
  pubsubctl validate examples/shop
  pubsubctl validate --format github infra/    # annotations on the pull request's lines
  pubsubctl validate examples/quickstart.hcl --var project=my-project`
}

// Run validates the configuration and prints a one-line summary.
func (c *ValidateCmd) Run(rc *runContext) error {
	if c.JSON {
		c.Format = "json"
	}
	if c.Format != "text" {
		rc.diagFormat = c.Format
	}
	res, diags, err := rc.load(c.Dir)
	if err != nil {
		return err
	}
	if c.Format == "json" {
		return json.NewEncoder(rc.stdout).Encode(map[string]any{"severity": "info", "summary": summarize(res.Config) + ": valid", "valid": true})
	}
	warn := ""
	if n := len(diags); n > 0 {
		warn = " (" + plural(n, "warning") + ")"
	}
	fmt.Fprintf(rc.stdout, "%s: valid%s\n", summarize(res.Config), warn)
	return nil
}

// summarize counts what a configuration declares, derived resources
// included: "3 topics, 5 subscriptions, 1 schema, 12 IAM members".
func summarize(c *model.Config) string {
	members := 0
	for _, r := range c.Resources() {
		for _, b := range r.Policy().Bindings {
			members += len(b.Members)
		}
	}
	for _, eb := range c.ExternalBindings {
		for _, b := range eb.IAM.Bindings {
			members += len(b.Members)
		}
	}
	parts := []string{
		plural(len(c.Topics), "topic"),
		plural(len(c.Subscriptions), "subscription"),
		plural(len(c.Schemas), "schema"),
		plural(members, "IAM member"),
	}
	return strings.Join(parts, ", ")
}
