package plan

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/pubsubctl/pubsubctl/model"
)

// A field is one comparable value of a resource, rendered canonically. An
// empty value means "not set".
type field struct {
	path      string
	value     string
	immutable bool
}

func q(s string) string {
	if s == "" {
		return ""
	}
	return strconv.Quote(s)
}

// dur renders a duration as the configuration writes it: a quoted string.
func dur(d time.Duration) string {
	if d == 0 {
		return ""
	}
	return strconv.Quote(model.FormatDuration(d))
}

func boolean(b bool) string { return strconv.FormatBool(b) }

func list(xs []string) string {
	if len(xs) == 0 {
		return ""
	}
	ys := append([]string(nil), xs...)
	sort.Strings(ys)
	for i := range ys {
		ys[i] = strconv.Quote(ys[i])
	}
	return "[" + strings.Join(ys, ", ") + "]"
}

// row is the field of a table row (model.Fields) with a value; sub
// ("" for the attribute itself) names a path under it.
func row(f *model.Field, sub, value string) field {
	path := f.Name
	if sub != "" {
		path += "." + sub
	}
	return field{path: path, value: value, immutable: f.Immutable != ""}
}

func labelFields(f *model.Field, l map[string]string) []field {
	var out []field
	for k, v := range l {
		out = append(out, row(f, k, strconv.Quote(v)))
	}
	return out
}

func schemaFields(s *model.Schema) []field {
	return []field{
		row(model.SchemaType, "", q(s.Type)),
		row(model.SchemaDefinition, "", q(strings.TrimSpace(s.Definition))),
	}
}

func topicFields(project string, t *model.Topic) []field {
	f := []field{
		row(model.TopicMessageRetention, "", dur(t.MessageRetention)),
		row(model.TopicKMSKeyName, "", q(t.KMSKeyName)),
	}
	if p := t.StoragePolicy; p != nil {
		f = append(f,
			row(model.TopicStoragePolicy, "allowed_persistence_regions", list(p.AllowedPersistenceRegions)),
			row(model.TopicStoragePolicy, "enforce_in_transit", boolean(p.EnforceInTransit)))
	}
	if s := t.Schema; s != nil {
		f = append(f,
			row(model.TopicSchema, "name", q(model.ShortName(project, model.KindSchema, s.Schema))),
			row(model.TopicSchema, "encoding", q(s.Encoding)),
			row(model.TopicSchema, "first_revision_id", q(s.FirstRevisionID)),
			row(model.TopicSchema, "last_revision_id", q(s.LastRevisionID)))
	} else {
		f = append(f, row(model.TopicSchema, "name", ""), row(model.TopicSchema, "encoding", ""))
	}
	f = append(f, ingestionFields(t.Ingestion)...)
	f = append(f, transformFields(model.TopicTransforms, t.Transforms)...)
	f = append(f, labelFields(model.TopicTags, t.Tags)...)
	return append(f, labelFields(model.TopicLabels, t.Labels)...)
}

func subscriptionFields(project string, s *model.Subscription) []field {
	f := []field{
		row(model.SubTopic, "", q(model.ShortName(project, model.KindTopic, s.Topic))),
		row(model.SubFilter, "", q(s.Filter)),
		row(model.SubMessageOrdering, "", boolean(s.EnableMessageOrdering)),
		row(model.SubAckDeadline, "", dur(s.AckDeadline)),
		row(model.SubMessageRetention, "", dur(orDefault(s.MessageRetention, model.SubMessageRetention.ServerDefault))),
		row(model.SubRetainAcked, "", boolean(s.RetainAckedMessages)),
		row(model.SubExpiration, "", strconv.Quote(expiration(s.Expiration).String())),
		row(model.SubExactlyOnce, "", boolean(s.EnableExactlyOnceDelivery)),
	}
	rp := model.SubRetryPolicy
	if r := s.RetryPolicy; r != nil {
		f = append(f,
			row(rp, "minimum_backoff", dur(orDefault(r.MinimumBackoff, model.SubMinimumBackoff.ServerDefault))),
			row(rp, "maximum_backoff", dur(orDefault(r.MaximumBackoff, model.SubMaximumBackoff.ServerDefault))))
	} else {
		f = append(f, row(rp, "minimum_backoff", ""), row(rp, "maximum_backoff", ""))
	}
	dl := model.SubDeadLetter
	if d := s.DeadLetter; d != nil {
		f = append(f,
			row(dl, "topic", q(model.ShortName(project, model.KindTopic, d.Topic))),
			row(dl, "max_delivery_attempts", strconv.Itoa(d.MaxDeliveryAttempts)))
	} else {
		f = append(f, row(dl, "topic", ""), row(dl, "max_delivery_attempts", ""))
	}
	if p := s.Push; p != nil {
		f = append(f, row(model.SubPush, "endpoint", q(p.Endpoint)))
		for k, v := range p.Attributes {
			f = append(f, row(model.SubPush, "attributes."+k, strconv.Quote(v)))
		}
		if o := p.OIDC; o != nil {
			f = append(f,
				row(model.SubPush, "oidc.service_account", q(o.ServiceAccount)),
				row(model.SubPush, "oidc.audience", q(o.Audience)))
		}
		if nw := p.NoWrapper; nw != nil {
			f = append(f, row(model.SubPush, "no_wrapper.write_metadata", boolean(nw.WriteMetadata)))
		}
	}
	if b := s.BigQuery; b != nil {
		bq := model.SubBigQuery
		f = append(f,
			row(bq, "table", q(strings.Replace(b.Table, ":", ".", 1))),
			row(bq, "use_topic_schema", boolean(b.UseTopicSchema)),
			row(bq, "use_table_schema", boolean(b.UseTableSchema)),
			row(bq, "write_metadata", boolean(b.WriteMetadata)),
			row(bq, "drop_unknown_fields", boolean(b.DropUnknownFields)),
			row(bq, "service_account", q(b.ServiceAccount)))
	}
	if c := s.CloudStorage; c != nil {
		cs := model.SubCloudStorage
		format := "text"
		if c.Avro != nil {
			format = "avro"
		}
		f = append(f,
			row(cs, "bucket", q(c.Bucket)),
			row(cs, "filename_prefix", q(c.FilenamePrefix)),
			row(cs, "filename_suffix", q(c.FilenameSuffix)),
			row(cs, "filename_datetime_format", q(c.FilenameDatetimeFormat)),
			row(cs, "format", strconv.Quote(format)),
			row(cs, "max_duration", dur(c.MaxDuration)),
			row(cs, "max_bytes", num(c.MaxBytes)),
			row(cs, "max_messages", num(c.MaxMessages)),
			row(cs, "service_account", q(c.ServiceAccount)))
		if a := c.Avro; a != nil {
			f = append(f,
				row(cs, "avro.write_metadata", boolean(a.WriteMetadata)),
				row(cs, "avro.use_topic_schema", boolean(a.UseTopicSchema)))
		}
	}
	if b := s.Bigtable; b != nil {
		bt := model.SubBigtable
		f = append(f,
			row(bt, "table", q(b.Table)),
			row(bt, "app_profile_id", q(b.AppProfileID)),
			row(bt, "write_metadata", boolean(b.WriteMetadata)),
			row(bt, "service_account", q(b.ServiceAccount)))
		if b.ColumnFamilyMapping {
			f = append(f, row(bt, "column_family_mapping", boolean(true)))
		}
	}
	f = append(f, transformFields(model.SubTransforms, s.Transforms)...)
	f = append(f, labelFields(model.SubTags, s.Tags)...)
	return append(f, labelFields(model.SubLabels, s.Labels)...)
}

// orDefault is d, or the service's default def when d is 0 (unset): both
// sides render a value the service fills in by itself the same way.
func orDefault(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}

// expiration is e, with "no expiration policy" spelled as the service's
// default TTL.
func expiration(e model.Expiration) model.Expiration {
	if !e.Never && e.TTL == 0 {
		return model.Expiration{TTL: model.SubExpiration.ServerDefault}
	}
	return e
}

func num(n int64) string {
	if n == 0 {
		return ""
	}
	return strconv.FormatInt(n, 10)
}

func fieldsOf(project string, r model.Resource) []field {
	switch r := r.(type) {
	case *model.Schema:
		return schemaFields(r)
	case *model.Topic:
		return topicFields(project, r)
	case *model.Subscription:
		return subscriptionFields(project, r)
	}
	panic("plan: unknown resource type")
}

// TopLevel returns the configuration attribute a field path belongs to
// ("retry_policy" for "retry_policy.minimum_backoff"); apply builds update
// masks from these.
func TopLevel(path string) string {
	if i := strings.IndexByte(path, '.'); i >= 0 {
		path = path[:i]
	}
	return path
}

// diffFields compares desired with live field by field. Fields only one side
// has are compared against "not set".
func diffFields(project string, desired, live model.Resource) []FieldDiff {
	want := map[string]field{}
	var order []string
	for _, f := range fieldsOf(project, desired) {
		want[f.path] = f
		order = append(order, f.path)
	}
	have := map[string]field{}
	for _, f := range fieldsOf(project, live) {
		have[f.path] = f
		if _, ok := want[f.path]; !ok {
			order = append(order, f.path)
		}
	}
	meta := desired.Metadata()
	var out []FieldDiff
	seen := map[string]bool{}
	for _, p := range order {
		if seen[p] {
			continue
		}
		seen[p] = true
		w, h := want[p], have[p]
		if w.value == h.value {
			continue
		}
		out = append(out, FieldDiff{
			Path:          p,
			Before:        h.value,
			After:         w.value,
			Source:        sourceOf(meta, p),
			ForcesReplace: w.immutable || h.immutable,
			Sensitive:     meta.IsSensitive(p),
		})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// sourceOf finds the provenance of a field, walking up to its parents
// ("retry_policy.minimum_backoff" -> "retry_policy").
func sourceOf(m *model.Meta, path string) model.Source {
	for p := path; ; {
		if s := m.Source(p); s != model.SourceUnset {
			return s
		}
		i := strings.LastIndexByte(p, '.')
		if i < 0 {
			return model.SourceUnset
		}
		p = p[:i]
	}
}

// Values returns every field of r rendered canonically, with provenance,
// for renderers that show a whole resource (creates, -v).
func Values(project string, r model.Resource) []FieldDiff {
	var out []FieldDiff
	for _, f := range fieldsOf(project, r) {
		if f.value == "" {
			continue
		}
		out = append(out, FieldDiff{Path: f.path, After: f.value, Source: sourceOf(r.Metadata(), f.path), ForcesReplace: f.immutable,
			Sensitive: r.Metadata().IsSensitive(f.path)})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// Native returns a value rendered by this file (a FieldDiff's Before or
// After) as a plain JSON value: a string for a quoted string or duration,
// a bool, a number, a list of strings, or nil for "not set". The JSON plan
// carries these instead of configuration syntax.
func Native(value string) any {
	switch {
	case value == "":
		return nil
	case value == "true" || value == "false":
		return value == "true"
	case value[0] == '"':
		if s, err := strconv.Unquote(value); err == nil {
			return s
		}
	case value[0] == '[':
		out := []string{}
		rest := strings.TrimSpace(value[1 : len(value)-1])
		for rest != "" {
			elem, err := strconv.QuotedPrefix(rest)
			if err != nil {
				panic(fmt.Sprintf("plan: not a rendered list: %s", value))
			}
			s, _ := strconv.Unquote(elem)
			out = append(out, s)
			rest = strings.TrimPrefix(strings.TrimSpace(rest[len(elem):]), ",")
			rest = strings.TrimSpace(rest)
		}
		return out
	default:
		if n, err := strconv.ParseInt(value, 10, 64); err == nil {
			return n
		}
	}
	panic(fmt.Sprintf("plan: not a rendered value: %s", value)) // every value is rendered by q, dur, boolean, list or num
}

// NativeValues returns Display's values as plain JSON values (see
// Native); a sensitive value that is set is SensitiveValue.
func (f FieldDiff) NativeValues() (before, after any) {
	b, a := f.Display()
	if f.Sensitive {
		return nullIfEmpty(b), nullIfEmpty(a)
	}
	return Native(b), Native(a)
}

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}
