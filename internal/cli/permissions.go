package cli

import (
	"fmt"
	"sort"
	"strings"

	"github.com/pubsubctl/pubsubctl/iam"
	"github.com/pubsubctl/pubsubctl/model"
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
	accounts := actAsAccounts(cfg)
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
	return nil
}

// actAsAccounts lists the service accounts subscriptions make Pub/Sub act
// as (push OIDC, BigQuery and Cloud Storage exports).
func actAsAccounts(c *model.Config) []string {
	set := map[string]bool{}
	for _, s := range c.Subscriptions {
		if s.Push != nil && s.Push.OIDC != nil && s.Push.OIDC.ServiceAccount != "" {
			set[s.Push.OIDC.ServiceAccount] = true
		}
		if s.BigQuery != nil && s.BigQuery.ServiceAccount != "" {
			set[s.BigQuery.ServiceAccount] = true
		}
		if s.CloudStorage != nil && s.CloudStorage.ServiceAccount != "" {
			set[s.CloudStorage.ServiceAccount] = true
		}
	}
	out := make([]string, 0, len(set))
	for a := range set {
		out = append(out, a)
	}
	sort.Strings(out)
	return out
}
