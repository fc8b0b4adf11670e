package model

import "time"

// Ownership labels put on every managed resource.
const (
	LabelManagedBy   = "managed-by"
	LabelStack       = "pubsubctl-stack"
	ManagedByValue   = "pubsubctl"
	DeadLetterSuffix = "-dlq"
)

// Config is a whole desired state: one project, one stack.
type Config struct {
	Project       string // project ID
	ProjectNumber string // optional; needed for the Pub/Sub service agent
	Stack         string
	Schemas       []*Schema
	Topics        []*Topic
	Subscriptions []*Subscription
	// ExternalBindings are grants on resources outside the configuration
	// (dead-letter topics in other projects).
	ExternalBindings []ExternalBinding
	// Meta of the pubsubctl block (ranges of project, stack, ...).
	Meta Meta
}

// Lifecycle holds per-resource safety settings.
type Lifecycle struct {
	PreventDestroy bool
}

// Schema is a Pub/Sub schema.
type Schema struct {
	Addr       Address
	Name       string // resource ID
	Type       string // AVRO or PROTOCOL_BUFFER
	Definition string
	// RevisionID is read from live state only.
	RevisionID string
	IAM        IAM
	Lifecycle  Lifecycle
	Meta       Meta
}

// Topic is a Pub/Sub topic.
type Topic struct {
	Addr             Address
	Name             string // resource ID
	Labels           map[string]string
	MessageRetention time.Duration // 0: topic retention off
	KMSKeyName       string
	StoragePolicy    *StoragePolicy
	Schema           *SchemaSettings
	IAM              IAM
	Lifecycle        Lifecycle
	// DerivedFrom is set on resources pubsubctl materializes itself (the
	// dead-letter topic of a subscription) and names their origin.
	DerivedFrom *Address
	Meta        Meta
}

// StoragePolicy is a topic's message_storage_policy.
type StoragePolicy struct {
	AllowedPersistenceRegions []string
	EnforceInTransit          bool
}

// SchemaSettings binds a topic to a schema.
type SchemaSettings struct {
	Schema          string // full schema name projects/P/schemas/S
	Encoding        string // JSON or BINARY
	FirstRevisionID string
	LastRevisionID  string
}

// Subscription is a Pub/Sub subscription.
type Subscription struct {
	Addr                      Address
	Name                      string // resource ID
	Topic                     string // full topic name projects/P/topics/T
	AckDeadline               time.Duration
	MessageRetention          time.Duration // 0: Pub/Sub's default (7d)
	RetainAckedMessages       bool
	Expiration                Expiration
	Filter                    string
	EnableMessageOrdering     bool
	EnableExactlyOnceDelivery bool
	RetryPolicy               *RetryPolicy // nil: redeliver immediately
	DeadLetter                *DeadLetter  // nil: no dead-lettering
	// DeadLetterOptOut is set when the user turned dead-lettering off
	// explicitly; Reason is their justification (may be empty).
	DeadLetterOptOut *OptOut
	Push             *PushConfig
	BigQuery         *BigQueryConfig
	CloudStorage     *CloudStorageConfig
	Labels           map[string]string
	IAM              IAM
	Lifecycle        Lifecycle
	// Detached is read from live state only.
	Detached    bool
	DerivedFrom *Address
	Meta        Meta
}

// Expiration is a subscription's expiration policy.
type Expiration struct {
	Never bool
	TTL   time.Duration // when !Never
}

// String renders "never" or the canonical duration.
func (e Expiration) String() string {
	if e.Never {
		return "never"
	}
	return FormatDuration(e.TTL)
}

// RetryPolicy is exponential backoff between redeliveries.
type RetryPolicy struct {
	MinimumBackoff time.Duration
	MaximumBackoff time.Duration
}

// DeadLetter is a subscription's dead-letter policy.
type DeadLetter struct {
	Topic               string // full topic name
	MaxDeliveryAttempts int
}

// OptOut records an explicit opt-out of a safe default.
type OptOut struct {
	Reason string
}

// PushConfig makes a push subscription.
type PushConfig struct {
	Endpoint   string
	Attributes map[string]string
	OIDC       *OIDCToken
	NoWrapper  *NoWrapper // nil: the default Pub/Sub wrapper
}

// OIDCToken authenticates push requests.
type OIDCToken struct {
	ServiceAccount string
	Audience       string
}

// NoWrapper delivers the raw message body.
type NoWrapper struct {
	WriteMetadata bool
}

// BigQueryConfig makes a BigQuery export subscription.
type BigQueryConfig struct {
	Table             string // PROJECT.DATASET.TABLE
	UseTopicSchema    bool
	UseTableSchema    bool
	WriteMetadata     bool
	DropUnknownFields bool
	ServiceAccount    string
}

// CloudStorageConfig makes a Cloud Storage export subscription.
type CloudStorageConfig struct {
	Bucket                 string
	FilenamePrefix         string
	FilenameSuffix         string
	FilenameDatetimeFormat string
	Text                   bool        // text output (the default when Avro is nil)
	Avro                   *AvroConfig // avro output
	MaxDuration            time.Duration
	MaxBytes               int64
	MaxMessages            int64
	ServiceAccount         string
}

// AvroConfig is the Avro output format of a Cloud Storage subscription.
type AvroConfig struct {
	WriteMetadata  bool
	UseTopicSchema bool
}

// Resource is implemented by *Schema, *Topic and *Subscription.
type Resource interface {
	Address() Address
	ID() string
	Metadata() *Meta
	Policy() *IAM
}

// DerivedFrom is the resource a derived topic or subscription (a
// dead-letter one) was made for, or nil.
func DerivedFrom(res Resource) *Address {
	switch r := res.(type) {
	case *Topic:
		return r.DerivedFrom
	case *Subscription:
		return r.DerivedFrom
	}
	return nil
}

func (s *Schema) Address() Address { return s.Addr }
func (s *Schema) ID() string       { return s.Name }
func (s *Schema) Metadata() *Meta  { return &s.Meta }
func (s *Schema) Policy() *IAM     { return &s.IAM }

func (t *Topic) Address() Address { return t.Addr }
func (t *Topic) ID() string       { return t.Name }
func (t *Topic) Metadata() *Meta  { return &t.Meta }
func (t *Topic) Policy() *IAM     { return &t.IAM }

func (s *Subscription) Address() Address { return s.Addr }
func (s *Subscription) ID() string       { return s.Name }
func (s *Subscription) Metadata() *Meta  { return &s.Meta }
func (s *Subscription) Policy() *IAM     { return &s.IAM }

// DeliveryType returns "push", "bigquery", "cloud_storage" or "pull".
func (s *Subscription) DeliveryType() string {
	switch {
	case s.Push != nil:
		return "push"
	case s.BigQuery != nil:
		return "bigquery"
	case s.CloudStorage != nil:
		return "cloud_storage"
	}
	return "pull"
}

// Resources returns every resource of the configuration in dependency order
// (schemas, topics, subscriptions), each group in declaration order.
func (c *Config) Resources() []Resource { return resources(c.Schemas, c.Topics, c.Subscriptions) }

func resources(schemas []*Schema, topics []*Topic, subs []*Subscription) []Resource {
	out := make([]Resource, 0, len(schemas)+len(topics)+len(subs))
	for _, s := range schemas {
		out = append(out, s)
	}
	for _, t := range topics {
		out = append(out, t)
	}
	for _, s := range subs {
		out = append(out, s)
	}
	return out
}

// LabelsOf returns the labels of a topic or subscription (nil for a
// schema, which has none).
func LabelsOf(r Resource) map[string]string {
	switch r := r.(type) {
	case *Topic:
		return r.Labels
	case *Subscription:
		return r.Labels
	}
	return nil
}

// Owner returns the stack whose ownership labels a resource carries, or ""
// when pubsubctl does not manage it.
func Owner(r Resource) string {
	l := LabelsOf(r)
	if l[LabelManagedBy] != ManagedByValue {
		return ""
	}
	return l[LabelStack]
}

// OwnedBy reports whether labels mark a resource as managed by stack.
func OwnedBy(labels map[string]string, stack string) bool {
	return labels[LabelManagedBy] == ManagedByValue && labels[LabelStack] == stack
}
