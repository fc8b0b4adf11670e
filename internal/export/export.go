package export

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/pubsubctl/pubsubctl/model"
)

// Layouts of the exported files (Options.Split).
const (
	// SplitByTopic writes main.hcl (the pubsubctl block), schemas.hcl, one
	// <topic>.hcl per topic holding the topic and its subscriptions, and
	// orphans.hcl for subscriptions whose topic is not exported.
	SplitByTopic = "by-topic"
	// SplitSingle writes everything to main.hcl.
	SplitSingle = "single"
)

// File names Generate writes besides the per-topic files.
const (
	MainFile    = "main.hcl"
	SchemasFile = "schemas.hcl"
	OrphansFile = "orphans.hcl"
	SchemaDir   = "schemas"
)

// DeletedSchema is what Pub/Sub reports as the schema of a topic whose
// schema was deleted.
const DeletedSchema = "_deleted-schema_"

// deletedTopic is what Pub/Sub reports as the topic of a subscription whose
// topic was deleted (plan.DeletedTopic).
const deletedTopic = "_deleted-topic_"

// NoDeadLetterReason is the reason written on subscriptions that have no
// dead-letter policy live.
const NoDeadLetterReason = "exported: no dead-letter policy live"

// Options tune Generate.
type Options struct {
	// Stack is the stack name written to the pubsubctl block. Required.
	// Resources labelled by another stack are not exported.
	Stack string
	// Match selects resources by ID; nil selects everything. A subscription
	// is selected when its ID or its topic's ID matches, a schema when its
	// ID matches or an exported topic uses it.
	Match *regexp.Regexp
	// Split is SplitByTopic (the default when empty) or SplitSingle.
	Split string
	// ProjectNumber, when known, is written to the pubsubctl block. The
	// Pub/Sub service agent's dead-letter grants are then left out of the
	// IAM (pubsubctl derives them from the dead-letter policies).
	ProjectNumber string
}

// Generate renders st as a pubsubctl configuration. It returns the files to
// write (name relative to the output directory, slash-separated → content):
// formatted HCL files and the schema definitions they read with file(). The
// warnings say what was left out or will change on adoption, one sentence
// each, in a stable order. The result is deterministic.
func Generate(st *model.State, opts Options) (map[string][]byte, []string, error) {
	if st == nil {
		return nil, nil, errors.New("export: no live state")
	}
	if st.Project == "" {
		return nil, nil, errors.New("export: the live state has no project")
	}
	if opts.Stack == "" {
		return nil, nil, errors.New("export: no stack name: every configuration names its stack (e.g. --stack shop)")
	}
	if n := utf8.RuneCountInString(opts.Stack); n < 1 || n > 63 || !stackRE.MatchString(opts.Stack) {
		return nil, nil, fmt.Errorf("export: %q cannot be a stack name: it is written to the %s label, so it must be 1 to 63 lower-case letters, digits, underscores or hyphens", opts.Stack, model.LabelStack)
	}
	if opts.ProjectNumber != "" && !projectNumberRE.MatchString(opts.ProjectNumber) {
		return nil, nil, fmt.Errorf("export: %q is not a project number (the numeric identifier of the project, e.g. \"123456789012\")", opts.ProjectNumber)
	}
	switch opts.Split {
	case "":
		opts.Split = SplitByTopic
	case SplitByTopic, SplitSingle:
	default:
		return nil, nil, fmt.Errorf("export: unknown split %q: want %q or %q", opts.Split, SplitByTopic, SplitSingle)
	}
	e := newExporter(st, opts)
	e.selectResources()
	e.assignLabels()
	e.checkDeadLetterGrants()
	return e.render(), e.warnings, nil
}

var (
	// A label value: at most 63 characters, checked apart (a counted
	// repetition of Unicode classes compiles to megabytes at start).
	stackRE         = regexp.MustCompile(`^[\p{Ll}\p{Lo}\p{N}_-]+$`)
	projectNumberRE = regexp.MustCompile(`^[0-9]{1,20}$`)
)

type exporter struct {
	st      *model.State
	opts    Options
	project string

	warnings []string

	schemas []*model.Schema
	topics  []*model.Topic
	subs    []*model.Subscription

	// labels maps kind → resource ID → block label, for exported resources.
	labels map[model.Kind]map[string]string
	// dlTopics holds the full names of the dead-letter topics of exported
	// subscriptions.
	dlTopics map[string]bool
	agent    string
}

func newExporter(st *model.State, opts Options) *exporter {
	e := &exporter{
		st:       st,
		opts:     opts,
		project:  st.Project,
		labels:   map[model.Kind]map[string]string{},
		dlTopics: map[string]bool{},
	}
	if opts.ProjectNumber != "" {
		e.agent = model.ServiceAgent(opts.ProjectNumber)
	}
	return e
}

func (e *exporter) warnf(format string, args ...any) {
	e.warnings = append(e.warnings, fmt.Sprintf(format, args...))
}

func (e *exporter) match(id string) bool {
	return e.opts.Match == nil || e.opts.Match.MatchString(id)
}

func (e *exporter) full(k model.Kind, id string) string { return model.FullName(e.project, k, id) }

// foreign reports whether another stack manages the resource, and warns
// that it is not exported when so.
func (e *exporter) foreign(kind, id string, labels map[string]string) bool {
	if labels[model.LabelManagedBy] != model.ManagedByValue {
		return false
	}
	if s := labels[model.LabelStack]; s != "" && s != e.opts.Stack {
		e.warnf("%s %s is managed by stack %q: not exported (that stack can hand it over with `pubsubctl forget`)", kind, id, s)
		return true
	}
	return false
}

func (e *exporter) ours(labels map[string]string) bool { return model.OwnedBy(labels, e.opts.Stack) }

// selectResources picks the resources to export, in ID order.
func (e *exporter) selectResources() {
	for _, t := range uniqueByID(e.st.Topics) {
		if e.foreign("topic", t.Name, t.Labels) {
			continue
		}
		if !e.match(t.Name) {
			e.unmatchedOwned("topic", t.Name, t.Labels)
			continue
		}
		e.topics = append(e.topics, t)
	}
	for _, s := range uniqueByID(e.st.Subscriptions) {
		if e.foreign("subscription", s.Name, s.Labels) {
			continue
		}
		topicID := ""
		if _, id, ok := model.SplitName(s.Topic, model.KindTopic); ok {
			topicID = id
		}
		if !e.match(s.Name) && (topicID == "" || !e.match(topicID)) {
			e.unmatchedOwned("subscription", s.Name, s.Labels)
			continue
		}
		if s.Topic == deletedTopic || s.Detached {
			why := fmt.Sprintf("its topic was deleted (Pub/Sub reports %s) and a subscription cannot be re-attached", deletedTopic)
			if s.Topic != deletedTopic {
				why = "it is detached from its topic, which cannot be undone"
			}
			also := ""
			if e.ours(s.Labels) {
				also = fmt.Sprintf(" (it carries the labels of stack %q, so planning the export would delete it)", e.opts.Stack)
			}
			e.warnf("subscription %s is skipped: %s, so pubsubctl cannot adopt it; recreate it or delete it%s", s.Name, why, also)
			continue
		}
		e.subs = append(e.subs, s)
		if s.DeadLetter != nil && s.DeadLetter.Topic != "" {
			e.dlTopics[e.qualify(model.KindTopic, s.DeadLetter.Topic)] = true
		}
	}
	used := map[string]bool{}
	for _, t := range e.topics {
		if t.Schema != nil {
			used[t.Schema.Schema] = true
		}
	}
	for _, s := range uniqueByID(e.st.Schemas) {
		if e.match(s.Name) || used[e.full(model.KindSchema, s.Name)] {
			e.schemas = append(e.schemas, s)
		}
	}
}

// uniqueByID returns the resources of rs in ID order, without nils and
// keeping the first of those that share an ID.
func uniqueByID[E any, R interface {
	*E
	model.Resource
}](rs []R) []R {
	out := slices.DeleteFunc(slices.Clone(rs), func(r R) bool { return r == nil })
	slices.SortStableFunc(out, func(a, b R) int { return strings.Compare(a.ID(), b.ID()) })
	return slices.CompactFunc(out, func(a, b R) bool { return a.ID() == b.ID() })
}

// unmatchedOwned warns about a resource that --match leaves out although it
// carries the exported stack's labels: planning the export would delete it.
func (e *exporter) unmatchedOwned(kind, id string, labels map[string]string) {
	if e.ours(labels) {
		e.warnf("%s %s carries the labels of stack %q but does not match the selection: it is not exported, and planning the export as stack %q would delete it", kind, id, e.opts.Stack, e.opts.Stack)
	}
}

// qualify turns an ID of the project into a full name; full names pass.
func (e *exporter) qualify(k model.Kind, name string) string {
	if strings.Contains(name, "/") {
		return name
	}
	return e.full(k, name)
}

// assignLabels gives every exported resource a block label that is a valid
// HCL identifier and unique within its kind: the ID itself when it is one,
// else the ID with every other character replaced by "_" (and a numeric
// suffix on collision).
func (e *exporter) assignLabels() {
	assign := func(k model.Kind, ids []string) {
		m := map[string]string{}
		taken := map[string]bool{}
		for _, id := range ids {
			if hclsyntax.ValidIdentifier(id) {
				m[id] = id
				taken[id] = true
			}
		}
		for _, id := range ids {
			if _, ok := m[id]; ok {
				continue
			}
			base := sanitize(id)
			label := base
			for n := 2; taken[label]; n++ {
				label = fmt.Sprintf("%s_%d", base, n)
			}
			m[id] = label
			taken[label] = true
		}
		e.labels[k] = m
	}
	var ids []string
	for _, s := range e.schemas {
		ids = append(ids, s.Name)
	}
	assign(model.KindSchema, ids)
	ids = nil
	for _, t := range e.topics {
		ids = append(ids, t.Name)
	}
	assign(model.KindTopic, ids)
	ids = nil
	for _, s := range e.subs {
		ids = append(ids, s.Name)
	}
	assign(model.KindSubscription, ids)
}

// sanitize makes an HCL identifier of a resource ID.
func sanitize(id string) string {
	var b strings.Builder
	for i, r := range id {
		ok := r == '_' || r == '-' || r < 128 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
		if i == 0 && (r == '-' || r >= '0' && r <= '9') {
			b.WriteByte('_')
		}
		if ok {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	if b.Len() == 0 {
		return "_"
	}
	return b.String()
}

// exportedLabel returns the block label of an exported resource given its
// full name (or an ID of the project), and whether it is exported.
func (e *exporter) exportedLabel(k model.Kind, name string) (string, bool) {
	p, id, ok := model.SplitName(e.qualify(k, name), k)
	if !ok || p != e.project {
		return "", false
	}
	l, ok := e.labels[k][id]
	return l, ok
}

// checkDeadLetterGrants warns when the project number is known and the
// Pub/Sub service agent lacks a dead-letter grant that pubsubctl will add.
func (e *exporter) checkDeadLetterGrants() {
	if e.agent == "" || e.st.Policies == nil {
		return
	}
	has := func(full, role string) (known, ok bool) {
		p, found := e.st.Policies[full]
		if !found {
			return false, false
		}
		for _, m := range p.Members(role) {
			if strings.EqualFold(m, e.agent) {
				return true, true
			}
		}
		return true, false
	}
	for _, s := range e.subs {
		if s.DeadLetter == nil {
			continue
		}
		if known, ok := has(e.full(model.KindSubscription, s.Name), model.RoleSubscriber); known && !ok {
			e.warnf("subscription %s dead-letters, but the Pub/Sub service agent %s lacks %s on it: dead-lettering fails until it is granted, and the plan adds it", s.Name, e.agent, model.RoleSubscriber)
		}
	}
	names := make([]string, 0, len(e.dlTopics))
	for n := range e.dlTopics {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if known, ok := has(n, model.RolePublisher); known && !ok {
			e.warnf("topic %s receives dead letters, but the Pub/Sub service agent %s lacks %s on it: dead-lettering fails until it is granted, and the plan adds it", model.ShortName(e.project, model.KindTopic, n), e.agent, model.RolePublisher)
		}
	}
}

// Counts are how many resources of each kind an export holds.
type Counts struct {
	Schemas, Topics, Subscriptions int
}

// Count returns how many resources Generate(st, opts) exports, for a
// summary line. It applies the same selection and needs valid options.
func Count(st *model.State, opts Options) Counts {
	if st == nil {
		return Counts{}
	}
	e := newExporter(st, opts)
	e.selectResources()
	return Counts{Schemas: len(e.schemas), Topics: len(e.topics), Subscriptions: len(e.subs)}
}
