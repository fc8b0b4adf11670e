package cli

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/pubsubctl/pubsubctl/internal/config"
	"github.com/pubsubctl/pubsubctl/internal/render"
)

// load reads the configuration in dir, printing its diagnostics (with
// source snippets) to stderr. It fails when any diagnostic is an error.
func (rc *runContext) load(dir string) (*config.Result, hcl.Diagnostics, error) {
	vars := map[string]string{}
	for _, v := range rc.g.Var {
		name, value, ok := strings.Cut(v, "=")
		if !ok || strings.TrimSpace(name) == "" {
			return nil, nil, &exitError{code: ExitUsage, err: fmt.Errorf("invalid --var %q: want NAME=VALUE", v)}
		}
		vars[strings.TrimSpace(name)] = value
	}
	res, diags := config.Load(config.Options{
		Dir:      dir,
		Vars:     vars,
		VarFiles: rc.g.VarFile,
		Env:      rc.env,
		Project:  rc.g.Project,
	})
	if res != nil {
		rc.addSecrets(secretsOf(res))
	}
	if len(diags) > 0 {
		var files map[string]*hcl.File
		if res != nil {
			files = res.Files
		}
		var err error
		switch rc.diagFormat {
		case "json":
			err = render.DiagnosticsJSON(rc.stdout, diags)
		case "github":
			err = render.DiagnosticsGitHub(rc.stdout, diags)
		default:
			err = render.Diagnostics(rc.stderr, files, diags, render.Options{Color: rc.color(rc.stderr), Verbose: rc.g.Verbose})
		}
		if err != nil {
			return nil, diags, err
		}
	}
	if diags.HasErrors() {
		fmt.Fprintf(rc.stderr, "Configuration invalid: %s.\n", countDiags(diags))
		return res, diags, exitCode(ExitError)
	}
	// The parsed files are only for the snippets of the diagnostics above:
	// dropping them frees the syntax trees of every file (about a third of
	// what a loaded configuration of thousands of resources holds) before
	// live state is read.
	res.Files = nil
	return res, diags, nil
}

func countDiags(diags hcl.Diagnostics) string {
	errs, warns := 0, 0
	for _, d := range diags {
		if d.Severity == hcl.DiagError {
			errs++
		} else {
			warns++
		}
	}
	return plural(errs, "error") + ", " + plural(warns, "warning")
}

func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// secretsOf returns every text the output filter must hide: the values of
// the configuration's sensitive variables (non-string values rendered, and
// the strings inside them), their raw --var and environment texts, and the
// field values derived from them (config.Result.Secrets).
func secretsOf(res *config.Result) []string {
	return res.Secrets()
}
