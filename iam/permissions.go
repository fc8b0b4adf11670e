package iam

import (
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/pubsubctl/pubsubctl/model"
)

// Permission is one IAM permission the identity running pubsubctl needs,
// with the reason it needs it.
type Permission struct {
	Name   string
	Reason string
}

// PermissionNeeds describes what a run of pubsubctl does that needs
// permissions. Needs derives it from a configuration; a caller that knows
// more (say, that destroying is not allowed) may adjust it before calling
// Permissions.
type PermissionNeeds struct {
	// Apply adds what apply needs to what plan needs.
	Apply bool
	// ManagesIAM is true when any resource's IAM policy is managed.
	ManagesIAM bool
	// Kinds are the resource kinds whose IAM policies pubsubctl manages
	// (reads at plan, writes at apply): kinds with declared IAM, kinds that
	// receive the service agent's dead-letter grants, and kinds of external
	// bindings.
	Kinds map[model.Kind]bool
	// Declared are the resource kinds the configuration declares.
	Declared map[model.Kind]bool
	// SchemasOnTopics is true when a topic uses a schema.
	SchemasOnTopics bool
	// NeedsProjectNumberLookup is true when the project number is unknown
	// but needed: a subscription dead-letters, so the Pub/Sub service agent
	// must be granted.
	NeedsProjectNumberLookup bool
	// Deletes is true when apply may delete: pruning this stack's resources
	// that left the configuration, or replacing a subscription whose
	// immutable field changed.
	Deletes bool
	// ActsAs is true when a subscription names a service account Pub/Sub
	// acts as (push OIDC token, BigQuery or Cloud Storage export).
	ActsAs bool
	// Tags is true when a topic or subscription is created with tags.
	Tags bool
}

// Needs derives the permission needs of planning (forApply false) or
// applying c, which is the configuration after model.ApplyDefaults. For
// apply, Deletes is true: it is the worst case, since the configuration
// alone does not say whether destroying is allowed.
func Needs(c *model.Config, forApply bool) PermissionNeeds {
	n := PermissionNeeds{
		Apply:    forApply,
		Kinds:    map[model.Kind]bool{},
		Declared: map[model.Kind]bool{},
		Deletes:  forApply,
	}
	for _, r := range c.Resources() {
		k := r.Address().Kind
		n.Declared[k] = true
		if !r.Policy().Empty() {
			n.Kinds[k] = true
		}
	}
	for _, t := range c.Topics {
		if t.Schema != nil && t.Schema.Schema != "" {
			n.SchemasOnTopics = true
		}
	}
	for _, s := range c.Subscriptions {
		if s.DeadLetter != nil {
			// The service agent gets subscriber on the subscription and
			// publisher on the dead-letter topic, once the project number
			// is known (set, or looked up).
			n.Kinds[model.KindSubscription] = true
			n.Kinds[model.KindTopic] = true
			if c.ProjectNumber == "" {
				n.NeedsProjectNumberLookup = true
			}
		}
		if (s.Push != nil && s.Push.OIDC != nil && s.Push.OIDC.ServiceAccount != "") ||
			(s.BigQuery != nil && s.BigQuery.ServiceAccount != "") ||
			(s.CloudStorage != nil && s.CloudStorage.ServiceAccount != "") {
			n.ActsAs = true
		}
	}
	for _, eb := range c.ExternalBindings {
		if !eb.IAM.Empty() {
			n.Kinds[eb.Kind] = true
		}
	}
	featureNeeds(c, &n)
	n.ManagesIAM = len(n.Kinds) > 0
	return n
}

// Permission names and why pubsubctl needs each.
var permissionReasons = map[string]string{
	"pubsub.topics.list":        "plan lists the project's topics to compare live state with the configuration and find this stack's resources",
	"pubsub.subscriptions.list": "plan lists the project's subscriptions to compare live state with the configuration and find this stack's resources",
	"pubsub.schemas.list":       "plan lists the project's schemas because the configuration declares schemas or a topic uses one",

	"pubsub.topics.getIamPolicy":        "plan reads the IAM policy of topics whose IAM pubsubctl manages",
	"pubsub.subscriptions.getIamPolicy": "plan reads the IAM policy of subscriptions whose IAM pubsubctl manages",
	"pubsub.schemas.getIamPolicy":       "plan reads the IAM policy of schemas whose IAM pubsubctl manages",
	"pubsub.topics.setIamPolicy":        "apply writes the IAM policy of topics whose IAM pubsubctl manages",
	"pubsub.subscriptions.setIamPolicy": "apply writes the IAM policy of subscriptions whose IAM pubsubctl manages",
	"pubsub.schemas.setIamPolicy":       "apply writes the IAM policy of schemas whose IAM pubsubctl manages",

	"pubsub.topics.create":     "apply creates topics",
	"pubsub.topics.get":        "apply re-reads a topic after an ambiguous outcome (DeadlineExceeded, AlreadyExists) to decide whether it took effect",
	"pubsub.subscriptions.get": "apply re-reads a subscription after an ambiguous outcome (DeadlineExceeded, AlreadyExists) to decide whether it took effect",
	"pubsub.schemas.get":       "apply re-reads a schema after an ambiguous outcome (DeadlineExceeded, AlreadyExists) to decide whether it took effect",
	"pubsub.topics.update":     "apply updates topics in place (labels, retention, storage policy, schema settings, KMS key)",
	"pubsub.topics.delete":     "apply deletes this stack's topics that left the configuration (only when destroying is allowed)",

	"pubsub.topics.attachSubscription": "apply creates subscriptions, which attaches them to their topic (checked on the topic)",
	"pubsub.subscriptions.create":      "apply creates subscriptions",
	"pubsub.subscriptions.update":      "apply updates subscriptions in place",
	"pubsub.subscriptions.delete":      "apply deletes this stack's subscriptions that left the configuration, or replaces one whose topic, filter or ordering changed (only when destroying is allowed)",

	"pubsub.schemas.create": "apply creates schemas",
	"pubsub.schemas.commit": "apply commits a new schema revision when a definition changes",
	"pubsub.schemas.delete": "apply replaces a schema whose type changed (only when destroying is allowed)",
	"pubsub.schemas.attach": "apply sets a schema on a topic (checked on the schema)",

	"resourcemanager.projects.get": "look up the project number, which names the Pub/Sub service agent that needs the dead-letter grants; set project_number in the pubsubctl block to avoid it",
	"iam.serviceAccounts.actAs":    "apply creates or updates a subscription that names a service account (push OIDC token, BigQuery or Cloud Storage export); Pub/Sub acts as it, and IAM checks actAs on that service account",
}

// PermissionReason returns why pubsubctl needs a permission, or "" for a
// permission it never asks for.
func PermissionReason(name string) string { return permissionReasons[name] }

// Permissions returns the permissions n needs, sorted by name, each with
// its reason. Only pubsub.* permissions are listed, except
// resourcemanager.projects.get when the project number must be looked up and
// iam.serviceAccounts.actAs when apply configures a subscription that acts
// as a service account.
func (n PermissionNeeds) Permissions() []Permission {
	set := map[string]bool{
		"pubsub.topics.list":        true,
		"pubsub.subscriptions.list": true,
	}
	schemas := n.Declared[model.KindSchema] || n.SchemasOnTopics
	if schemas {
		set["pubsub.schemas.list"] = true
	}
	for k := range n.Kinds {
		set["pubsub."+k.Collection()+".getIamPolicy"] = true
		if n.Apply {
			set["pubsub."+k.Collection()+".setIamPolicy"] = true
		}
	}
	if n.NeedsProjectNumberLookup {
		set["resourcemanager.projects.get"] = true
	}
	if n.Apply {
		if n.Declared[model.KindTopic] {
			set["pubsub.topics.create"] = true
			set["pubsub.topics.get"] = true
			set["pubsub.topics.update"] = true
		}
		if n.Declared[model.KindSubscription] {
			set["pubsub.subscriptions.create"] = true
			set["pubsub.subscriptions.get"] = true
			set["pubsub.subscriptions.update"] = true
			set["pubsub.topics.attachSubscription"] = true
		}
		if n.Declared[model.KindSchema] {
			set["pubsub.schemas.create"] = true
			set["pubsub.schemas.get"] = true
			set["pubsub.schemas.commit"] = true
		}
		if n.SchemasOnTopics {
			set["pubsub.schemas.attach"] = true
		}
		if n.Deletes {
			// Pruning may delete any of this stack's topics and
			// subscriptions, even when the configuration declares none.
			set["pubsub.topics.delete"] = true
			set["pubsub.subscriptions.delete"] = true
			if n.Declared[model.KindSchema] {
				set["pubsub.schemas.delete"] = true
			}
		}
		if n.ActsAs {
			set["iam.serviceAccounts.actAs"] = true
		}
		if n.Tags {
			set[TagBindingPermission] = true
		}
	}
	out := make([]Permission, 0, len(set))
	for p := range set {
		out = append(out, Permission{Name: p, Reason: permissionReasons[p]})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// NeededPermissions returns the permissions, sorted, that the identity
// running pubsubctl needs to plan (forApply false) or apply c, the
// configuration after model.ApplyDefaults. See Needs and
// PermissionNeeds.Permissions; PermissionReason explains each.
func NeededPermissions(c *model.Config, forApply bool) []string {
	ps := Needs(c, forApply).Permissions()
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Name
	}
	return out
}

var permissionNameRE = regexp.MustCompile(`^[A-Za-z0-9_.]+$`)

// CustomRole returns a custom role definition granting perms, in the YAML
// format of `gcloud iam roles create ROLE_ID --project=PROJECT --file=FILE`:
// title, description, stage GA and includedPermissions (sorted,
// de-duplicated, each followed by a comment with its reason when known). An
// empty title becomes "pubsubctl".
func CustomRole(perms []string, title string) string {
	if title == "" {
		title = "pubsubctl"
	}
	ps := append([]string(nil), perms...)
	sort.Strings(ps)
	var b strings.Builder
	b.WriteString("title: " + strconv.Quote(title) + "\n")
	b.WriteString("description: " + strconv.Quote("Permissions pubsubctl needs, generated by `pubsubctl permissions`.") + "\n")
	b.WriteString("stage: GA\n")
	b.WriteString("includedPermissions:\n")
	for i, p := range ps {
		if i > 0 && p == ps[i-1] {
			continue
		}
		if permissionNameRE.MatchString(p) {
			b.WriteString("- " + p)
		} else {
			b.WriteString("- " + strconv.Quote(p))
		}
		if r := permissionReasons[p]; r != "" {
			b.WriteString("  # " + r)
		}
		b.WriteString("\n")
	}
	return b.String()
}
