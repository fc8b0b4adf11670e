package plan

import (
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

func labelFields(prefix string, l map[string]string) []field {
	var out []field
	for k, v := range l {
		out = append(out, field{path: prefix + k, value: strconv.Quote(v)})
	}
	return out
}

func schemaFields(s *model.Schema) []field {
	return []field{
		{path: "type", value: q(s.Type), immutable: true},
		{path: "definition", value: q(strings.TrimSpace(s.Definition))},
	}
}

func topicFields(project string, t *model.Topic) []field {
	f := []field{
		{path: "message_retention", value: dur(t.MessageRetention)},
		{path: "kms_key_name", value: q(t.KMSKeyName)},
	}
	if p := t.StoragePolicy; p != nil {
		f = append(f,
			field{path: "message_storage_policy.allowed_persistence_regions", value: list(p.AllowedPersistenceRegions)},
			field{path: "message_storage_policy.enforce_in_transit", value: boolean(p.EnforceInTransit)})
	}
	if s := t.Schema; s != nil {
		f = append(f,
			field{path: "schema.name", value: q(model.ShortName(project, model.KindSchema, s.Schema))},
			field{path: "schema.encoding", value: q(s.Encoding)},
			field{path: "schema.first_revision_id", value: q(s.FirstRevisionID)},
			field{path: "schema.last_revision_id", value: q(s.LastRevisionID)})
	} else {
		f = append(f, field{path: "schema.name"}, field{path: "schema.encoding"})
	}
	return append(f, labelFields("labels.", t.Labels)...)
}

func subscriptionFields(project string, s *model.Subscription) []field {
	f := []field{
		{path: "topic", value: q(model.ShortName(project, model.KindTopic, s.Topic)), immutable: true},
		{path: "filter", value: q(s.Filter), immutable: true},
		{path: "enable_message_ordering", value: boolean(s.EnableMessageOrdering), immutable: true},
		{path: "ack_deadline", value: dur(s.AckDeadline)},
		{path: "message_retention", value: dur(orDefault(s.MessageRetention, serverSubRetention))},
		{path: "retain_acked_messages", value: boolean(s.RetainAckedMessages)},
		{path: "expiration", value: strconv.Quote(expiration(s.Expiration).String())},
		{path: "enable_exactly_once_delivery", value: boolean(s.EnableExactlyOnceDelivery)},
	}
	if r := s.RetryPolicy; r != nil {
		f = append(f,
			field{path: "retry_policy.minimum_backoff", value: dur(orDefault(r.MinimumBackoff, serverMinimumBackoff))},
			field{path: "retry_policy.maximum_backoff", value: dur(orDefault(r.MaximumBackoff, serverMaximumBackoff))})
	} else {
		f = append(f, field{path: "retry_policy.minimum_backoff"}, field{path: "retry_policy.maximum_backoff"})
	}
	if d := s.DeadLetter; d != nil {
		f = append(f,
			field{path: "dead_letter.topic", value: q(model.ShortName(project, model.KindTopic, d.Topic))},
			field{path: "dead_letter.max_delivery_attempts", value: strconv.Itoa(d.MaxDeliveryAttempts)})
	} else {
		f = append(f, field{path: "dead_letter.topic"}, field{path: "dead_letter.max_delivery_attempts"})
	}
	if p := s.Push; p != nil {
		f = append(f, field{path: "push.endpoint", value: q(p.Endpoint)})
		for k, v := range p.Attributes {
			f = append(f, field{path: "push.attributes." + k, value: strconv.Quote(v)})
		}
		if o := p.OIDC; o != nil {
			f = append(f,
				field{path: "push.oidc.service_account", value: q(o.ServiceAccount)},
				field{path: "push.oidc.audience", value: q(o.Audience)})
		}
		if nw := p.NoWrapper; nw != nil {
			f = append(f, field{path: "push.no_wrapper.write_metadata", value: boolean(nw.WriteMetadata)})
		}
	}
	if b := s.BigQuery; b != nil {
		f = append(f,
			field{path: "bigquery.table", value: q(strings.Replace(b.Table, ":", ".", 1))},
			field{path: "bigquery.use_topic_schema", value: boolean(b.UseTopicSchema)},
			field{path: "bigquery.use_table_schema", value: boolean(b.UseTableSchema)},
			field{path: "bigquery.write_metadata", value: boolean(b.WriteMetadata)},
			field{path: "bigquery.drop_unknown_fields", value: boolean(b.DropUnknownFields)},
			field{path: "bigquery.service_account", value: q(b.ServiceAccount)})
	}
	if c := s.CloudStorage; c != nil {
		format := "text"
		if c.Avro != nil {
			format = "avro"
		}
		f = append(f,
			field{path: "cloud_storage.bucket", value: q(c.Bucket)},
			field{path: "cloud_storage.filename_prefix", value: q(c.FilenamePrefix)},
			field{path: "cloud_storage.filename_suffix", value: q(c.FilenameSuffix)},
			field{path: "cloud_storage.filename_datetime_format", value: q(c.FilenameDatetimeFormat)},
			field{path: "cloud_storage.format", value: strconv.Quote(format)},
			field{path: "cloud_storage.max_duration", value: dur(c.MaxDuration)},
			field{path: "cloud_storage.max_bytes", value: num(c.MaxBytes)},
			field{path: "cloud_storage.max_messages", value: num(c.MaxMessages)},
			field{path: "cloud_storage.service_account", value: q(c.ServiceAccount)})
		if a := c.Avro; a != nil {
			f = append(f,
				field{path: "cloud_storage.avro.write_metadata", value: boolean(a.WriteMetadata)},
				field{path: "cloud_storage.avro.use_topic_schema", value: boolean(a.UseTopicSchema)})
		}
	}
	return append(f, labelFields("labels.", s.Labels)...)
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
		return model.Expiration{TTL: serverExpirationTTL}
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
