package cli

import (
	"fmt"
	"strings"

	"github.com/pubsubctl/pubsubctl/iam"
)

// PermissionsCmd prints the permissions pubsubctl needs.
type PermissionsCmd struct {
	For    string `default:"apply" enum:"plan,apply" help:"What the identity runs: plan (read-only) or apply."`
	Format string `default:"list" enum:"list,role" help:"list: one permission per line with its reason; role: a custom-role definition for gcloud iam roles create --file."`
	Dir    string `arg:"" optional:"" default:"." help:"Configuration directory, or a single .hcl file (default: the current directory)." type:"path"`
}

// Run prints the permissions.
func (c *PermissionsCmd) Run(rc *runContext) error {
	res, _, err := rc.load(c.Dir)
	if err != nil {
		return err
	}
	cfg := res.Config
	var project []iam.Permission
	for _, p := range iam.Needs(cfg, c.For == "apply").Permissions() {
		// actAs is granted on each service account, never project-wide:
		// a project-level custom role with actAs could impersonate every
		// service account of the project.
		if p.Name != "iam.serviceAccounts.actAs" {
			project = append(project, p)
		}
	}
	accounts := iam.ActAsAccounts(cfg)
	if c.Format == "role" {
		names := make([]string, len(project))
		for i, p := range project {
			names[i] = p.Name
		}
		fmt.Fprint(rc.stdout, iam.CustomRole(names, "pubsubctl "+c.For+" ("+cfg.Stack+")"))
	} else {
		width := 0
		for _, p := range project {
			width = max(width, len(p.Name))
		}
		for _, p := range project {
			fmt.Fprintf(rc.stdout, "%-*s  # %s\n", width, p.Name, p.Reason)
		}
	}
	if c.For == "apply" && len(accounts) > 0 {
		fmt.Fprintf(rc.stderr, "\nAlso grant roles/iam.serviceAccountUser (iam.serviceAccounts.actAs) on each service account Pub/Sub acts as, on that account only:\n  %s\n", strings.Join(accounts, "\n  "))
	}
	if grants := iam.ServiceGrants(cfg); len(grants) > 0 {
		fmt.Fprintf(rc.stderr, "\nFor these features to work, outside pubsubctl:\n  %s\n", strings.Join(grants, "\n  "))
	}
	return nil
}
