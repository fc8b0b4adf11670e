package cli

import (
	"fmt"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/pubsubctl/pubsubctl/internal/config"
	"github.com/pubsubctl/pubsubctl/internal/export"
	"github.com/pubsubctl/pubsubctl/internal/live"
	"github.com/pubsubctl/pubsubctl/model"
)

// ExportCmd writes the live Pub/Sub resources of a project as a
// configuration, to be adopted with plan --adopt and apply --adopt.
type ExportCmd struct {
	TargetFlags
	Stack         string `required:"" help:"Stack name written to the pubsubctl block: adopted resources get the label pubsubctl-stack=STACK. Resources labelled by another stack are not exported." placeholder:"STACK"`
	Out           string `default:"." help:"Directory to write the configuration to (created if missing; default: the current directory). It must hold no *.hcl files unless --force is given." placeholder:"DIR"`
	Split         string `default:"by-topic" enum:"by-topic,single" help:"File layout: by-topic (main.hcl, schemas.hcl, one <topic>.hcl per topic with its subscriptions, orphans.hcl) or single (everything in main.hcl). Schema definitions always go to schemas/."`
	Match         string `help:"Export only resources whose ID matches this regular expression (RE2, unanchored); a subscription is also exported when its topic matches, a schema when an exported topic uses it." placeholder:"REGEX"`
	ProjectNumber string `name:"project-number" help:"Project number written to the pubsubctl block (names the Pub/Sub service agent for dead-letter grants). Default: looked up with resourcemanager.projects.get when credentials allow; left out otherwise." placeholder:"NUMBER"`
	Force         bool   `help:"Overwrite files in --out, and write even when it already holds *.hcl files."`
	Parallelism   int    `default:"16" help:"Maximum concurrent IAM policy reads."`
}

// Run reads the project and writes the configuration.
func (c *ExportCmd) Run(rc *runContext) error {
	project := rc.g.Project
	for _, name := range []string{config.EnvProject, config.EnvGoogleProject} {
		if project == "" {
			project = rc.env.Get(name)
		}
	}
	if project == "" {
		return &exitError{code: ExitUsage, err: fmt.Errorf("export needs a project: pass --project ID (or set %s or %s)", config.EnvProject, config.EnvGoogleProject)}
	}
	var match *regexp.Regexp
	if c.Match != "" {
		re, err := regexp.Compile(c.Match)
		if err != nil {
			return &exitError{code: ExitUsage, err: fmt.Errorf("--match %q: %w", c.Match, err)}
		}
		match = re
	}
	opts := export.Options{Stack: c.Stack, Match: match, Split: c.Split, ProjectNumber: c.ProjectNumber}
	// Check the options before any network call: Generate validates them
	// on an empty state.
	if _, _, err := export.Generate(&model.State{Project: project}, opts); err != nil {
		return &exitError{code: ExitUsage, err: err}
	}

	client, err := rc.connect(project, c.TargetFlags, c.Parallelism)
	if err != nil {
		return err
	}
	defer client.Close()

	st, warnings, err := c.read(rc, client)
	if err != nil {
		return fmt.Errorf("read live state of project %s: %w", project, err)
	}

	if opts.ProjectNumber == "" {
		n, err := client.ProjectNumber(rc.ctx)
		if err == nil {
			opts.ProjectNumber = n
		} else if !client.IsEmulator() {
			warnings = append(warnings, fmt.Sprintf("project_number is not written: %v; the Pub/Sub service agent's dead-letter grants are then exported as plain IAM (pass --project-number to avoid that)", err))
		}
	}

	files, genWarnings, err := export.Generate(st, opts)
	if err != nil {
		return err
	}
	warnings = append(warnings, genWarnings...)
	n := export.Count(st, opts)
	if n == (export.Counts{}) {
		what := "project " + project + " has no topics, subscriptions or schemas"
		if match != nil {
			what = "--match " + c.Match + " selects no topic, subscription or schema of project " + project
		}
		warnings = append(warnings, what+": the export holds only the pubsubctl block")
	}
	for _, w := range warnings {
		fmt.Fprintf(rc.stderr, "Warning: %s\n", w)
	}
	if err := export.WriteFiles(c.Out, files, c.Force); err != nil {
		if !c.Force {
			return fmt.Errorf("%w; pass --force to overwrite", err)
		}
		return err
	}

	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Fprintf(rc.stdout, "Exported %s, %s and %s of project %s as stack %q to %s:\n",
		plural(n.Topics, "topic"), plural(n.Subscriptions, "subscription"), plural(n.Schemas, "schema"), project, c.Stack, c.Out)
	for _, n := range names {
		fmt.Fprintf(rc.stdout, "  %s\n", filepath.Join(c.Out, filepath.FromSlash(n)))
	}
	if len(warnings) > 0 {
		fmt.Fprintf(rc.stdout, "Read the %s on standard error before adopting.\n", plural(len(warnings), "warning"))
	}
	dir := shellQuote(c.Out)
	fmt.Fprintf(rc.stdout, "\nNext: review the files, then\n  pubsubctl validate %s\n  pubsubctl plan --adopt %s     # adopt actions that only add the ownership labels\n  pubsubctl apply --adopt %s\n", dir, dir, dir)
	return nil
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./,:=@+") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// read reads the project with the IAM policies of every resource, when
// they are readable: IAM that cannot be read is left out with a warning,
// never an error.
func (c *ExportCmd) read(rc *runContext, client *live.Client) (*model.State, []string, error) {
	var warnings []string
	// Topics and subscriptions first: the official emulator answers
	// Unimplemented for their IAM (no IAM at all), but InvalidArgument for
	// a schema's, so schemas are read apart.
	st, err := client.Read(rc.ctx, live.ReadOptions{IAMFor: func(k model.Kind, _ string) bool { return k != model.KindSchema }})
	if live.Classify(err) == live.Denied {
		// The resources may be listable while their IAM is not.
		st, err = client.Read(rc.ctx, live.ReadOptions{})
		if err != nil {
			return nil, nil, err
		}
		warnings = append(warnings, "IAM policies are not exported: reading them was denied; grant pubsub.topics.getIamPolicy, pubsub.subscriptions.getIamPolicy and pubsub.schemas.getIamPolicy (e.g. roles/pubsub.viewer) to export IAM")
		st.Policies = nil
		return st, warnings, nil
	}
	if err != nil {
		return nil, nil, err
	}
	if !st.IAMSupported {
		warnings = append(warnings, fmt.Sprintf("IAM policies are not exported: the %s does not support IAM", client.Target()))
		st.Policies = nil
		return st, warnings, nil
	}
	for _, s := range st.Schemas {
		full := model.FullName(st.Project, model.KindSchema, s.Name)
		p, err := client.GetPolicy(rc.ctx, model.KindSchema, full)
		switch {
		case err == nil:
			st.Policies[full] = p
		case live.IsNotFound(err): // deleted since it was listed
		default:
			warnings = append(warnings, fmt.Sprintf("the IAM policies of schemas are not exported: %v", err))
			return st, warnings, nil
		}
	}
	return st, warnings, nil
}
