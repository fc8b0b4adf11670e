package config

import (
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/pubsubctl/pubsubctl/model"
)

// bodySpec describes what a body may contain. Unlike hcl.BodySchema it
// lets one name be both an argument and a block type (`dead_letter = false`
// or `dead_letter { ... }`), and it reports unknown names with suggestions.
type bodySpec struct {
	attrs    []string
	required []string
	blocks   []*blockSpec
	anyAttrs bool   // locals: any argument name is fine
	noBlocks string // when set, blocks are rejected with this explanation
	kind     string // resource kind, for cross-kind hints
}

// blockSpec describes one nested block type.
type blockSpec struct {
	typ    string
	labels []string // label names, for messages
	repeat bool
	body   *bodySpec
}

func (s *bodySpec) hasAttr(name string) bool {
	for _, a := range s.attrs {
		if a == name {
			return true
		}
	}
	return false
}

func (s *bodySpec) block(typ string) *blockSpec {
	for _, b := range s.blocks {
		if b.typ == typ {
			return b
		}
	}
	return nil
}

func (s *bodySpec) blockTypes() []string {
	out := make([]string, len(s.blocks))
	for i, b := range s.blocks {
		out[i] = b.typ
	}
	return out
}

var (
	lifecycleSpec = &blockSpec{typ: "lifecycle", body: &bodySpec{attrs: []string{"prevent_destroy"}}}
	iamSpec       = &blockSpec{typ: "iam", repeat: true, body: &bodySpec{
		attrs:    []string{"role", "members", "allow_broad"},
		required: []string{"role", "members"},
		blocks: []*blockSpec{{typ: "condition", body: &bodySpec{
			attrs: []string{"title", "description", "expression"},
		}}},
	}}
	retryPolicySpec = &blockSpec{typ: model.SubRetryPolicy.Name, body: &bodySpec{
		attrs: []string{"minimum_backoff", "maximum_backoff"},
	}}

	topicSpec = &bodySpec{
		kind: "topic",
		attrs: []string{"for_each", "name", model.TopicLabels.Name, model.TopicMessageRetention.Name, model.TopicKMSKeyName.Name,
			"publishers", "viewers", "iam_policy", model.TopicTags.Name},
		blocks: []*blockSpec{
			{typ: model.TopicStoragePolicy.Name, body: &bodySpec{
				attrs:    []string{"allowed_persistence_regions", "enforce_in_transit"},
				required: []string{"allowed_persistence_regions"},
			}},
			{typ: model.TopicSchema.Name, body: &bodySpec{
				attrs:    []string{"name", "encoding", "first_revision_id", "last_revision_id"},
				required: []string{"name"},
			}},
			ingestionSpec, transformSpec,
			iamSpec, lifecycleSpec,
		},
	}

	subscriptionSpec = &bodySpec{
		kind: "subscription",
		attrs: []string{"for_each", "name", model.SubTopic.Name, model.SubAckDeadline.Name, model.SubMessageRetention.Name,
			model.SubRetainAcked.Name, model.SubExpiration.Name, model.SubFilter.Name, model.SubMessageOrdering.Name,
			model.SubExactlyOnce.Name, model.SubRetryPolicy.Name, model.SubDeadLetter.Name, model.SubLabels.Name,
			"subscribers", "viewers", "iam_policy", model.SubTags.Name},
		required: []string{model.SubTopic.Name},
		blocks: []*blockSpec{
			retryPolicySpec,
			{typ: model.SubDeadLetter.Name, body: &bodySpec{
				attrs: []string{"topic", "max_delivery_attempts", "enabled", "reason"},
			}},
			{typ: model.SubPush.Name, body: &bodySpec{
				attrs:    []string{"endpoint", "attributes"},
				required: []string{"endpoint"},
				blocks: []*blockSpec{
					{typ: "oidc", body: &bodySpec{
						attrs:    []string{"service_account", "audience"},
						required: []string{"service_account"},
					}},
					{typ: "no_wrapper", body: &bodySpec{attrs: []string{"write_metadata"}}},
				},
			}},
			{typ: model.SubBigQuery.Name, body: &bodySpec{
				attrs: []string{"table", "use_topic_schema", "use_table_schema", "write_metadata",
					"drop_unknown_fields", "service_account"},
				required: []string{"table"},
			}},
			{typ: model.SubCloudStorage.Name, body: &bodySpec{
				attrs: []string{"bucket", "filename_prefix", "filename_suffix", "filename_datetime_format",
					"max_duration", "max_bytes", "max_messages", "service_account"},
				required: []string{"bucket"},
				blocks: []*blockSpec{
					{typ: "text", body: &bodySpec{}},
					{typ: "avro", body: &bodySpec{attrs: []string{"write_metadata", "use_topic_schema"}}},
				},
			}},
			{typ: model.SubBigtable.Name, body: &bodySpec{
				attrs:    []string{"table", "app_profile_id", "write_metadata", "service_account"},
				required: []string{"table"},
			}},
			transformSpec,
			iamSpec, lifecycleSpec,
		},
	}

	schemaSpec = &bodySpec{
		kind:     "schema",
		attrs:    []string{"for_each", "name", "type", "definition", "prune_revisions", "viewers", "iam_policy"},
		required: []string{"type", "definition"},
		blocks:   []*blockSpec{iamSpec, lifecycleSpec},
	}

	variableSpec = &bodySpec{
		attrs: []string{"type", "default", "description", "sensitive"},
		blocks: []*blockSpec{{typ: "validation", repeat: true, body: &bodySpec{
			attrs:    []string{"condition", "error_message"},
			required: []string{"condition", "error_message"},
		}}},
	}

	pubsubctlSpec = &bodySpec{
		attrs:    []string{"project", "stack", "project_number"},
		required: []string{"stack"},
	}

	defaultsSpec = &bodySpec{blocks: []*blockSpec{
		{typ: "subscription", body: &bodySpec{
			attrs: []string{model.SubAckDeadline.Name, model.SubMessageRetention.Name, model.SubRetainAcked.Name,
				model.SubExpiration.Name, model.SubRetryPolicy.Name, model.SubDeadLetter.Name, model.SubLabels.Name},
			blocks: []*blockSpec{
				retryPolicySpec,
				{typ: model.SubDeadLetter.Name, body: &bodySpec{
					attrs: []string{"max_delivery_attempts", "enabled", "reason"},
				}},
			},
		}},
		{typ: "topic", body: &bodySpec{attrs: []string{model.TopicMessageRetention.Name, model.TopicLabels.Name}}},
	}}

	localsSpec = &bodySpec{anyAttrs: true, noBlocks: "A locals block contains only arguments (name = value)."}

	rootSpec = &bodySpec{blocks: []*blockSpec{
		{typ: "pubsubctl", repeat: true, body: pubsubctlSpec},
		{typ: "variable", labels: []string{"name"}, repeat: true, body: variableSpec},
		{typ: "locals", repeat: true, body: localsSpec},
		{typ: "defaults", repeat: true, body: defaultsSpec},
		{typ: "schema", labels: []string{"name"}, repeat: true, body: schemaSpec},
		{typ: "topic", labels: []string{"name"}, repeat: true, body: topicSpec},
		{typ: "subscription", labels: []string{"name"}, repeat: true, body: subscriptionSpec},
		{typ: "output", labels: []string{"name"}, repeat: true, body: outputSpec},
	}}
)

var resourceSpecs = []*bodySpec{schemaSpec, topicSpec, subscriptionSpec}

// sortedAttrs returns a body's attributes in source order.
func sortedAttrs(b *hclsyntax.Body) []*hclsyntax.Attribute {
	out := make([]*hclsyntax.Attribute, 0, len(b.Attributes))
	for _, a := range b.Attributes {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].SrcRange.Start.Byte < out[j].SrcRange.Start.Byte })
	return out
}

// checkBody reports every argument and block of body that spec does not
// allow, blocks with the wrong number of labels, repeated single blocks and
// missing required arguments (at owner, the range of the enclosing block's
// header). It recurses into nested blocks. It returns the blocks whose
// labels are wrong, which decoders must skip.
func checkBody(body *hclsyntax.Body, spec *bodySpec, owner hcl.Range, what string) (hcl.Diagnostics, map[*hclsyntax.Block]bool) {
	var diags hcl.Diagnostics
	bad := map[*hclsyntax.Block]bool{}
	l := &checker{diags: &diags, bad: bad}
	l.check(body, spec, owner, what)
	return diags, bad
}

type checker struct {
	diags *hcl.Diagnostics
	bad   map[*hclsyntax.Block]bool
}

func (c *checker) add(d *hcl.Diagnostic) { *c.diags = append(*c.diags, d) }

func (c *checker) errorAt(rng hcl.Range, summary, detail string) {
	c.add(&hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: detail, Subject: rng.Ptr()})
}

func (c *checker) check(body *hclsyntax.Body, spec *bodySpec, owner hcl.Range, what string) {
	for _, a := range sortedAttrs(body) {
		if spec.anyAttrs || spec.hasAttr(a.Name) {
			continue
		}
		detail := fmt.Sprintf("An argument named %q is not expected here.", a.Name)
		switch {
		case spec.block(a.Name) != nil:
			detail += fmt.Sprintf(" Did you mean to define a block of type %q?", a.Name)
		case len(spec.attrs) == 0 && len(spec.blocks) > 0:
			detail += " Only blocks are allowed here." + didYouMean(a.Name, spec.blockTypes())
		default:
			detail += suggestion(a.Name, spec.attrs, spec)
		}
		c.errorAt(a.NameRange, "Unsupported argument", detail)
	}
	seen := map[string]*hclsyntax.Block{}
	for _, b := range body.Blocks {
		bs := spec.block(b.Type)
		if bs == nil {
			detail := fmt.Sprintf("Blocks of type %q are not expected here.", b.Type)
			switch {
			case spec.noBlocks != "":
				detail += " " + spec.noBlocks
			case spec.hasAttr(b.Type):
				detail += fmt.Sprintf(" Did you mean to define argument %q? If so, use the equals sign to assign it a value.", b.Type)
			default:
				detail += suggestion(b.Type, spec.blockTypes(), spec)
			}
			c.errorAt(b.TypeRange, "Unsupported block type", detail)
			c.bad[b] = true
			continue
		}
		if len(b.Labels) != len(bs.labels) {
			c.bad[b] = true
			c.add(labelDiag(b, bs))
			continue
		}
		if !bs.repeat {
			if prev, ok := seen[b.Type]; ok {
				c.errorAt(b.TypeRange, fmt.Sprintf("Duplicate %s block", b.Type),
					fmt.Sprintf("Only one %s block is allowed in %s; another was declared at %s.", b.Type, what, rangeString(prev.TypeRange)))
				c.bad[b] = true
				continue
			}
			seen[b.Type] = b
		}
		inner := fmt.Sprintf("the %s block", b.Type)
		if len(b.Labels) > 0 {
			inner = fmt.Sprintf("%s %q", b.Type, b.Labels[0])
		}
		c.check(b.Body, bs.body, b.DefRange(), inner)
	}
	for _, name := range spec.required {
		if _, ok := body.Attributes[name]; ok {
			continue
		}
		c.errorAt(owner, "Missing required argument",
			fmt.Sprintf("The argument %q is required in %s, but no definition was found.", name, what))
	}
}

func labelDiag(b *hclsyntax.Block, bs *blockSpec) *hcl.Diagnostic {
	if len(b.Labels) < len(bs.labels) {
		return &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  fmt.Sprintf("Missing name for %s", b.Type),
			Detail:   fmt.Sprintf("A %s block needs a %s label, e.g. %s \"orders\" { ... }.", b.Type, strings.Join(bs.labels, " and "), b.Type),
			Subject:  b.DefRange().Ptr(),
		}
	}
	extra := b.LabelRanges[len(bs.labels)]
	detail := fmt.Sprintf("A %s block takes no labels.", b.Type)
	if len(bs.labels) > 0 {
		detail = fmt.Sprintf("A %s block takes exactly %d label (its %s).", b.Type, len(bs.labels), strings.Join(bs.labels, ", "))
	}
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  fmt.Sprintf("Extraneous label for %s", b.Type),
		Detail:   detail,
		Subject:  extra.Ptr(),
	}
}

// suggestion is a " Did you mean" hint for an unexpected argument or
// block type among candidates, or else the hint of crossKindHint.
func suggestion(name string, candidates []string, spec *bodySpec) string {
	if s := didYouMean(name, candidates); s != "" {
		return s
	}
	return crossKindHint(name, spec)
}

// crossKindHint says where an argument belongs when a resource block uses
// one that only another kind has (publishers on a subscription, say).
func crossKindHint(name string, spec *bodySpec) string {
	if spec.kind == "" {
		return ""
	}
	var kinds []string
	for _, other := range resourceSpecs {
		if other == spec {
			continue
		}
		if other.hasAttr(name) || other.block(name) != nil {
			kinds = append(kinds, other.kind)
		}
	}
	if len(kinds) == 0 {
		return ""
	}
	return fmt.Sprintf(" %q is only valid in %s blocks.", name, strings.Join(kinds, " and "))
}

// rangeString renders a range the way diagnostics print positions:
// file:line,column.
func rangeString(r hcl.Range) string {
	return fmt.Sprintf("%s:%d,%d", r.Filename, r.Start.Line, r.Start.Column)
}
