package model

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
)

// Limits of the real service (see the Pub/Sub facts sheet, §3).
const (
	minAckDeadline        = 10 * time.Second
	maxAckDeadline        = 600 * time.Second
	minMessageRetention   = 10 * time.Minute
	maxMessageRetention   = 31 * Day
	minExpiration         = 1 * Day
	documentedMaxExpiry   = 365 * Day // unverified; exceeding it is a warning
	maxBackoff            = 600 * time.Second
	minDeliveryAttempts   = 5
	maxDeliveryAttempts   = 100
	maxLabels             = 64
	maxIDLength           = 255
	minStorageMaxDuration = 1 * time.Minute
	maxStorageMaxDuration = 10 * time.Minute
	minStorageMaxBytes    = 1000
	maxStorageMaxBytes    = 10 << 30 // 10 GiB
	minStorageMaxMessages = 1000
)

// Validate checks a configuration against Pub/Sub's rules and pubsubctl's
// least-privilege and safety rules, without any network call. It expects
// ApplyDefaults to have run (it also works on a bare Config, skipping the
// fields that are unset). Every diagnostic's Subject is the range of the
// offending field when the loader recorded one, else the declaration of the
// resource. Diagnostics are returned in source order.
func Validate(c *Config) hcl.Diagnostics {
	if c == nil {
		return nil
	}
	v := &validator{
		c:            c,
		userSubs:     map[Address]*Subscription{},
		seenDefaults: map[string]bool{},
	}
	for _, s := range c.Subscriptions {
		if s.DerivedFrom == nil {
			v.userSubs[s.Addr] = s
		}
	}
	v.project()
	v.names()
	for _, s := range c.Schemas {
		v.schema(s)
		v.iam(s)
	}
	for _, t := range c.Topics {
		v.labels(t, t.Labels)
		v.topic(t)
		v.iam(t)
	}
	for _, s := range c.Subscriptions {
		v.labels(s, s.Labels)
		v.subscription(s)
		v.iam(s)
	}
	v.flows()
	return v.result()
}

type validator struct {
	c        *Config
	diags    hcl.Diagnostics
	userSubs map[Address]*Subscription
	// seenDefaults de-duplicates diagnostics about values every resource
	// inherits from the defaults block.
	seenDefaults map[string]bool
}

func (v *validator) add(sev hcl.DiagnosticSeverity, r hcl.Range, summary, detail string, args ...any) {
	if len(args) > 0 {
		detail = fmt.Sprintf(detail, args...)
	}
	d := &hcl.Diagnostic{Severity: sev, Summary: summary, Detail: detail}
	if !isZeroRange(r) {
		rr := r
		d.Subject = &rr
	}
	v.diags = append(v.diags, d)
}

func (v *validator) errorf(r hcl.Range, summary, detail string, args ...any) {
	v.add(hcl.DiagError, r, summary, detail, args...)
}

func (v *validator) warnf(r hcl.Range, summary, detail string, args ...any) {
	v.add(hcl.DiagWarning, r, summary, detail, args...)
}

// fieldError reports an error on a field of res. A value inherited from the
// defaults block is reported once, not once per resource.
func (v *validator) fieldError(res Resource, path, summary, detail string, args ...any) {
	v.fieldErrorAt(res, path, res.Metadata().Range(path), summary, detail, args...)
}

// fieldErrorAt is fieldError with an explicit subject.
func (v *validator) fieldErrorAt(res Resource, path string, r hcl.Range, summary, detail string, args ...any) {
	m := res.Metadata()
	if m.Source(path) == SourceDefaults {
		key := path + "\x00" + summary
		if v.seenDefaults[key] {
			return
		}
		v.seenDefaults[key] = true
		detail += " This value comes from the defaults block."
	}
	v.errorf(r, summary, detail, args...)
}

// result sorts the diagnostics by position (stably, so that diagnostics on
// the same position keep their order) and drops exact duplicates.
func (v *validator) result() hcl.Diagnostics {
	type key struct {
		sev                  hcl.DiagnosticSeverity
		summary, detail, pos string
	}
	seen := map[key]bool{}
	var out hcl.Diagnostics
	for _, d := range v.diags {
		k := key{d.Severity, d.Summary, d.Detail, ""}
		if d.Subject != nil {
			k.pos = d.Subject.String()
		}
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, d)
	}
	slices.SortStableFunc(out, func(a, b *hcl.Diagnostic) int {
		switch {
		case a.Subject == nil && b.Subject == nil:
			return 0
		case a.Subject == nil:
			return 1
		case b.Subject == nil:
			return -1
		}
		if c := cmp.Compare(a.Subject.Filename, b.Subject.Filename); c != 0 {
			return c
		}
		if c := cmp.Compare(a.Subject.Start.Line, b.Subject.Start.Line); c != 0 {
			return c
		}
		return cmp.Compare(a.Subject.Start.Column, b.Subject.Start.Column)
	})
	return out
}

func isZeroRange(r hcl.Range) bool {
	return r.Filename == "" && r.Start.Line == 0 && r.End.Line == 0 && r.Start.Byte == 0 && r.End.Byte == 0
}

// at renders a range's start as file:line,col for details.
func at(r hcl.Range) string {
	if isZeroRange(r) {
		return "an unknown location"
	}
	return fmt.Sprintf("%s:%d,%d", r.Filename, r.Start.Line, r.Start.Column)
}

// describe names a resource for details: topic.orders, or "the dead-letter
// topic of subscription.x" for derived resources.
func describe(res Resource) string {
	var from *Address
	switch r := res.(type) {
	case *Topic:
		from = r.DerivedFrom
	case *Subscription:
		from = r.DerivedFrom
	}
	if from != nil {
		return fmt.Sprintf("the dead-letter %s of %s", res.Address().Kind, from)
	}
	return res.Address().String()
}

// ---- pubsubctl block -------------------------------------------------------

func (v *validator) project() {
	c := v.c
	m := &c.Meta
	switch {
	case c.Project == "":
		v.errorf(m.Range("project"), "Missing project ID",
			"Set project in the pubsubctl block (or pass --project, or set PUBSUBCTL_PROJECT or GOOGLE_CLOUD_PROJECT).")
	case !projectIDRE.MatchString(c.Project):
		v.errorf(m.Range("project"), "Invalid project ID",
			"%q is not a project ID. Project IDs are 6 to 30 characters long, start with a lower-case letter, contain only lower-case letters, digits and hyphens, and do not end with a hyphen (e.g. \"my-project-123\"). Use the project ID, not its display name or number.",
			c.Project)
	}
	switch {
	case c.Stack == "":
		v.errorf(m.Range("stack"), "Missing stack name",
			"Set stack in the pubsubctl block. The stack name is written to the %s label of every managed resource, so it must be a valid label value: 1 to 63 lower-case letters, digits, underscores or hyphens.",
			LabelStack)
	case !labelValueRE.MatchString(c.Stack):
		v.errorf(m.Range("stack"), "Invalid stack name",
			"%q cannot be used as a stack name. The stack name is written to the %s label of every managed resource, so it must be a valid label value: at most 63 lower-case letters, digits, underscores or hyphens (e.g. \"shop-prod\").",
			c.Stack, LabelStack)
	}
	if c.ProjectNumber != "" && !projectNumberRE.MatchString(c.ProjectNumber) {
		v.errorf(m.Range("project_number"), "Invalid project number",
			"%q is not a project number. The project number is the numeric identifier of the project (e.g. \"123456789012\"), not its ID; find it with `gcloud projects describe PROJECT_ID --format='value(projectNumber)'`.",
			c.ProjectNumber)
	}
}

// ---- names -----------------------------------------------------------------

// IDProblem returns what is wrong with a topic, subscription or schema ID,
// or "" when the ID is valid.
func IDProblem(id string) string {
	n := len(id)
	switch {
	case id == "":
		return "the name is empty"
	case n < 3:
		return fmt.Sprintf("%q is %d characters long; the minimum is 3", id, n)
	case n > maxIDLength:
		return fmt.Sprintf("the name is %d characters long; the maximum is %d", n, maxIDLength)
	case !isASCIILetter(id[0]):
		return fmt.Sprintf("%q starts with %q; names must start with a letter", id, id[:1])
	case strings.HasPrefix(strings.ToLower(id), "goog"):
		return fmt.Sprintf("%q starts with \"goog\", which is reserved by Google", id)
	}
	for _, r := range id {
		if !isIDChar(r) {
			return fmt.Sprintf("%q contains %q; only letters, digits and - _ . ~ + %% are allowed", id, r)
		}
	}
	return ""
}

const idRules = "Topic, subscription and schema names are 3 to 255 characters long, start with a letter, contain only letters, digits and - _ . ~ + %, and must not start with \"goog\"."

func isASCIILetter(b byte) bool { return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' }

func isIDChar(r rune) bool {
	return r < 128 && (isASCIILetter(byte(r)) || r >= '0' && r <= '9' || strings.ContainsRune("-_.~+%", r))
}

func (v *validator) names() {
	type decl struct {
		res Resource
		r   hcl.Range
	}
	// Origins whose own name is already reported: their derived names are
	// not reported again.
	badOrigin := map[Address]bool{}
	checkKind := func(kind Kind, list []Resource) {
		seen := map[string]decl{}
		for _, res := range list {
			var from *Address
			switch r := res.(type) {
			case *Topic:
				from = r.DerivedFrom
			case *Subscription:
				from = r.DerivedFrom
			}
			name := res.ID()
			r := res.Metadata().Range("name")
			if from != nil {
				if o, ok := v.userSubs[*from]; ok {
					r = o.Meta.Range("name")
				}
			}
			switch {
			case from == nil:
				if p := IDProblem(name); p != "" {
					v.errorf(r, "Invalid "+kind.String()+" name", "%s: %s. %s", describe(res), p, idRules)
					badOrigin[res.Address()] = true
					continue
				}
			case badOrigin[*from]:
				continue
			default:
				if p := IDProblem(name); p != "" {
					badOrigin[*from] = true
					v.errorf(r, "Invalid dead-letter name",
						"pubsubctl names the dead-letter topic and subscription it creates for %s after it, plus %q, and %s. %s Shorten the subscription name, or dead-letter to an existing topic with dead_letter { topic = ... }.",
						from, DeadLetterSuffix, strings.Replace(p, "the name is", "that name is", 1), idRules)
					continue
				}
			}
			first, dup := seen[name]
			if !dup {
				seen[name] = decl{res, r}
				continue
			}
			if from != nil {
				v.errorf(r, "Duplicate "+kind.String()+" name",
					"pubsubctl creates the dead-letter %s %q for %s (its name plus %q), but %s at %s already uses that name. Names must be unique per project: rename one of them, or dead-letter to the existing topic with dead_letter { topic = ... }.",
					kind, name, from, DeadLetterSuffix, describe(first.res), at(first.r))
				continue
			}
			badOrigin[res.Address()] = true
			v.errorf(r, "Duplicate "+kind.String()+" name",
				"%s is named %q, like %s declared at %s. %s names must be unique per project: rename one of them (with for_each, make name depend on each.key).",
				describe(res), name, describe(first.res), at(first.r), capitalize(kind.String()))
		}
	}
	var schemas, topics, subs []Resource
	for _, s := range v.c.Schemas {
		schemas = append(schemas, s)
	}
	for _, s := range v.c.Subscriptions {
		subs = append(subs, s)
	}
	for _, t := range v.c.Topics {
		topics = append(topics, t)
	}
	checkKind(KindSchema, schemas)
	// Subscriptions first, so that a bad or duplicate subscription name is
	// known before its derived dead-letter topic is checked.
	checkKind(KindSubscription, subs)
	checkKind(KindTopic, topics)
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// ---- labels ----------------------------------------------------------------

func (v *validator) labels(res Resource, labels map[string]string) {
	m := res.Metadata()
	n := len(labels)
	if _, ok := labels[LabelManagedBy]; !ok {
		n++
	}
	if _, ok := labels[LabelStack]; !ok && v.c.Stack != "" {
		n++
	}
	if n > maxLabels {
		v.errorf(m.Range("labels"), "Too many labels",
			"%s has %d labels, counting pubsubctl's ownership labels %s and %s; Pub/Sub allows at most %d per resource.",
			describe(res), n, LabelManagedBy, LabelStack, maxLabels)
	}
	keys := make([]string, 0, len(labels))
	for k := range labels {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		path := "labels." + k
		src := m.Source(path)
		_, written := m.Ranges[path]
		if k == LabelManagedBy || k == LabelStack {
			if written || src == SourceUser || src == SourceDefaults {
				v.fieldError(res, path, "Reserved label key",
					"The label %q is reserved: pubsubctl sets %s = %q and %s = <stack> on every resource it manages, to know which resources it owns. Remove it from the labels.",
					k, LabelManagedBy, ManagedByValue, LabelStack)
			}
			continue
		}
		if !labelKeyRE.MatchString(k) {
			v.fieldError(res, path, "Invalid label key",
				"%q is not a valid label key. Keys are 1 to 63 characters long, start with a lower-case letter, and contain only lower-case letters, digits, underscores and hyphens (international characters are allowed).",
				k)
		}
		if val := labels[k]; !labelValueRE.MatchString(val) {
			v.fieldError(res, path, "Invalid label value",
				"The value %q of label %q is not valid. Values are at most 63 characters long and contain only lower-case letters, digits, underscores and hyphens (international characters are allowed).",
				val, k)
		}
	}
}

// ---- schemas ---------------------------------------------------------------

func (v *validator) schema(s *Schema) {
	m := &s.Meta
	switch s.Type {
	case "AVRO", "PROTOCOL_BUFFER":
	default:
		v.errorf(m.Range("type"), "Invalid schema type",
			"%q is not a schema type: use \"AVRO\" or \"PROTOCOL_BUFFER\".", s.Type)
	}
	if strings.TrimSpace(s.Definition) == "" {
		v.errorf(m.Range("definition"), "Missing schema definition",
			"%s has an empty definition. Set definition, for example definition = file(\"schemas/%s.avsc\").", describe(s), s.Name)
		return
	}
	switch s.Type {
	case "AVRO":
		if p := avroProblem(s.Definition); p != "" {
			v.errorf(m.Range("definition"), "Invalid Avro schema",
				"The definition of %s is not an Avro schema: %s. An Avro schema is JSON, usually a record such as {\"type\": \"record\", \"name\": \"Order\", \"fields\": [...]}.",
				describe(s), p)
		}
	case "PROTOCOL_BUFFER":
		if !strings.Contains(s.Definition, "syntax") && !strings.Contains(s.Definition, "message") {
			v.errorf(m.Range("definition"), "Invalid Protocol Buffer schema",
				"The definition of %s contains neither a syntax declaration nor a message, so it cannot be a Protocol Buffer schema. Pub/Sub wants one .proto file defining one top-level message, e.g. syntax = \"proto3\"; message Order { string id = 1; }. (pubsubctl only makes this light check; Pub/Sub compiles the definition when the schema is created.)",
				describe(s))
		}
	}
}

// ---- topics ----------------------------------------------------------------

func (v *validator) topic(t *Topic) {
	// An explicit value is range-checked even when it is 0: "0s" does not
	// mean "off" (leaving message_retention unset does), and Pub/Sub rejects
	// it.
	if d := t.MessageRetention; (d != 0 || t.Meta.IsSet("message_retention")) && (d < minMessageRetention || d > maxMessageRetention) {
		hint := "Leave it unset to turn topic retention off."
		if d == 0 {
			hint = "A topic has no retention when message_retention is unset: remove it instead of writing 0s."
		}
		v.fieldError(t, "message_retention", "Invalid message retention",
			"Topic message retention must be between 10m and 31d; got %s. %s", FormatDuration(d), hint)
	}
	if t.KMSKeyName != "" && !kmsKeyRE.MatchString(t.KMSKeyName) {
		v.fieldError(t, "kms_key_name", "Invalid KMS key name",
			"%q is not a Cloud KMS key name. Want projects/PROJECT/locations/LOCATION/keyRings/RING/cryptoKeys/KEY.", t.KMSKeyName)
	}
	if sp := t.StoragePolicy; sp != nil {
		if len(sp.AllowedPersistenceRegions) == 0 {
			v.fieldError(t, "message_storage_policy.allowed_persistence_regions", "Empty message storage policy",
				"allowed_persistence_regions must list at least one region (e.g. [\"europe-west1\"]). Remove the message storage policy to use the organization's policy.")
		}
		for i, r := range sp.AllowedPersistenceRegions {
			if strings.TrimSpace(r) == "" {
				v.fieldError(t, "message_storage_policy.allowed_persistence_regions", "Invalid persistence region",
					"Region %d of allowed_persistence_regions is empty; list Cloud regions such as \"europe-west1\".", i+1)
			}
		}
	}
	if ss := t.Schema; ss != nil {
		switch {
		case ss.Schema == "":
			v.fieldError(t, "schema.name", "Missing schema reference",
				"A topic's schema block must name the schema, e.g. name = schema.order.")
		case !v.declared(KindSchema, ss.Schema):
			if _, id, ok := SplitName(ss.Schema, KindSchema); !ok || IDProblem(id) != "" {
				v.fieldError(t, "schema.name", "Invalid schema reference",
					"%q is not a schema name. Refer to a schema of this configuration (name = schema.order) or give the full name projects/PROJECT/schemas/SCHEMA.", ss.Schema)
			}
		}
		switch ss.Encoding {
		case "JSON", "BINARY":
		case "":
			v.fieldError(t, "schema.encoding", "Missing schema encoding",
				"A topic with a schema needs the message encoding: encoding = \"JSON\" or encoding = \"BINARY\".")
		default:
			v.fieldError(t, "schema.encoding", "Invalid schema encoding",
				"%q is not a schema encoding: use \"JSON\" or \"BINARY\".", ss.Encoding)
		}
	}
}

// ---- subscriptions ---------------------------------------------------------

// declared reports whether full names a resource of this configuration
// (whose own name is validated where it is declared).
func (v *validator) declared(k Kind, full string) bool {
	switch k {
	case KindTopic:
		for _, t := range v.c.Topics {
			if FullName(v.c.Project, k, t.Name) == full {
				return true
			}
		}
	case KindSchema:
		for _, s := range v.c.Schemas {
			if FullName(v.c.Project, k, s.Name) == full {
				return true
			}
		}
	}
	return false
}

func (v *validator) subscription(s *Subscription) {
	m := &s.Meta
	switch {
	case s.DerivedFrom != nil:
		// pubsubctl's own dead-letter subscription: its name is checked
		// with its origin's.
	case s.Topic == "":
		v.errorf(m.Range("topic"), "Missing topic",
			"%s must name the topic it reads: topic = topic.NAME, or the full name projects/PROJECT/topics/TOPIC of a topic outside this configuration.", describe(s))
	case !v.declared(KindTopic, s.Topic):
		if _, id, ok := SplitName(s.Topic, KindTopic); !ok || IDProblem(id) != "" {
			v.errorf(m.Range("topic"), "Invalid topic reference",
				"%q is not a topic name. Refer to a topic of this configuration (topic = topic.orders) or give the full name projects/PROJECT/topics/TOPIC.", s.Topic)
		}
	}

	if d := s.AckDeadline; d != 0 || m.IsSet("ack_deadline") {
		switch {
		case d < minAckDeadline || d > maxAckDeadline:
			v.fieldError(s, "ack_deadline", "Invalid ack deadline",
				"The ack deadline must be between 10s and 600s (10m); got %s.", FormatDuration(d))
		case d%time.Second != 0:
			v.fieldError(s, "ack_deadline", "Invalid ack deadline",
				"The ack deadline must be a whole number of seconds; got %s.", FormatDuration(d))
		}
	}

	retention := s.MessageRetention
	if d := s.MessageRetention; d != 0 || m.IsSet("message_retention") {
		if d < minMessageRetention || d > maxMessageRetention {
			v.fieldError(s, "message_retention", "Invalid message retention",
				"Subscription message retention must be between 10m and 31d; got %s.", FormatDuration(d))
		}
	}
	if retention == 0 {
		retention = DefaultSubscriptionRetention
	}

	if e := s.Expiration; !e.Never && (e.TTL != 0 || m.IsSet("expiration")) {
		switch {
		case e.TTL < minExpiration:
			v.fieldError(s, "expiration", "Invalid expiration",
				"A subscription's expiration must be \"never\" or at least 1d; got %s. It is how long the subscription may stay idle before Pub/Sub deletes it.", FormatDuration(e.TTL))
		case e.TTL < retention:
			v.fieldError(s, "expiration", "Expiration shorter than message retention",
				"The expiration (%s) must be at least as long as the message retention (%s); Pub/Sub rejects a subscription that could be deleted while it still retains messages. Raise expiration, lower message_retention, or use expiration = \"never\".",
				FormatDuration(e.TTL), FormatDuration(retention))
		case e.TTL > documentedMaxExpiry:
			v.warnf(m.Range("expiration"), "Long expiration",
				"The expiration (%s) is longer than 365d, the largest value Pub/Sub is known to accept. Use expiration = \"never\" for a subscription that should not expire.",
				FormatDuration(e.TTL))
		}
	}

	if rp := s.RetryPolicy; rp != nil {
		okMin, okMax := true, true
		if rp.MinimumBackoff > maxBackoff {
			okMin = false
			v.fieldError(s, "retry_policy.minimum_backoff", "Invalid minimum backoff",
				"minimum_backoff must be between 0s and 600s (10m); got %s.", FormatDuration(rp.MinimumBackoff))
		}
		if rp.MaximumBackoff > maxBackoff {
			okMax = false
			v.fieldError(s, "retry_policy.maximum_backoff", "Invalid maximum backoff",
				"maximum_backoff must be between 0s and 600s (10m); got %s.", FormatDuration(rp.MaximumBackoff))
		}
		if okMin && okMax && rp.MaximumBackoff != 0 && rp.MinimumBackoff > rp.MaximumBackoff {
			path := "retry_policy.minimum_backoff"
			if !m.IsSet(path) || m.Source(path) == SourceBuiltin {
				path = "retry_policy.maximum_backoff"
			}
			v.fieldError(s, path, "Minimum backoff exceeds maximum backoff",
				"The retry policy's minimum_backoff (%s) must not be greater than its maximum_backoff (%s).",
				FormatDuration(rp.MinimumBackoff), FormatDuration(rp.MaximumBackoff))
		}
	}

	if dl := s.DeadLetter; dl != nil {
		if n := dl.MaxDeliveryAttempts; n != 0 || m.IsSet("dead_letter.max_delivery_attempts") {
			if n < minDeliveryAttempts || n > maxDeliveryAttempts {
				v.fieldError(s, "dead_letter.max_delivery_attempts", "Invalid max delivery attempts",
					"max_delivery_attempts must be between 5 and 100; got %d.", n)
			}
		}
		if dl.Topic != "" && m.Source("dead_letter.topic") != SourceBuiltin {
			if _, id, ok := SplitName(dl.Topic, KindTopic); !v.declared(KindTopic, dl.Topic) && (!ok || IDProblem(id) != "") {
				v.errorf(m.Range("dead_letter.topic"), "Invalid dead-letter topic",
					"%q is not a topic name. Refer to a topic of this configuration (topic = topic.failed) or give the full name projects/PROJECT/topics/TOPIC; leave it unset and pubsubctl creates %q.",
					dl.Topic, DeadLetterName(s.Name))
			} else if dl.Topic == s.Topic {
				v.warnf(m.Range("dead_letter.topic"), "Dead-letter topic is the subscription's topic",
					"%s dead-letters to the topic it reads from, so undeliverable messages are published back to every subscription of that topic, including this one, and loop. Use a separate dead-letter topic, or leave dead_letter.topic unset and pubsubctl creates %q.",
					describe(s), DeadLetterName(s.Name))
			}
		}
	}
	if s.DeadLetterOptOut != nil && s.DeadLetterOptOut.Reason == "" && s.DerivedFrom == nil {
		detail := "%s has no dead-letter topic, so a message that can never be processed (a poison message) is redelivered until the message retention runs out, taking delivery attempts away from good messages (and blocking its ordering key). If that is intended, record why: dead_letter { enabled = false  reason = \"...\" }."
		if m.Source("dead_letter") == SourceDefaults {
			detail += " Dead-lettering is disabled by the defaults block."
		}
		v.warnf(m.Range("dead_letter"), "Dead-lettering disabled", detail, describe(s))
	}

	v.delivery(s)
	v.filter(s)
}

func (v *validator) delivery(s *Subscription) {
	m := &s.Meta
	var kinds []string
	if s.Push != nil {
		kinds = append(kinds, "push")
	}
	if s.BigQuery != nil {
		kinds = append(kinds, "bigquery")
	}
	if s.CloudStorage != nil {
		kinds = append(kinds, "cloud_storage")
	}
	if len(kinds) > 1 {
		v.errorf(m.Range(kinds[1]), "Conflicting delivery types",
			"%s declares both %s and %s. A subscription delivers in exactly one way: pull (no delivery block), push, bigquery or cloud_storage. Use one subscription per delivery type.",
			describe(s), kinds[0], strings.Join(kinds[1:], " and "))
	}
	if s.EnableExactlyOnceDelivery && len(kinds) > 0 {
		v.errorf(m.Range("enable_exactly_once_delivery"), "Exactly-once delivery not supported",
			"Exactly-once delivery is only supported on pull subscriptions, and %s is a %s subscription. Remove enable_exactly_once_delivery, or use a pull subscription.",
			describe(s), kinds[0])
	}

	if p := s.Push; p != nil {
		if prob := pushEndpointProblem(p.Endpoint); prob != "" {
			v.errorf(m.Range("push.endpoint"), "Invalid push endpoint",
				"%s. A push endpoint is an absolute https:// URL with a host (http:// is only accepted for localhost, 127.0.0.1 and [::1]), e.g. \"https://example.com/pubsub\".", prob)
		}
		keys := make([]string, 0, len(p.Attributes))
		for k := range p.Attributes {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			path := "push.attributes." + k
			if k != "x-goog-version" {
				v.errorf(m.Range(path), "Invalid push attribute",
					"%q is not a push attribute. The only push attribute is x-goog-version, with the value \"v1\", \"v1beta1\" or \"v1beta2\".", k)
				continue
			}
			switch p.Attributes[k] {
			case "v1", "v1beta1", "v1beta2":
			default:
				v.errorf(m.Range(path), "Invalid push attribute",
					"x-goog-version must be \"v1\", \"v1beta1\" or \"v1beta2\"; got %q.", p.Attributes[k])
			}
		}
		if o := p.OIDC; o != nil {
			v.serviceAccount(s, "push.oidc.service_account", "Invalid OIDC service account", o.ServiceAccount, true)
		}
	}

	if bq := s.BigQuery; bq != nil {
		if prob := bigQueryTableProblem(bq.Table); prob != "" {
			v.errorf(m.Range("bigquery.table"), "Invalid BigQuery table",
				"%s. Name the table as PROJECT.DATASET.TABLE (PROJECT:DATASET.TABLE is also accepted), e.g. \"my-project.analytics.orders\".", prob)
		}
		if bq.UseTopicSchema && bq.UseTableSchema {
			v.errorf(m.Range("bigquery.use_table_schema"), "Conflicting BigQuery schema options",
				"use_topic_schema and use_table_schema are mutually exclusive: write messages with the topic's schema, or with the table's schema, not both.")
		}
		v.serviceAccount(s, "bigquery.service_account", "Invalid service account", bq.ServiceAccount, false)
	}

	if cs := s.CloudStorage; cs != nil {
		switch {
		case cs.Bucket == "":
			v.errorf(m.Range("cloud_storage.bucket"), "Missing Cloud Storage bucket",
				"A cloud_storage subscription needs the bucket to write to: bucket = \"my-bucket\".")
		case strings.HasPrefix(cs.Bucket, "gs://"):
			v.errorf(m.Range("cloud_storage.bucket"), "Invalid Cloud Storage bucket",
				"bucket is the bucket name without the gs:// scheme: write %q.", strings.TrimSuffix(strings.TrimPrefix(cs.Bucket, "gs://"), "/"))
		case !bucketRE.MatchString(cs.Bucket) || (!strings.Contains(cs.Bucket, ".") && len(cs.Bucket) > 63):
			v.errorf(m.Range("cloud_storage.bucket"), "Invalid Cloud Storage bucket",
				"%q is not a bucket name. Bucket names are 3 to 63 characters long (up to 222 with dots), contain only lower-case letters, digits, -, _ and ., and start and end with a letter or digit; put object paths in filename_prefix.", cs.Bucket)
		}
		if strings.HasSuffix(cs.FilenameSuffix, "/") {
			v.errorf(m.Range("cloud_storage.filename_suffix"), "Invalid filename suffix",
				"filename_suffix must not end in \"/\"; got %q.", cs.FilenameSuffix)
		}
		if d := cs.MaxDuration; d != 0 && (d < minStorageMaxDuration || d > maxStorageMaxDuration) {
			v.errorf(m.Range("cloud_storage.max_duration"), "Invalid max duration",
				"max_duration must be between 1m and 10m; got %s.", FormatDuration(d))
		}
		if n := cs.MaxBytes; n != 0 && (n < minStorageMaxBytes || n > maxStorageMaxBytes) {
			v.errorf(m.Range("cloud_storage.max_bytes"), "Invalid max bytes",
				"max_bytes must be between 1000 (1 KB) and 10737418240 (10 GiB); got %d.", n)
		}
		if n := cs.MaxMessages; n != 0 && n < minStorageMaxMessages {
			v.errorf(m.Range("cloud_storage.max_messages"), "Invalid max messages",
				"max_messages must be at least 1000; got %d.", n)
		}
		if cs.Text && cs.Avro != nil {
			v.errorf(m.Range("cloud_storage.avro"), "Conflicting Cloud Storage output formats",
				"A cloud_storage subscription writes either text or avro files, not both: remove one of the two blocks.")
		}
		v.serviceAccount(s, "cloud_storage.service_account", "Invalid service account", cs.ServiceAccount, false)
	}
}

// serviceAccount checks a service account e-mail field (empty is fine unless
// required).
func (v *validator) serviceAccount(s *Subscription, path, summary, email string, required bool) {
	r := s.Meta.Range(path)
	switch {
	case email == "":
		if required {
			v.errorf(r, summary, "service_account is required: the e-mail of the service account whose identity signs the token, e.g. \"push-invoker@my-project.iam.gserviceaccount.com\".")
		}
	case strings.HasPrefix(email, "serviceAccount:"):
		v.errorf(r, summary, "service_account is a plain e-mail address, not an IAM member: write %q.", strings.TrimPrefix(email, "serviceAccount:"))
	case !emailRE.MatchString(email):
		v.errorf(r, summary, "%q is not a service account e-mail; want NAME@PROJECT.iam.gserviceaccount.com.", email)
	}
}

// ---- IAM -------------------------------------------------------------------
//
// The rules themselves (role and member grammar, broad roles and members)
// are in validate_iam.go.

// narrowRoles suggests least-privilege roles per resource kind.
func narrowRoles(k Kind) string {
	switch k {
	case KindTopic:
		return "roles/pubsub.publisher to publish (publishers = [...]) or roles/pubsub.viewer to read its configuration (viewers = [...])"
	case KindSubscription:
		return "roles/pubsub.subscriber to consume (subscribers = [...]) or roles/pubsub.viewer to read its configuration (viewers = [...])"
	}
	return "roles/pubsub.viewer to read it (viewers = [...])"
}

func (v *validator) iam(res Resource) {
	p := res.Policy()
	decl := res.Metadata().DeclRange
	for _, b := range p.Bindings {
		if b.Additive {
			continue // pubsubctl's own grants
		}
		br := b.Range
		if isZeroRange(br) {
			br = decl
		}
		memberRange := func(i int) hcl.Range {
			if i < len(b.MemberRanges) && !isZeroRange(b.MemberRanges[i]) {
				return b.MemberRanges[i]
			}
			return br
		}
		if err := ValidRole(b.Role); err != nil {
			v.errorf(br, "Invalid IAM role", "%s.", capitalize(err.Error()))
		} else if IsBroadRole(b.Role) && !b.AllowBroad {
			extra := ""
			switch b.Role {
			case "roles/pubsub.admin":
				extra = " roles/pubsub.admin can also change IAM policies."
			case "roles/owner", "roles/editor", "roles/viewer":
				extra = " " + b.Role + " is a primitive role: it reaches far beyond Pub/Sub."
			}
			v.errorf(br, "Broad IAM role",
				"This binding grants %s on %s.%s Grant the narrowest role that does the job: %s. If the broad role is intended, set allow_broad = true in this iam block.",
				b.Role, describe(res), extra, narrowRoles(res.Address().Kind))
		}
		if b.Condition != "" {
			v.errorf(br, "IAM conditions are not supported",
				"Pub/Sub resources do not support IAM conditions, so the binding of %s on %s cannot be conditional. Remove the condition; grant the role only to principals that need it at all times.",
				b.Role, describe(res))
		}
		seen := map[string]bool{}
		for i, mem := range b.Members {
			r := memberRange(i)
			if seen[mem] {
				v.warnf(r, "Duplicate IAM member", "%q is listed more than once for %s; remove the duplicate.", mem, b.Role)
				continue
			}
			seen[mem] = true
			if err := ValidMember(mem); err != nil {
				v.errorf(r, "Invalid IAM member", "%s.", capitalize(err.Error()))
				continue
			}
			if b.AllowBroad {
				continue
			}
			switch who := BroadMemberScope(mem); {
			case IsPublicMember(mem):
				v.errorf(r, "Public IAM member",
					"%s gives %s to %s on %s. Grant the role to specific principals (user:, serviceAccount:, group:). If public access is intended, use an iam block with allow_broad = true.",
					mem, b.Role, who, describe(res))
			case strings.HasPrefix(mem, "domain:"):
				v.errorf(r, "Broad IAM member",
					"%s gives %s to %s on %s. Grant the role to specific principals (user:, serviceAccount:, group:). If domain-wide access is intended, use an iam block with allow_broad = true.",
					mem, b.Role, who, describe(res))
			case who != "":
				v.errorf(r, "Broad IAM member",
					"%s gives %s to %s on %s. Grant the role to specific principals (principal://..., or a principalSet of one group/GROUP or attribute.NAME/VALUE). If pool-wide access is intended, use an iam block with allow_broad = true.",
					mem, b.Role, who, describe(res))
			}
		}
	}
}

// flows warns when a principal publishes to a topic and subscribes to one of
// its subscriptions.
func (v *validator) flows() {
	topics := map[string]*Topic{}
	for _, t := range v.c.Topics {
		topics[FullName(v.c.Project, KindTopic, t.Name)] = t
	}
	for _, s := range v.c.Subscriptions {
		if s.DerivedFrom != nil {
			continue
		}
		t, ok := topics[s.Topic]
		if !ok {
			continue
		}
		publishers := map[string]bool{}
		for _, b := range t.IAM.Bindings {
			if b.Role == RolePublisher && !b.Additive {
				for _, mem := range b.Members {
					publishers[mem] = true
				}
			}
		}
		if len(publishers) == 0 {
			continue
		}
		warned := map[string]bool{}
		for _, b := range s.IAM.Bindings {
			if b.Role != RoleSubscriber || b.Additive {
				continue
			}
			for i, mem := range b.Members {
				if !publishers[mem] || warned[mem] {
					continue
				}
				warned[mem] = true
				r := b.Range
				if i < len(b.MemberRanges) && !isZeroRange(b.MemberRanges[i]) {
					r = b.MemberRanges[i]
				} else if isZeroRange(r) {
					r = s.Meta.DeclRange
				}
				v.warnf(r, "Principal publishes and subscribes",
					"%s publishes to %s and consumes from %s, which reads that topic. One identity on both ends of a flow can acknowledge its own messages unprocessed and widens what a leaked key can do; give the producer and the consumer separate service accounts.",
					mem, describe(t), describe(s))
			}
		}
	}
}
