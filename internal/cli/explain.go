package cli

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/agext/levenshtein"

	"github.com/pubsubctl/pubsubctl/internal/live"
	"github.com/pubsubctl/pubsubctl/internal/render"
	"github.com/pubsubctl/pubsubctl/model"
	"github.com/pubsubctl/pubsubctl/plan"
)

// ExplainCmd says why a resource, or one of its fields, is what it is.
type ExplainCmd struct {
	TargetFlags
	Address string `arg:"" name:"address" help:"What to explain: a resource (topic.orders, subscription.audit[\"eu\"]) or one of its fields (subscription.orders-billing.ack_deadline, ...retry_policy.minimum_backoff)."`
	Dir     string `default:"." help:"Configuration: a directory whose *.hcl files are read together, or a single .hcl file (default: the current directory)." placeholder:"DIR" type:"path"`
	JSON    bool   `name:"json" help:"Print the explanation as JSON."`
	Live    bool   `help:"Also read live state (real Pub/Sub with Application Default Credentials, or the emulator) to show live values and drift. Automatic when an emulator is set (--emulator or PUBSUB_EMULATOR_HOST)."`
	Offline bool   `help:"Never read live state, even when an emulator is set."`
}

// Help is the long help of explain.
func (*ExplainCmd) Help() string {
	return `Explains a resource of the configuration, or one of its fields: for each field the
effective value, where it came from (the file and line of the expression, the defaults
block, or pubsubctl's built-in default), Pub/Sub's own default, and whether changing it
updates the resource in place or forces a replace, and why. For a resource it also
lists the resources pubsubctl derives from it (the dead-letter topic and subscription),
its IAM members by role with the reason each is there (a shortcut, an iam block, a
dead-letter grant), and who can publish to it or consume from it (grants on the
resources themselves; project-level grants are not read).

Offline by default. Live state is read when an emulator is set (--emulator or
PUBSUB_EMULATOR_HOST), or with --live against real Pub/Sub (Application Default
Credentials): each field then shows its live value and whether it drifted, and the
resource whether it exists and who manages it. --offline never reads live state.

An address that the configuration does not declare is an error naming the nearest
addresses; an unknown field names the nearest fields. Values derived from sensitive
variables are shown as (sensitive).

Exit status: 0 explained, 1 unknown address or field, invalid configuration, a live
read that failed, or a usage error.

Examples:
  pubsubctl explain --dir examples/shop subscription.orders-billing.ack_deadline
  pubsubctl explain --dir examples/shop subscription.orders-billing
  pubsubctl explain --dir examples/shop 'subscription.orders-audit["eu"]' --json
  PUBSUB_EMULATOR_HOST=127.0.0.1:8085 pubsubctl explain --dir infra/ topic.orders   # with live values`
}

// explanation is what explain prints, and its JSON form.
type explanation struct {
	Address     string             `json:"address"`
	Kind        string             `json:"kind"`
	Name        string             `json:"name"`
	DeclaredAt  string             `json:"declared_at,omitempty"`
	DerivedFrom string             `json:"derived_from,omitempty"`
	Live        *liveResource      `json:"live,omitempty"`
	Fields      []fieldExplanation `json:"fields"`
	Derived     []derivedResource  `json:"derived,omitempty"`
	IAM         []roleMembers      `json:"iam,omitempty"`
	Publishers  []access           `json:"publishers,omitempty"`
	Consumers   []access           `json:"consumers,omitempty"`
	Warnings    []string           `json:"warnings,omitempty"`
}

type fieldExplanation struct {
	Path      string `json:"path"`
	Value     any    `json:"value"`
	Sensitive bool   `json:"sensitive,omitempty"`
	// Source is model.Source.Name(): configuration, defaults_block,
	// builtin or unset.
	Source         string     `json:"source"`
	Location       string     `json:"location,omitempty"`
	BuiltinDefault string     `json:"builtin_default,omitempty"`
	PubSubDefault  string     `json:"pubsub_default,omitempty"`
	Change         string     `json:"change"` // in-place, replace or new-revision
	Why            string     `json:"why,omitempty"`
	Live           *fieldLive `json:"live,omitempty"`

	shown  string // the value as people read it
	source model.Source
}

type fieldLive struct {
	Value any  `json:"value"`
	Drift bool `json:"drift"`
	shown string
}

type liveResource struct {
	Target string `json:"target"`
	// Status is in-sync, drifted, absent, unmanaged or other-stack.
	Status string `json:"status"`
	Detail string `json:"detail"`
	// PendingIAM lists the member changes apply would make to the
	// resource's policy ("+ roles/... member (why)").
	PendingIAM []string `json:"pending_iam,omitempty"`
}

type derivedResource struct {
	Address string `json:"address"`
	Name    string `json:"name"`
	Role    string `json:"role"`
}

type roleMembers struct {
	Role    string      `json:"role"`
	Members []memberWhy `json:"members"`
}

type memberWhy struct {
	Member   string `json:"member"`
	Why      string `json:"why"`
	Location string `json:"location,omitempty"`
}

type access struct {
	Who string `json:"who"`
	Via string `json:"via"`
}

// Run loads the configuration, finds the address and explains it.
func (c *ExplainCmd) Run(rc *runContext) error {
	if c.Live && c.Offline {
		return &exitError{code: ExitUsage, err: errors.New("--live and --offline contradict each other: choose one")}
	}
	res, _, err := rc.load(c.Dir)
	if err != nil {
		return err
	}
	cfg := res.Config
	r, field, err := resolveExplainAddress(cfg, c.Address)
	if err != nil {
		return &exitError{code: ExitError, err: err}
	}
	ex := explain(cfg, r)
	if field != "" {
		if ex.Fields, err = selectFields(r, ex.Fields, field); err != nil {
			return &exitError{code: ExitError, err: err}
		}
	}
	target := live.TargetOf(c.Emulator, rc.env)
	if c.Live || (!c.Offline && strings.HasPrefix(target, "emulator ")) {
		client, err := rc.connect(cfg.Project, c.TargetFlags, 0)
		if err != nil {
			return err
		}
		defer client.Close()
		p, st, _, err := rc.planWith(client, cfg, nil, false)
		if err != nil {
			return err
		}
		addLive(ex, cfg, r, p, st)
	}
	if c.JSON {
		enc := json.NewEncoder(rc.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(ex)
	}
	writeExplanation(rc.stdout, ex, field)
	return nil
}

// resolveExplainAddress finds the resource an ADDRESS[.FIELD] names and
// the field path after it ("" for the whole resource). Resource names may
// contain dots, so the longest declared address that prefixes s wins.
func resolveExplainAddress(cfg *model.Config, s string) (model.Resource, string, error) {
	var best model.Resource
	field := ""
	for _, r := range cfg.Resources() {
		a := r.Address().String()
		switch {
		case s == a:
			return r, "", nil
		case strings.HasPrefix(s, a+".") && (best == nil || len(a) > len(best.Address().String())):
			best, field = r, s[len(a)+1:]
		}
	}
	if best != nil {
		return best, field, nil
	}
	if dot := strings.IndexByte(s, '.'); dot < 0 || !validKind(s[:dot]) {
		_, err := model.ParseAddress(s)
		return nil, "", err
	}
	known := make([]model.Address, 0, len(cfg.Topics)+len(cfg.Subscriptions)+len(cfg.Schemas))
	for _, r := range cfg.Resources() {
		known = append(known, r.Address())
	}
	// The nearest to the whole text, and to the text without what may be
	// a field after the address.
	var near []string
	seen := map[string]bool{}
	for _, cand := range []string{s, s[:max(strings.LastIndexByte(s, '.'), 0)]} {
		a, err := model.ParseAddress(cand)
		if err != nil {
			continue
		}
		for _, n := range nearestAddresses(a, known) {
			if !seen[n] && len(near) < 3 {
				seen[n] = true
				near = append(near, n)
			}
		}
	}
	msg := fmt.Sprintf("%s: no such resource in the configuration", s)
	if len(near) > 0 {
		msg += "; did you mean " + strings.Join(near, " or ") + "?"
	} else if kind, ok := model.ParseKind(s[:strings.IndexByte(s, '.')]); ok {
		var of []string
		for _, a := range known {
			if a.Kind == kind && len(of) < 5 {
				of = append(of, a.String())
			}
		}
		if len(of) > 0 {
			msg += "; its " + kind.Collection() + " include " + strings.Join(of, ", ")
		}
	}
	return nil, "", errors.New(msg)
}

func validKind(s string) bool {
	_, ok := model.ParseKind(s)
	return ok
}

// explain describes r offline.
func explain(cfg *model.Config, r model.Resource) *explanation {
	addr := r.Address()
	meta := r.Metadata()
	ex := &explanation{
		Address:    addr.String(),
		Kind:       addr.Kind.String(),
		Name:       model.FullName(cfg.Project, addr.Kind, r.ID()),
		DeclaredAt: location(meta.DeclRange),
	}
	from := model.DerivedFrom(r)
	if from != nil {
		ex.DerivedFrom = from.String()
	}
	ex.Fields = append(ex.Fields, nameField(r, from))
	for _, v := range plan.Values(cfg.Project, r) {
		ex.Fields = append(ex.Fields, explainField(addr.Kind, meta, v, from))
	}
	ex.Derived = derivedOf(cfg, r)
	ex.IAM = membersByRole(r.Policy())
	ex.Publishers, ex.Consumers = whoCan(cfg, r)
	topic := r.ID()
	if s, ok := r.(*model.Subscription); ok {
		topic = model.ShortName(cfg.Project, model.KindTopic, s.Topic)
	}
	for _, loop := range render.ConfigGraph(cfg, render.GraphOptions{}).DeadLetterCycles() {
		if addr.Kind != model.KindSchema && contains(loop, topic) {
			ex.Warnings = append(ex.Warnings, "dead-letter cycle: "+strings.Join(loop, " -> ")+
				": a message that keeps failing circles between these topics instead of coming to rest")
		}
	}
	return ex
}

func nameField(r model.Resource, from *model.Address) fieldExplanation {
	f := fieldExplanation{Path: model.ResourceNameField, Value: r.ID(), shown: r.ID(), Change: "replace",
		Why: "a resource's name is its identity: a new name is a new resource (create the new, delete the old)"}
	meta := r.Metadata()
	switch {
	case from != nil:
		f.source, f.Location = model.SourceBuiltin, ""
	case meta.IsSet(model.ResourceNameField):
		f.source, f.Location = meta.Source(model.ResourceNameField), location(meta.Range(model.ResourceNameField))
	default:
		f.source, f.Location = model.SourceUser, location(meta.DeclRange)
	}
	f.Source = f.source.Name()
	if from != nil {
		f.BuiltinDefault = r.ID()
	}
	return f
}

// selectFields keeps the fields at path or under it; an unknown path is
// an error naming the nearest paths. A known attribute that is not set
// is explained as such.
func selectFields(r model.Resource, fields []fieldExplanation, path string) ([]fieldExplanation, error) {
	var out []fieldExplanation
	for _, f := range fields {
		if f.Path == path || strings.HasPrefix(f.Path, path+".") {
			out = append(out, f)
		}
	}
	if len(out) > 0 {
		return out, nil
	}
	kind := r.Address().Kind
	if row := model.LookupField(kind, path); row != nil && (row.Name == path || exactRow(kind, path) != nil) {
		f := fieldExplanation{Path: path, Value: nil, shown: "not set", source: model.SourceUnset, Source: model.SourceUnset.Name(),
			PubSubDefault: pubsubDefault(kind, path), BuiltinDefault: builtinDefault(kind, path)}
		f.Change, f.Why = mutability(kind, path)
		return []fieldExplanation{f}, nil
	}
	var cands []string
	for _, f := range fields {
		cands = append(cands, f.Path)
	}
	for _, row := range model.Fields {
		if row.Kind == kind {
			cands = append(cands, row.Name)
		}
	}
	msg := fmt.Sprintf("%s has no field %q", r.Address(), path)
	if near := nearestStrings(path, cands); len(near) > 0 {
		msg += "; did you mean " + strings.Join(near, " or ") + "?"
	}
	return nil, errors.New(msg)
}

// nearestStrings returns up to three candidates within a small edit
// distance of s, nearest first; a candidate that begins with s ("ack" for
// ack_deadline) is nearest.
func nearestStrings(s string, cands []string) []string {
	dist := map[string]int{}
	for _, c := range cands {
		d := levenshtein.Distance(s, c, nil)
		if strings.HasPrefix(c, s) {
			d = 0
		}
		if d <= max(3, len(s)/3) {
			dist[c] = d
		}
	}
	near := slices.SortedFunc(maps.Keys(dist), func(a, b string) int {
		return cmp.Or(cmp.Compare(dist[a], dist[b]), strings.Compare(a, b))
	})
	return near[:min(len(near), 3)]
}
