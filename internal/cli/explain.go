package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/agext/levenshtein"
	"github.com/hashicorp/hcl/v2"

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

// explainField describes one rendered field (plan.Values).
func explainField(kind model.Kind, meta *model.Meta, v plan.FieldDiff, from *model.Address) fieldExplanation {
	f := fieldExplanation{Path: v.Path, source: v.Source, Source: v.Source.Name(), Sensitive: v.Sensitive}
	if v.Sensitive {
		f.Value, f.shown = plan.SensitiveValue, plan.SensitiveValue
	} else {
		f.Value, f.shown = plan.Native(v.After), shownValue(v.After)
		if inSeconds(kind, v.Path) {
			f.shown = seconds(f.shown)
		}
	}
	if v.Source == model.SourceUser || v.Source == model.SourceDefaults {
		if r := meta.Range(v.Path); r != meta.DeclRange || from == nil {
			f.Location = location(r)
		}
	}
	f.BuiltinDefault = builtinDefault(kind, v.Path)
	f.PubSubDefault = pubsubDefault(kind, v.Path)
	f.Change, f.Why = mutability(kind, v.Path)
	return f
}

// inSeconds reports whether Pub/Sub counts a field in seconds
// (ack_deadline_seconds): explain shows it in seconds too ("60s", not
// "1m").
func inSeconds(kind model.Kind, path string) bool {
	row := exactRow(kind, path)
	return row != nil && strings.HasSuffix(row.Mask, "_seconds")
}

// seconds renders a duration text in seconds; any other text is returned
// as it is.
func seconds(s string) string {
	d, err := model.ParseDuration(s)
	if err != nil {
		return s
	}
	return strconv.FormatInt(int64(d.Seconds()), 10) + "s"
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
// distance of s.
func nearestStrings(s string, cands []string) []string {
	type cand struct {
		s string
		d int
	}
	var cs []cand
	seen := map[string]bool{}
	for _, c := range cands {
		if seen[c] {
			continue
		}
		seen[c] = true
		d := levenshtein.Distance(s, c, nil)
		if strings.HasPrefix(c, s) {
			d = 0 // "ack" for ack_deadline
		}
		if d <= max(3, len(s)/3) {
			cs = append(cs, cand{c, d})
		}
	}
	sort.Slice(cs, func(i, j int) bool { return cs[i].d < cs[j].d || cs[i].d == cs[j].d && cs[i].s < cs[j].s })
	var out []string
	for i := 0; i < len(cs) && i < 3; i++ {
		out = append(out, cs[i].s)
	}
	return out
}

// exactRow is the field table's row for exactly path, or nil.
func exactRow(kind model.Kind, path string) *model.Field {
	for _, f := range model.Fields {
		if f.Kind == kind && f.Name == path {
			return f
		}
	}
	return nil
}

// builtinDefault is pubsubctl's built-in default of a field, from the
// field table ("" when it has none).
func builtinDefault(kind model.Kind, path string) string {
	switch {
	case kind == model.KindSubscription && path == model.SubExpiration.Name:
		return "never"
	case strings.HasPrefix(path, "labels."+model.LabelManagedBy):
		return model.ManagedByValue
	}
	row := exactRow(kind, path)
	switch {
	case row == nil:
		return ""
	case row.Default != 0 && strings.HasSuffix(row.Mask, "_seconds"):
		return seconds(model.FormatDuration(row.Default))
	case row.Default != 0:
		return model.FormatDuration(row.Default)
	case row.DefaultCount != 0:
		return strconv.FormatInt(row.DefaultCount, 10)
	}
	return ""
}

// pubsubDefault is what Pub/Sub itself does when a field is not set, from
// the field table ("" when the table says nothing).
func pubsubDefault(kind model.Kind, path string) string {
	if kind == model.KindSubscription {
		switch {
		case strings.HasPrefix(path, model.SubRetryPolicy.Name):
			return "no retry policy: immediate redelivery"
		case path == model.SubDeadLetter.Name || path == model.SubDeadLetter.Name+".topic":
			return "no dead-letter topic: a message that keeps failing is redelivered forever"
		}
	}
	if strings.HasPrefix(path, "labels.") {
		return "no labels"
	}
	row := exactRow(kind, path)
	switch {
	case row == nil:
		return ""
	case row.ServerDefault != 0 && strings.HasSuffix(row.Mask, "_seconds"):
		return seconds(model.FormatDuration(row.ServerDefault))
	case row.ServerDefault != 0:
		return model.FormatDuration(row.ServerDefault)
	case row.ServerDefaultCount != 0:
		return strconv.FormatInt(row.ServerDefaultCount, 10)
	}
	return ""
}

// mutability says how apply changes a field, and why, from the field
// table.
func mutability(kind model.Kind, path string) (change, why string) {
	if path == model.ResourceNameField {
		return "replace", "a resource's name is its identity: a new name is a new resource"
	}
	row := model.LookupField(kind, path)
	switch {
	case row == nil:
		return "in-place", ""
	case row.Immutable != "":
		return "replace", row.Immutable
	case row == model.SchemaDefinition:
		return "new-revision", "a changed definition is committed as a new revision of the schema"
	case row.Mask != "":
		return "in-place", "updated in place (update mask " + row.Mask + ")"
	}
	return "in-place", ""
}

// shownValue is a rendered value as people read it: durations and
// "never" without quotes.
func shownValue(v string) string {
	if s, err := strconv.Unquote(v); err == nil {
		if _, err := model.ParseDuration(s); err == nil || s == "never" {
			return s
		}
	}
	return v
}

// location renders a range as file:line.
func location(r hcl.Range) string {
	if r.Filename == "" {
		return ""
	}
	return fmt.Sprintf("%s:%d", relDir(r.Filename), r.Start.Line)
}

// derivedOf lists the resources pubsubctl derives from r (a subscription's
// dead-letter topic and subscription).
func derivedOf(cfg *model.Config, r model.Resource) []derivedResource {
	addr := r.Address()
	var out []derivedResource
	for _, t := range cfg.Topics {
		if t.DerivedFrom != nil && *t.DerivedFrom == addr {
			out = append(out, derivedResource{Address: t.Addr.String(), Name: model.FullName(cfg.Project, model.KindTopic, t.Name),
				Role: "dead-letter topic: messages that fail delivery are forwarded here"})
		}
	}
	for _, s := range cfg.Subscriptions {
		if s.DerivedFrom != nil && *s.DerivedFrom == addr {
			out = append(out, derivedResource{Address: s.Addr.String(), Name: model.FullName(cfg.Project, model.KindSubscription, s.Name),
				Role: "pull subscription on the dead-letter topic, to inspect and replay dead letters"})
		}
	}
	return out
}

// membersByRole lists the declared members of each role with the reason
// each is there.
func membersByRole(p *model.IAM) []roleMembers {
	var out []roleMembers
	for _, role := range p.Roles() {
		rm := roleMembers{Role: role}
		seen := map[string]int{}
		for _, b := range p.Bindings {
			if b.Role != role {
				continue
			}
			why := originText(b.Origin)
			for i, m := range b.Members {
				loc := ""
				if i < len(b.MemberRanges) {
					loc = location(b.MemberRanges[i])
				} else if b.Range.Filename != "" {
					loc = location(b.Range)
				}
				if j, ok := seen[m]; ok {
					rm.Members[j].Why += "; " + why
					continue
				}
				seen[m] = len(rm.Members)
				rm.Members = append(rm.Members, memberWhy{Member: m, Why: why, Location: loc})
			}
		}
		out = append(out, rm)
	}
	return out
}

func originText(origin string) string {
	switch {
	case origin == "" || origin == "iam":
		return "iam block"
	case origin == "publishers" || origin == "subscribers" || origin == "viewers":
		return origin + " shortcut"
	case strings.HasPrefix(origin, "dead-letter grant"):
		return origin + ": the Pub/Sub service agent forwards dead letters"
	}
	return origin
}

// Roles whose members can publish to a topic or consume from a
// subscription (on the resource itself).
var (
	publishRoles = []string{model.RolePublisher, "roles/pubsub.editor", "roles/pubsub.admin", "roles/editor", "roles/owner"}
	consumeRoles = []string{model.RoleSubscriber, "roles/pubsub.editor", "roles/pubsub.admin", "roles/editor", "roles/owner"}
)

// whoCan lists who can publish to r (a topic, or a subscription's topic)
// and who consumes from it (a subscription's subscribers and delivery, or
// a topic's subscriptions).
func whoCan(cfg *model.Config, r model.Resource) (publishers, consumers []access) {
	grants := func(p *model.IAM, roles []string, via string) []access {
		var out []access
		for _, rm := range membersByRole(p) {
			if !contains(roles, rm.Role) {
				continue
			}
			for _, m := range rm.Members {
				if rm.Role == model.RoleSubscriber && strings.HasPrefix(m.Why, "dead-letter grant") {
					continue // the service agent forwards dead letters: it consumes nothing
				}
				out = append(out, access{Who: m.Member, Via: rm.Role + " on " + via + " (" + m.Why + ")"})
			}
		}
		return out
	}
	topicOf := func(full string) *model.Topic {
		for _, t := range cfg.Topics {
			if model.FullName(cfg.Project, model.KindTopic, t.Name) == full {
				return t
			}
		}
		return nil
	}
	subConsumers := func(s *model.Subscription) []access {
		out := grants(&s.IAM, consumeRoles, s.Addr.String())
		switch {
		case s.Push != nil:
			via := "push to " + s.Push.Endpoint
			if s.Push.OIDC != nil {
				via += " (OIDC token as " + s.Push.OIDC.ServiceAccount + ")"
			}
			out = append(out, access{Who: s.Push.Endpoint, Via: via + " from " + s.Addr.String()})
		case s.BigQuery != nil:
			out = append(out, access{Who: "bigquery:" + s.BigQuery.Table, Via: "BigQuery export from " + s.Addr.String()})
		case s.CloudStorage != nil:
			out = append(out, access{Who: "gs://" + s.CloudStorage.Bucket, Via: "Cloud Storage export from " + s.Addr.String()})
		}
		return out
	}
	switch r := r.(type) {
	case *model.Topic:
		publishers = grants(&r.IAM, publishRoles, r.Addr.String())
		full := model.FullName(cfg.Project, model.KindTopic, r.Name)
		for _, s := range cfg.Subscriptions {
			if s.Topic == full {
				consumers = append(consumers, subConsumers(s)...)
				if len(subConsumers(s)) == 0 {
					consumers = append(consumers, access{Who: s.Addr.String(), Via: "pull subscription (no subscriber declared on it)"})
				}
			}
		}
	case *model.Subscription:
		if t := topicOf(r.Topic); t != nil {
			publishers = grants(&t.IAM, publishRoles, t.Addr.String())
		}
		consumers = subConsumers(r)
	}
	return publishers, consumers
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// addLive adds what live state says about r: whether it exists and who
// manages it, each field's live value and drift, pending IAM changes.
func addLive(ex *explanation, cfg *model.Config, r model.Resource, p *plan.Plan, st *model.State) {
	addr := r.Address()
	kind := addr.Kind
	lr := &liveResource{Target: p.Target}
	ex.Live = lr
	var change *plan.Change
	for i := range p.Changes {
		if p.Changes[i].Address == addr {
			change = &p.Changes[i]
		}
	}
	var liveRes model.Resource
	for _, x := range st.Resources() {
		if x.Address().Kind == addr.Kind && x.ID() == r.ID() {
			liveRes = x
		}
	}
	liveValues := map[string]plan.FieldDiff{}
	if liveRes != nil {
		for _, v := range plan.Values(cfg.Project, liveRes) {
			liveValues[v.Path] = v
		}
	}
	for _, u := range p.Unmanaged {
		if u.Kind == addr.Kind && u.ID == r.ID() {
			lr.Status, lr.Detail = "unmanaged", "exists without this stack's labels: apply leaves it alone until it is adopted (plan --adopt)"
			if u.Stack != "" {
				lr.Status, lr.Detail = "other-stack", "exists and is managed by stack "+u.Stack+": this stack never changes it"
			}
		}
	}
	drifted := map[string]plan.FieldDiff{}
	switch {
	case lr.Status != "":
	case change != nil && change.Action == plan.ActionCreate:
		lr.Status, lr.Detail = "absent", "does not exist: apply would create it"
	case change != nil:
		for _, fd := range change.Fields {
			drifted[fd.Path] = fd
		}
		lr.Status, lr.Detail = "drifted", fmt.Sprintf("exists; apply would %s it (%s)", change.Action, plural(len(change.Fields), "field"))
		if change.Action == plan.ActionReplace && len(change.ReplaceReasons) > 0 {
			lr.Detail += ": " + strings.Join(change.ReplaceReasons, "; ")
		}
	default:
		lr.Status, lr.Detail = "in-sync", "exists, managed by this stack, every field as configured"
	}
	for _, ic := range p.IAM {
		if ic.Address != addr {
			continue
		}
		for _, m := range ic.Members {
			lr.PendingIAM = append(lr.PendingIAM, m.String())
		}
	}
	if len(lr.PendingIAM) > 0 && lr.Status == "in-sync" {
		lr.Status, lr.Detail = "drifted", "exists; its IAM policy differs"
	}
	for i := range ex.Fields {
		f := &ex.Fields[i]
		switch {
		case lr.Status == "absent":
			continue
		case f.Path == model.ResourceNameField:
			f.Live = &fieldLive{Value: r.ID(), shown: r.ID()}
			continue
		}
		if fd, ok := drifted[f.Path]; ok {
			before, _ := fd.Display()
			f.Live = &fieldLive{Value: nativeOrNil(before, fd.Sensitive), Drift: true, shown: orNotSet(shownIn(kind, f.Path, before))}
			continue
		}
		if lr.Status == "unmanaged" || lr.Status == "other-stack" {
			lv, ok := liveValues[f.Path]
			shown, val := "not set", any(nil)
			if ok {
				_, after := lv.Display()
				if f.Sensitive {
					after = plan.SensitiveValue
				}
				shown, val = shownIn(kind, f.Path, after), nativeOrNil(after, f.Sensitive)
			}
			f.Live = &fieldLive{Value: val, Drift: shown != f.shown, shown: shown}
			continue
		}
		f.Live = &fieldLive{Value: f.Value, shown: f.shown}
	}
}

// shownIn is a rendered value of kind's field at path as people read it.
func shownIn(kind model.Kind, path, v string) string {
	if v == "" {
		return ""
	}
	s := shownValue(v)
	if inSeconds(kind, path) {
		s = seconds(s)
	}
	return s
}

func nativeOrNil(v string, sensitive bool) any {
	if v == "" {
		return nil
	}
	if sensitive || v == plan.SensitiveValue {
		return plan.SensitiveValue
	}
	return plan.Native(v)
}

func orNotSet(s string) string {
	if s == "" {
		return "not set"
	}
	return s
}

// fieldLine is the one-line explanation of a field:
// "60s, pubsubctl built-in default (Pub/Sub's own is 10s), in-place update".
func fieldLine(f fieldExplanation) string {
	var b strings.Builder
	b.WriteString(f.shown)
	b.WriteString(", ")
	switch f.source {
	case model.SourceUser:
		if f.Location != "" {
			b.WriteString("set at " + f.Location)
		} else {
			b.WriteString("derived by pubsubctl")
		}
	case model.SourceDefaults:
		b.WriteString("defaults block")
		if f.Location != "" {
			b.WriteString(" at " + f.Location)
		}
	case model.SourceBuiltin:
		b.WriteString("pubsubctl built-in default")
	default:
		b.WriteString("not set: Pub/Sub's own default applies")
	}
	var notes []string
	if f.source == model.SourceDefaults && f.BuiltinDefault != "" {
		notes = append(notes, "pubsubctl's built-in is "+f.BuiltinDefault)
	}
	if f.PubSubDefault != "" {
		notes = append(notes, "Pub/Sub's own is "+f.PubSubDefault)
	}
	if len(notes) > 0 {
		b.WriteString(" (" + strings.Join(notes, "; ") + ")")
	}
	switch f.Change {
	case "replace":
		b.WriteString(", forces replace: " + f.Why)
	case "new-revision":
		b.WriteString(", new schema revision")
	default:
		b.WriteString(", in-place update")
	}
	return b.String()
}

func liveLine(f fieldExplanation) string {
	if f.Live == nil {
		return ""
	}
	if f.Live.Drift {
		return "live: " + f.Live.shown + " (drift)"
	}
	return "live: " + f.Live.shown + " (as configured)"
}

// writeExplanation prints ex for people. With a field, only the field
// lines (and the live status) are printed.
func writeExplanation(w io.Writer, ex *explanation, field string) {
	if field != "" {
		for _, f := range ex.Fields {
			fmt.Fprintf(w, "%s.%s: %s\n", ex.Address, f.Path, fieldLine(f))
			if l := liveLine(f); l != "" {
				fmt.Fprintf(w, "  %s\n", l)
			}
		}
		if ex.Live != nil && (ex.Live.Status == "absent" || ex.Live.Status == "unmanaged" || ex.Live.Status == "other-stack") {
			fmt.Fprintf(w, "  live (%s): %s\n", ex.Live.Target, ex.Live.Detail)
		}
		for _, s := range ex.Warnings {
			fmt.Fprintf(w, "Warning: %s\n", s)
		}
		return
	}
	fmt.Fprintf(w, "%s\n", ex.Address)
	fmt.Fprintf(w, "  name:        %s\n", ex.Name)
	if ex.DerivedFrom != "" {
		fmt.Fprintf(w, "  derived from: %s (pubsubctl creates it; it is not declared)\n", ex.DerivedFrom)
	}
	if ex.DeclaredAt != "" {
		fmt.Fprintf(w, "  declared at: %s\n", ex.DeclaredAt)
	}
	if ex.Live != nil {
		fmt.Fprintf(w, "  live:        %s, %s (%s)\n", ex.Live.Status, ex.Live.Detail, ex.Live.Target)
		for _, m := range ex.Live.PendingIAM {
			fmt.Fprintf(w, "    IAM pending: %s\n", m)
		}
	}
	fmt.Fprintf(w, "\nFields:\n")
	for _, f := range ex.Fields {
		fmt.Fprintf(w, "  %s: %s\n", f.Path, fieldLine(f))
		if l := liveLine(f); l != "" {
			fmt.Fprintf(w, "    %s\n", l)
		}
	}
	if len(ex.Derived) > 0 {
		fmt.Fprintf(w, "\nDerived resources:\n")
		for _, d := range ex.Derived {
			fmt.Fprintf(w, "  %s: %s\n", d.Address, d.Role)
		}
	}
	if len(ex.IAM) > 0 {
		fmt.Fprintf(w, "\nIAM (on this %s):\n", ex.Kind)
		for _, rm := range ex.IAM {
			fmt.Fprintf(w, "  %s\n", rm.Role)
			for _, m := range rm.Members {
				at := ""
				if m.Location != "" {
					at = ", " + m.Location
				}
				fmt.Fprintf(w, "    %s (%s%s)\n", m.Member, m.Why, at)
			}
		}
	}
	if ex.Kind != model.KindSchema.String() {
		fmt.Fprintf(w, "\nWho can publish (grants on the resources; project-level grants not shown):\n")
		writeAccess(w, ex.Publishers)
		fmt.Fprintf(w, "\nWho consumes:\n")
		writeAccess(w, ex.Consumers)
	}
	if len(ex.Warnings) > 0 {
		fmt.Fprintln(w)
		for _, s := range ex.Warnings {
			fmt.Fprintf(w, "Warning: %s\n", s)
		}
	}
}

func writeAccess(w io.Writer, as []access) {
	if len(as) == 0 {
		fmt.Fprintf(w, "  nobody declared\n")
		return
	}
	for _, a := range as {
		fmt.Fprintf(w, "  %s: %s\n", a.Who, a.Via)
	}
}
