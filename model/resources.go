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
	PreventDestroy bool `json:"prevent_destroy,omitempty"`
}

// Schema is a Pub/Sub schema.
type Schema struct {
	Addr       Address `json:"address,omitempty"`
	Name       string  `json:"name,omitempty"` // resource ID
	Type       string  `json:"type,omitempty"` // AVRO or PROTOCOL_BUFFER
	Definition string  `json:"definition,omitempty"`
	// PruneRevisions (prune_revisions) lets a plan that commits a new
	// revision delete the oldest revisions no topic's revision range needs
	// when the schema would otherwise pass Pub/Sub's limit (plan/prune.go).
	// It is pubsubctl's setting, not a Pub/Sub field: never read live.
	PruneRevisions bool `json:"prune_revisions,omitempty"`
	// RevisionID is read from live state only.
	RevisionID string    `json:"revision_id,omitempty"`
	IAM        IAM       `json:"iam,omitempty"`
	Lifecycle  Lifecycle `json:"lifecycle,omitempty"`
	Meta       Meta      `json:"meta,omitempty"`
}

// Topic is a Pub/Sub topic.
type Topic struct {
	Addr             Address           `json:"address,omitempty"`
	Name             string            `json:"name,omitempty"` // resource ID
	Labels           map[string]string `json:"labels,omitempty"`
	MessageRetention time.Duration     `json:"message_retention,omitempty"` // 0: topic retention off
	KMSKeyName       string            `json:"kms_key_name,omitempty"`
	StoragePolicy    *StoragePolicy    `json:"storage_policy,omitempty"`
	Schema           *SchemaSettings   `json:"schema,omitempty"`
	Ingestion        *Ingestion        `json:"ingestion,omitempty"`
	// Transforms are the topic's message_transforms, applied in order on
	// publish.
	Transforms []MessageTransform `json:"message_transforms,omitempty"`
	// Tags are bound at creation only (input-only in Pub/Sub's API).
	Tags      map[string]string `json:"tags,omitempty"`
	IAM       IAM               `json:"iam,omitempty"`
	Lifecycle Lifecycle         `json:"lifecycle,omitempty"`
	// DerivedFrom is set on resources pubsubctl materializes itself (the
	// dead-letter topic of a subscription) and names their origin.
	DerivedFrom *Address `json:"derived_from,omitempty"`
	Meta        Meta     `json:"meta,omitempty"`
}

// StoragePolicy is a topic's message_storage_policy.
type StoragePolicy struct {
	AllowedPersistenceRegions []string `json:"allowed_persistence_regions,omitempty"`
	EnforceInTransit          bool     `json:"enforce_in_transit,omitempty"`
}

// SchemaSettings binds a topic to a schema.
type SchemaSettings struct {
	Schema          string `json:"schema,omitempty"`   // full schema name projects/P/schemas/S
	Encoding        string `json:"encoding,omitempty"` // JSON or BINARY
	FirstRevisionID string `json:"first_revision_id,omitempty"`
	LastRevisionID  string `json:"last_revision_id,omitempty"`
}

// Subscription is a Pub/Sub subscription.
type Subscription struct {
	Addr                      Address       `json:"address,omitempty"`
	Name                      string        `json:"name,omitempty"`  // resource ID
	Topic                     string        `json:"topic,omitempty"` // full topic name projects/P/topics/T
	AckDeadline               time.Duration `json:"ack_deadline,omitempty"`
	MessageRetention          time.Duration `json:"message_retention,omitempty"` // 0: Pub/Sub's default (7d)
	RetainAckedMessages       bool          `json:"retain_acked_messages,omitempty"`
	Expiration                Expiration    `json:"expiration,omitempty"`
	Filter                    string        `json:"filter,omitempty"`
	EnableMessageOrdering     bool          `json:"enable_message_ordering,omitempty"`
	EnableExactlyOnceDelivery bool          `json:"enable_exactly_once_delivery,omitempty"`
	RetryPolicy               *RetryPolicy  `json:"retry_policy,omitempty"` // nil: redeliver immediately
	DeadLetter                *DeadLetter   `json:"dead_letter,omitempty"`  // nil: no dead-lettering
	// DeadLetterOptOut is set when the user turned dead-lettering off
	// explicitly; Reason is their justification (may be empty).
	DeadLetterOptOut *OptOut             `json:"dead_letter_opt_out,omitempty"`
	Push             *PushConfig         `json:"push,omitempty"`
	BigQuery         *BigQueryConfig     `json:"bigquery,omitempty"`
	CloudStorage     *CloudStorageConfig `json:"cloud_storage,omitempty"`
	Bigtable         *BigtableConfig     `json:"bigtable,omitempty"`
	// Transforms are applied in order before delivery.
	Transforms []MessageTransform `json:"message_transforms,omitempty"`
	// Tags are bound at creation only (input-only in Pub/Sub's API).
	Tags      map[string]string `json:"tags,omitempty"`
	Labels    map[string]string `json:"labels,omitempty"`
	IAM       IAM               `json:"iam,omitempty"`
	Lifecycle Lifecycle         `json:"lifecycle,omitempty"`
	// Detached is read from live state only.
	Detached    bool     `json:"detached,omitempty"`
	DerivedFrom *Address `json:"derived_from,omitempty"`
	Meta        Meta     `json:"meta,omitempty"`
}

// Expiration is a subscription's expiration policy.
type Expiration struct {
	Never bool          `json:"never,omitempty"`
	TTL   time.Duration `json:"ttl,omitempty"` // when !Never
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
	MinimumBackoff time.Duration `json:"minimum_backoff,omitempty"`
	MaximumBackoff time.Duration `json:"maximum_backoff,omitempty"`
}

// DeadLetter is a subscription's dead-letter policy.
type DeadLetter struct {
	Topic               string `json:"topic,omitempty"` // full topic name
	MaxDeliveryAttempts int    `json:"max_delivery_attempts,omitempty"`
}

// OptOut records an explicit opt-out of a safe default.
type OptOut struct {
	Reason string `json:"reason,omitempty"`
}

// PushConfig makes a push subscription.
type PushConfig struct {
	Endpoint   string            `json:"endpoint,omitempty"`
	Attributes map[string]string `json:"attributes,omitempty"`
	OIDC       *OIDCToken        `json:"oidc,omitempty"`
	NoWrapper  *NoWrapper        `json:"no_wrapper,omitempty"` // nil: the default Pub/Sub wrapper
}

// OIDCToken authenticates push requests.
type OIDCToken struct {
	ServiceAccount string `json:"service_account,omitempty"`
	Audience       string `json:"audience,omitempty"`
}

// NoWrapper delivers the raw message body.
type NoWrapper struct {
	WriteMetadata bool `json:"write_metadata,omitempty"`
}

// BigQueryConfig makes a BigQuery export subscription.
type BigQueryConfig struct {
	Table             string `json:"table,omitempty"` // PROJECT.DATASET.TABLE
	UseTopicSchema    bool   `json:"use_topic_schema,omitempty"`
	UseTableSchema    bool   `json:"use_table_schema,omitempty"`
	WriteMetadata     bool   `json:"write_metadata,omitempty"`
	DropUnknownFields bool   `json:"drop_unknown_fields,omitempty"`
	ServiceAccount    string `json:"service_account,omitempty"`
}

// CloudStorageConfig makes a Cloud Storage export subscription.
type CloudStorageConfig struct {
	Bucket                 string        `json:"bucket,omitempty"`
	FilenamePrefix         string        `json:"filename_prefix,omitempty"`
	FilenameSuffix         string        `json:"filename_suffix,omitempty"`
	FilenameDatetimeFormat string        `json:"filename_datetime_format,omitempty"`
	Text                   bool          `json:"text,omitempty"` // text output (the default when Avro is nil)
	Avro                   *AvroConfig   `json:"avro,omitempty"` // avro output
	MaxDuration            time.Duration `json:"max_duration,omitempty"`
	MaxBytes               int64         `json:"max_bytes,omitempty"`
	MaxMessages            int64         `json:"max_messages,omitempty"`
	ServiceAccount         string        `json:"service_account,omitempty"`
}

// BigtableConfig makes a Bigtable export subscription.
type BigtableConfig struct {
	Table          string `json:"table,omitempty"` // projects/P/instances/I/tables/T
	AppProfileID   string `json:"app_profile_id,omitempty"`
	WriteMetadata  bool   `json:"write_metadata,omitempty"`
	ServiceAccount string `json:"service_account,omitempty"`
	// ColumnFamilyMapping is read from live state only: the subscription
	// maps JSON messages to row keys and columns (column_family_mapping),
	// which pubsubctl does not describe yet. Plans show it going away.
	ColumnFamilyMapping bool `json:"column_family_mapping,omitempty"`
}

// Ingestion is a topic's ingestion_data_source_settings: exactly one
// source, and the platform logs' severity.
type Ingestion struct {
	AWSKinesis     *KinesisSource   `json:"aws_kinesis,omitempty"`
	CloudStorage   *StorageSource   `json:"cloud_storage,omitempty"`
	AzureEventHubs *EventHubsSource `json:"azure_event_hubs,omitempty"`
	AWSMSK         *MSKSource       `json:"aws_msk,omitempty"`
	ConfluentCloud *ConfluentSource `json:"confluent_cloud,omitempty"`
	// PlatformLogs is platform_logs_settings.severity: "" (no platform
	// logs), DISABLED, DEBUG, INFO, WARNING or ERROR.
	PlatformLogs string `json:"platform_logs,omitempty"`
}

// Sources returns the names of the ingestion sources that are set.
func (in *Ingestion) Sources() []string {
	var out []string
	for _, s := range []struct {
		name string
		set  bool
	}{
		{"aws_kinesis", in.AWSKinesis != nil}, {"cloud_storage", in.CloudStorage != nil},
		{"azure_event_hubs", in.AzureEventHubs != nil}, {"aws_msk", in.AWSMSK != nil},
		{"confluent_cloud", in.ConfluentCloud != nil},
	} {
		if s.set {
			out = append(out, s.name)
		}
	}
	return out
}

// ServiceAccount is the Google service account the source's ingestion
// authenticates as ("" for Cloud Storage, which uses Pub/Sub's service
// agent).
func (in *Ingestion) ServiceAccount() string {
	switch {
	case in.AWSKinesis != nil:
		return in.AWSKinesis.GCPServiceAccount
	case in.AzureEventHubs != nil:
		return in.AzureEventHubs.GCPServiceAccount
	case in.AWSMSK != nil:
		return in.AWSMSK.GCPServiceAccount
	case in.ConfluentCloud != nil:
		return in.ConfluentCloud.GCPServiceAccount
	}
	return ""
}

// KinesisSource ingests from Amazon Kinesis Data Streams.
type KinesisSource struct {
	StreamARN         string `json:"stream_arn,omitempty"`
	ConsumerARN       string `json:"consumer_arn,omitempty"`
	AWSRoleARN        string `json:"aws_role_arn,omitempty"`
	GCPServiceAccount string `json:"gcp_service_account,omitempty"`
}

// StorageSource ingests objects from a Cloud Storage bucket.
type StorageSource struct {
	Bucket string `json:"bucket,omitempty"`
	// Format is "text" (the default), "avro" or "pubsub_avro".
	Format string `json:"format,omitempty"`
	// TextDelimiter is the text format's delimiter; nil: unset ("\n").
	TextDelimiter *string `json:"text_delimiter,omitempty"`
	// MinimumObjectCreateTime is an RFC 3339 time in UTC, or "".
	MinimumObjectCreateTime string `json:"minimum_object_create_time,omitempty"`
	MatchGlob               string `json:"match_glob,omitempty"`
}

// EventHubsSource ingests from Azure Event Hubs.
type EventHubsSource struct {
	ResourceGroup     string `json:"resource_group,omitempty"`
	Namespace         string `json:"namespace,omitempty"`
	EventHub          string `json:"event_hub,omitempty"`
	ClientID          string `json:"client_id,omitempty"`
	TenantID          string `json:"tenant_id,omitempty"`
	SubscriptionID    string `json:"subscription_id,omitempty"`
	GCPServiceAccount string `json:"gcp_service_account,omitempty"`
}

// MSKSource ingests from an Amazon MSK cluster.
type MSKSource struct {
	ClusterARN        string `json:"cluster_arn,omitempty"`
	Topic             string `json:"topic,omitempty"`
	AWSRoleARN        string `json:"aws_role_arn,omitempty"`
	GCPServiceAccount string `json:"gcp_service_account,omitempty"`
}

// ConfluentSource ingests from a Confluent Cloud cluster.
type ConfluentSource struct {
	BootstrapServer   string `json:"bootstrap_server,omitempty"`
	ClusterID         string `json:"cluster_id,omitempty"`
	Topic             string `json:"topic,omitempty"`
	IdentityPoolID    string `json:"identity_pool_id,omitempty"`
	GCPServiceAccount string `json:"gcp_service_account,omitempty"`
}

// MessageTransform is one single message transform: exactly one of
// JavaScriptUDF, AIInference and Compression.
type MessageTransform struct {
	JavaScriptUDF *JavaScriptUDF `json:"javascript_udf,omitempty"`
	AIInference   *AIInference   `json:"ai_inference,omitempty"`
	Compression   *Compression   `json:"compression,omitempty"`
	Disabled      bool           `json:"disabled,omitempty"`
}

// Kind returns "javascript_udf", "ai_inference", "compression" or "".
func (t MessageTransform) Kind() string {
	switch {
	case t.JavaScriptUDF != nil:
		return "javascript_udf"
	case t.AIInference != nil:
		return "ai_inference"
	case t.Compression != nil:
		return "compression"
	}
	return ""
}

// JavaScriptUDF is a user-defined JavaScript function.
type JavaScriptUDF struct {
	FunctionName string `json:"function_name,omitempty"`
	Code         string `json:"code,omitempty"`
}

// AIInference sends messages to a Vertex AI endpoint.
type AIInference struct {
	Endpoint       string `json:"endpoint,omitempty"`
	ServiceAccount string `json:"service_account,omitempty"`
	// Parameters is the unstructured inference's parameters object as
	// canonical JSON ("" when unset).
	Parameters string `json:"parameters,omitempty"`
}

// Compression compresses or decompresses message data.
type Compression struct {
	Algorithm string `json:"algorithm,omitempty"` // ZLIB
	Mode      string `json:"mode,omitempty"`      // COMPRESS or DECOMPRESS
}

// AvroConfig is the Avro output format of a Cloud Storage subscription.
type AvroConfig struct {
	WriteMetadata  bool `json:"write_metadata,omitempty"`
	UseTopicSchema bool `json:"use_topic_schema,omitempty"`
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

// DeliveryType returns "push", "bigquery", "cloud_storage", "bigtable"
// or "pull".
func (s *Subscription) DeliveryType() string {
	switch {
	case s.Push != nil:
		return "push"
	case s.BigQuery != nil:
		return "bigquery"
	case s.CloudStorage != nil:
		return "cloud_storage"
	case s.Bigtable != nil:
		return "bigtable"
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
