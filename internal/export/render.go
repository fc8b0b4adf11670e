package export

import (
	"fmt"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"

	"github.com/pubsubctl/pubsubctl/model"
)

// Push attributes and limits the export knows (Pub/Sub's own defaults of
// fields are in the field table, model.Fields).
const (
	pushVersion        = "x-goog-version"
	maxLabels          = 64
	pushVersionDefault = "v1"
	// maxDefinitionFile is the largest definition written to its own file
	// (config's file() reads at most 4 MiB).
	maxDefinitionFile = 4 << 20
)

// render lays the exported resources out in files.
func (e *exporter) render() map[string][]byte {
	files := map[string]*hclwrite.File{}
	var order []string
	fileFor := func(name string) *hclwrite.Body {
		f, ok := files[name]
		if !ok {
			f = hclwrite.NewEmptyFile()
			files[name] = f
			order = append(order, name)
		}
		return f.Body()
	}
	out := map[string][]byte{}

	main := fileFor(MainFile)
	e.header(main)
	e.pubsubctlBlock(main)

	defFiles := e.definitionFiles()
	for _, s := range e.schemas {
		body := main
		if e.opts.Split == SplitByTopic {
			body = fileFor(SchemasFile)
		}
		e.schemaBlock(body, s, defFiles[s.Name])
		if f := defFiles[s.Name]; f != "" {
			out[f] = []byte(s.Definition)
		}
	}
	topicFiles := e.topicFiles()
	byTopic := map[string][]*model.Subscription{}
	var orphans []*model.Subscription
	for _, s := range e.subs {
		if _, ok := e.exportedLabel(model.KindTopic, s.Topic); ok {
			full := e.qualify(model.KindTopic, s.Topic)
			byTopic[full] = append(byTopic[full], s)
		} else {
			orphans = append(orphans, s)
		}
	}
	for _, t := range e.topics {
		body := main
		if e.opts.Split == SplitByTopic {
			body = fileFor(topicFiles[t.Name])
		}
		e.topicBlock(body, t)
		for _, s := range byTopic[e.full(model.KindTopic, t.Name)] {
			e.subscriptionBlock(body, s)
		}
	}
	if len(orphans) > 0 {
		body := main
		if e.opts.Split == SplitByTopic {
			body = fileFor(OrphansFile)
			comment(body, "Subscriptions whose topic is not part of this configuration.")
			body.AppendNewline()
		}
		for _, s := range orphans {
			e.subscriptionBlock(body, s)
		}
	}
	for _, name := range order {
		src := files[name].Bytes()
		src = []byte(strings.TrimRight(string(src), "\n") + "\n")
		out[name] = hclwrite.Format(emptyBlocks.ReplaceAll(src, []byte("$1{}")))
	}
	return out
}

func (e *exporter) header(b *hclwrite.Body) {
	comment(b,
		fmt.Sprintf("Exported from project %s by `pubsubctl export`.", e.project),
		"",
		"Wherever the project differs from pubsubctl's defaults the value is written",
		"explicitly, so this configuration describes the project exactly as it is:",
		"`pubsubctl plan --adopt` only adds the ownership labels. Delete an explicit",
		"value to move to pubsubctl's safer default; plan then shows the change.")
	b.AppendNewline()
}

func (e *exporter) pubsubctlBlock(body *hclwrite.Body) {
	b := body.AppendNewBlock("pubsubctl", nil).Body()
	b.SetAttributeValue("project", cty.StringVal(e.project))
	b.SetAttributeValue("stack", cty.StringVal(e.opts.Stack))
	if e.opts.ProjectNumber != "" {
		b.SetAttributeValue("project_number", cty.StringVal(e.opts.ProjectNumber))
	}
}

// topicFiles names the file of every topic: <id>.hcl, unless that clashes
// (case-insensitively, for macOS and Windows) with another file.
func (e *exporter) topicFiles() map[string]string {
	taken := map[string]bool{}
	for _, n := range []string{MainFile, SchemasFile, OrphansFile} {
		taken[strings.ToLower(n)] = true
	}
	out := map[string]string{}
	for _, t := range e.topics {
		name := t.Name + ".hcl"
		for n := 1; taken[strings.ToLower(name)]; n++ {
			name = fmt.Sprintf("%s-topic.hcl", t.Name)
			if n > 1 {
				name = fmt.Sprintf("%s-topic-%d.hcl", t.Name, n)
			}
		}
		taken[strings.ToLower(name)] = true
		out[t.Name] = name
	}
	return out
}

// definitionFiles names the file of every schema definition written to its
// own file: schemas/<id>.avsc or .proto. Definitions that file() could not
// read back (not UTF-8, too large) and schemas of an unknown type stay
// inline.
func (e *exporter) definitionFiles() map[string]string {
	taken := map[string]bool{}
	out := map[string]string{}
	for _, s := range e.schemas {
		ext := ""
		switch s.Type {
		case "AVRO":
			ext = ".avsc"
		case "PROTOCOL_BUFFER":
			ext = ".proto"
		}
		if ext == "" || !utf8.ValidString(s.Definition) || len(s.Definition) > maxDefinitionFile {
			continue
		}
		name := path.Join(SchemaDir, s.Name+ext)
		for n := 2; taken[strings.ToLower(name)]; n++ {
			name = path.Join(SchemaDir, fmt.Sprintf("%s-%d%s", s.Name, n, ext))
		}
		taken[strings.ToLower(name)] = true
		out[s.Name] = name
	}
	return out
}

// ---- blocks ----------------------------------------------------------------

func (e *exporter) resourceBlock(body *hclwrite.Body, k model.Kind, id string) *hclwrite.Body {
	label := e.labels[k][id]
	b := body.AppendNewBlock(k.String(), []string{label}).Body()
	if label != id {
		b.SetAttributeValue("name", cty.StringVal(id))
	}
	return b
}

func (e *exporter) schemaBlock(body *hclwrite.Body, s *model.Schema, file string) {
	b := e.resourceBlock(body, model.KindSchema, s.Name)
	b.SetAttributeValue("type", cty.StringVal(s.Type))
	if file != "" {
		b.SetAttributeRaw("definition", hclwrite.TokensForFunctionCall("file", str(file)))
	} else {
		b.SetAttributeRaw("definition", str(s.Definition))
	}
	e.writeIAM(b, e.iamOf(model.KindSchema, s.Name, nil))
	body.AppendNewline()
}

func (e *exporter) topicBlock(body *hclwrite.Body, t *model.Topic) {
	b := e.resourceBlock(body, model.KindTopic, t.Name)
	e.writeLabels(b, "topic", t.Name, t.Labels)
	if t.MessageRetention != 0 {
		b.SetAttributeValue(model.TopicMessageRetention.Name, cty.StringVal(model.FormatDuration(t.MessageRetention)))
	}
	if t.KMSKeyName != "" {
		b.SetAttributeValue(model.TopicKMSKeyName.Name, cty.StringVal(t.KMSKeyName))
	}
	if sp := t.StoragePolicy; sp != nil && len(sp.AllowedPersistenceRegions) > 0 {
		nb := b.AppendNewBlock("message_storage_policy", nil).Body()
		nb.SetAttributeRaw("allowed_persistence_regions", strList(sp.AllowedPersistenceRegions, false))
		if sp.EnforceInTransit {
			nb.SetAttributeValue("enforce_in_transit", cty.True)
		}
	}
	if ss := t.Schema; ss != nil {
		switch {
		case ss.Schema == "" || ss.Schema == DeletedSchema:
			e.warnf("topic %s refers to a deleted schema: its schema settings are not exported, and planning the export removes them", t.Name)
		default:
			nb := b.AppendNewBlock("schema", nil).Body()
			nb.SetAttributeRaw("name", e.ref(model.KindSchema, ss.Schema))
			enc := ss.Encoding
			if enc == "" {
				enc = "JSON"
				e.warnf("topic %s has a schema without a message encoding: the export writes encoding = \"JSON\", which planning it sets", t.Name)
			}
			nb.SetAttributeValue("encoding", cty.StringVal(enc))
			if ss.FirstRevisionID != "" {
				nb.SetAttributeValue("first_revision_id", cty.StringVal(ss.FirstRevisionID))
			}
			if ss.LastRevisionID != "" {
				nb.SetAttributeValue("last_revision_id", cty.StringVal(ss.LastRevisionID))
			}
		}
	}
	ingestionBlock(b, t.Ingestion)
	transformBlocks(b, t.Transforms)
	writeTags(b, t.Tags)
	full := e.full(model.KindTopic, t.Name)
	e.writeIAM(b, e.iamOf(model.KindTopic, t.Name, func(role string) bool {
		return role == model.RolePublisher && e.dlTopics[full]
	}))
	body.AppendNewline()
}

func (e *exporter) subscriptionBlock(body *hclwrite.Body, s *model.Subscription) {
	b := e.resourceBlock(body, model.KindSubscription, s.Name)
	b.SetAttributeRaw(model.SubTopic.Name, e.ref(model.KindTopic, s.Topic))
	if s.Filter != "" {
		b.SetAttributeValue(model.SubFilter.Name, cty.StringVal(s.Filter))
	}
	if s.EnableMessageOrdering {
		b.SetAttributeValue(model.SubMessageOrdering.Name, cty.True)
	}
	if s.EnableExactlyOnceDelivery {
		b.SetAttributeValue(model.SubExactlyOnce.Name, cty.True)
	}
	// A value that equals pubsubctl's default is left out; one that equals
	// Pub/Sub's default says so (the field table holds both).
	if f, d := model.SubAckDeadline, s.AckDeadline; d != 0 && d != f.Default {
		if d == f.ServerDefault {
			comment(b, fmt.Sprintf("Pub/Sub's default. Delete this line for pubsubctl's default, \"%ds\".", f.Default/time.Second))
		}
		b.SetAttributeValue(f.Name, cty.StringVal(model.FormatDuration(d)))
	}
	if f, d := model.SubMessageRetention, s.MessageRetention; d != 0 && d != f.Default {
		b.SetAttributeValue(f.Name, cty.StringVal(model.FormatDuration(d)))
	}
	if s.RetainAckedMessages {
		b.SetAttributeValue(model.SubRetainAcked.Name, cty.True)
	}
	if x := s.Expiration; !x.Never {
		ttl := x.TTL
		if ttl == 0 {
			ttl = model.SubExpiration.ServerDefault // no expiration policy: Pub/Sub's default
		}
		if ttl == model.SubExpiration.ServerDefault {
			comment(b, "Pub/Sub's default: deleted after 31 idle days. Delete this line for",
				"pubsubctl's default, \"never\".")
		}
		b.SetAttributeValue("expiration", cty.StringVal(model.FormatDuration(ttl)))
	}
	switch rp := s.RetryPolicy; {
	case rp == nil:
		comment(b, "No retry policy: redelivered at once. Delete this line for pubsubctl's",
			"default, exponential backoff from 10s to 600s.")
		b.SetAttributeValue("retry_policy", cty.False)
	case rp.MinimumBackoff != model.DefaultMinimumBackoff || rp.MaximumBackoff != model.DefaultMaximumBackoff:
		nb := b.AppendNewBlock("retry_policy", nil).Body()
		if rp.MinimumBackoff != model.DefaultMinimumBackoff {
			nb.SetAttributeValue("minimum_backoff", cty.StringVal(model.FormatDuration(rp.MinimumBackoff)))
		}
		if rp.MaximumBackoff != model.DefaultMaximumBackoff {
			nb.SetAttributeValue("maximum_backoff", cty.StringVal(model.FormatDuration(rp.MaximumBackoff)))
		}
	}
	if dl := s.DeadLetter; dl != nil && dl.Topic != "" {
		nb := b.AppendNewBlock("dead_letter", nil).Body()
		nb.SetAttributeRaw("topic", e.ref(model.KindTopic, dl.Topic))
		n := dl.MaxDeliveryAttempts
		if n == 0 {
			n = model.DefaultMaxDeliveryAttempts // Pub/Sub's default too
		}
		nb.SetAttributeValue("max_delivery_attempts", cty.NumberIntVal(int64(n)))
	} else {
		comment(b, "No dead-letter policy. Delete this block for pubsubctl's default:",
			"dead-lettering to a new topic and subscription "+strconv.Quote(model.DeadLetterName(s.Name))+".")
		nb := b.AppendNewBlock("dead_letter", nil).Body()
		nb.SetAttributeValue("enabled", cty.False)
		nb.SetAttributeValue("reason", cty.StringVal(NoDeadLetterReason))
	}
	e.delivery(b, s)
	if bt := s.Bigtable; bt != nil && bt.ColumnFamilyMapping {
		e.warnf("subscription %s maps messages to Bigtable columns (column_family_mapping), which pubsubctl does not describe yet: the export leaves it out, and applying the export removes it", s.Name)
	}
	bigtableBlock(b, s.Bigtable)
	transformBlocks(b, s.Transforms)
	writeTags(b, s.Tags)
	e.writeLabels(b, "subscription", s.Name, s.Labels)
	e.writeIAM(b, e.iamOf(model.KindSubscription, s.Name, func(role string) bool {
		return role == model.RoleSubscriber && s.DeadLetter != nil
	}))
	body.AppendNewline()
}

func (e *exporter) delivery(b *hclwrite.Body, s *model.Subscription) {
	if p := s.Push; p != nil {
		nb := b.AppendNewBlock("push", nil).Body()
		nb.SetAttributeValue("endpoint", cty.StringVal(p.Endpoint))
		attrs := map[string]string{}
		for k, v := range p.Attributes {
			switch {
			case k == pushVersion && v == pushVersionDefault:
				// Added by the server.
			case k == pushVersion:
				attrs[k] = v
			default:
				e.warnf("subscription %s: push attribute %s is not exported: the only push attribute a configuration may set is %s", s.Name, k, pushVersion)
			}
		}
		if len(attrs) > 0 {
			nb.SetAttributeRaw("attributes", strMap(attrs))
		}
		if o := p.OIDC; o != nil {
			ob := nb.AppendNewBlock("oidc", nil).Body()
			ob.SetAttributeValue("service_account", cty.StringVal(o.ServiceAccount))
			if o.Audience != "" {
				ob.SetAttributeValue("audience", cty.StringVal(o.Audience))
			}
		}
		if w := p.NoWrapper; w != nil {
			wb := nb.AppendNewBlock("no_wrapper", nil).Body()
			if w.WriteMetadata {
				wb.SetAttributeValue("write_metadata", cty.True)
			}
		}
	}
	if q := s.BigQuery; q != nil {
		nb := b.AppendNewBlock("bigquery", nil).Body()
		nb.SetAttributeValue("table", cty.StringVal(q.Table))
		setTrue(nb, "use_topic_schema", q.UseTopicSchema)
		setTrue(nb, "use_table_schema", q.UseTableSchema)
		setTrue(nb, "write_metadata", q.WriteMetadata)
		setTrue(nb, "drop_unknown_fields", q.DropUnknownFields)
		if q.ServiceAccount != "" {
			nb.SetAttributeValue("service_account", cty.StringVal(q.ServiceAccount))
		}
	}
	if c := s.CloudStorage; c != nil {
		nb := b.AppendNewBlock("cloud_storage", nil).Body()
		nb.SetAttributeValue("bucket", cty.StringVal(c.Bucket))
		for _, a := range [][2]string{
			{"filename_prefix", c.FilenamePrefix},
			{"filename_suffix", c.FilenameSuffix},
			{"filename_datetime_format", c.FilenameDatetimeFormat},
		} {
			if a[1] != "" {
				nb.SetAttributeValue(a[0], cty.StringVal(a[1]))
			}
		}
		if c.MaxDuration != 0 {
			nb.SetAttributeValue("max_duration", cty.StringVal(model.FormatDuration(c.MaxDuration)))
		}
		if c.MaxBytes != 0 {
			nb.SetAttributeValue("max_bytes", cty.NumberIntVal(c.MaxBytes))
		}
		if c.MaxMessages != 0 {
			nb.SetAttributeValue("max_messages", cty.NumberIntVal(c.MaxMessages))
		}
		if c.ServiceAccount != "" {
			nb.SetAttributeValue("service_account", cty.StringVal(c.ServiceAccount))
		}
		if a := c.Avro; a != nil {
			ab := nb.AppendNewBlock("avro", nil).Body()
			setTrue(ab, "write_metadata", a.WriteMetadata)
			setTrue(ab, "use_topic_schema", a.UseTopicSchema)
		}
	}
}

// writeLabels writes a resource's own labels: without the ownership labels
// (pubsubctl adds them) and the platform's goog-* labels.
func (e *exporter) writeLabels(b *hclwrite.Body, kind, id string, labels map[string]string) {
	own := map[string]string{}
	for k, v := range labels {
		switch {
		case k == model.LabelManagedBy:
			if v != model.ManagedByValue {
				e.warnf("%s %s has the label %s = %q: adoption replaces it with %s = %q", kind, id, k, v, k, model.ManagedByValue)
			}
		case k == model.LabelStack:
			if v != e.opts.Stack && labels[model.LabelManagedBy] != model.ManagedByValue {
				e.warnf("%s %s has the label %s = %q: adoption replaces it with %s = %q", kind, id, k, v, k, e.opts.Stack)
			}
		case strings.HasPrefix(k, "goog-"):
		default:
			own[k] = v
		}
	}
	if len(own) > 0 {
		b.SetAttributeRaw("labels", strMap(own))
	}
	if n := len(own) + 2; n > maxLabels {
		e.warnf("%s %s has %d labels: with pubsubctl's two ownership labels that is %d, more than Pub/Sub's limit of %d, so the export does not validate until some are removed", kind, id, len(own), n, maxLabels)
	}
}

func (e *exporter) writeIAM(b *hclwrite.Body, grants []grant) {
	for _, g := range grants {
		if g.attr != "" {
			b.SetAttributeRaw(g.attr, strList(g.members, true))
			continue
		}
		nb := b.AppendNewBlock("iam", nil).Body()
		nb.SetAttributeValue("role", cty.StringVal(g.role))
		nb.SetAttributeRaw("members", strList(g.members, true))
		if g.broad {
			nb.SetAttributeValue("allow_broad", cty.True)
		}
	}
}

// ref renders a reference to a topic or schema: kind.LABEL when the target
// is exported, else its full name.
func (e *exporter) ref(k model.Kind, name string) hclwrite.Tokens {
	if label, ok := e.exportedLabel(k, name); ok {
		return hclwrite.TokensForTraversal(hcl.Traversal{
			hcl.TraverseRoot{Name: k.String()},
			hcl.TraverseAttr{Name: label},
		})
	}
	return str(e.qualify(k, name))
}

// emptyBlocks matches an empty block written over two lines, which is
// written as `topic "x" {}` instead.
var emptyBlocks = regexp.MustCompile(`(?m)^([ \t]*[a-z_]+(?: "[^"\n]*")* )\{\n[ \t]*\}$`)

// ---- tokens ----------------------------------------------------------------

func str(s string) hclwrite.Tokens { return hclwrite.TokensForValue(cty.StringVal(s)) }

func setTrue(b *hclwrite.Body, name string, v bool) {
	if v {
		b.SetAttributeValue(name, cty.True)
	}
}

// comment appends comment lines to a body.
func comment(b *hclwrite.Body, lines ...string) {
	for _, text := range lines {
		line := "#"
		if text != "" {
			line += " " + text
		}
		b.AppendUnstructuredTokens(hclwrite.Tokens{
			{Type: hclsyntax.TokenComment, Bytes: []byte(line + "\n")},
		})
	}
}

// strList renders a list of strings, one per line when multiLine and there
// is more than one.
func strList(xs []string, multiLine bool) hclwrite.Tokens {
	if !multiLine || len(xs) < 2 {
		elems := make([]hclwrite.Tokens, len(xs))
		for i, x := range xs {
			elems[i] = str(x)
		}
		return hclwrite.TokensForTuple(elems)
	}
	toks := hclwrite.Tokens{
		{Type: hclsyntax.TokenOBrack, Bytes: []byte("[")},
		{Type: hclsyntax.TokenNewline, Bytes: []byte("\n")},
	}
	for _, x := range xs {
		toks = append(toks, str(x)...)
		toks = append(toks,
			&hclwrite.Token{Type: hclsyntax.TokenComma, Bytes: []byte(",")},
			&hclwrite.Token{Type: hclsyntax.TokenNewline, Bytes: []byte("\n")})
	}
	return append(toks, &hclwrite.Token{Type: hclsyntax.TokenCBrack, Bytes: []byte("]")})
}

// strMap renders a map of strings as an object constructor with sorted
// keys. Keys that are not plain identifiers, or that the parser would read
// as something else (true, false, null, for, ...), are quoted.
func strMap(m map[string]string) hclwrite.Tokens {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	attrs := make([]hclwrite.ObjectAttrTokens, len(keys))
	for i, k := range keys {
		name := str(k)
		if hclsyntax.ValidIdentifier(k) && !reservedKey[k] {
			name = hclwrite.TokensForIdentifier(k)
		}
		attrs[i] = hclwrite.ObjectAttrTokens{Name: name, Value: str(m[k])}
	}
	return hclwrite.TokensForObject(attrs)
}

var reservedKey = map[string]bool{"true": true, "false": true, "null": true, "for": true, "in": true, "if": true, "endfor": true, "endif": true, "else": true}
