package model

import "time"

// Field is one row of the field table: everything pubsubctl knows about one
// top-level configuration attribute of a Pub/Sub resource, in one place. The
// loader's attribute lists, plan's field list and normalization, live's
// update masks and server-default filling, export's explicit-value rules and
// validation's bounds all read it. Adding a field is one row here plus its
// protobuf conversion in internal/live. (The embedded emulator keeps its own
// copy of Pub/Sub's rules on purpose: it is the independent check.)
type Field struct {
	Kind Kind
	// Name is the configuration attribute, and the first element of the
	// field's paths in plans and provenance ("retry_policy" for
	// "retry_policy.minimum_backoff").
	Name string
	// Mask is the update-mask path; empty when the field cannot be updated.
	Mask string
	// Immutable says why a change of the field needs a replace; empty when
	// the field can change in place.
	Immutable string
	// Duration bounds (0: none) of a duration field.
	Min, Max time.Duration
	// ServerDefault is what Pub/Sub reports for a duration field the
	// request left unset (0: nothing).
	ServerDefault time.Duration
	// Default is pubsubctl's safe default for a duration field (0: none):
	// what an unset attribute becomes unless a defaults block says
	// otherwise, and what export leaves out.
	Default time.Duration
	// The same for a count field (0: none).
	MinCount, MaxCount, ServerDefaultCount, DefaultCount int64
}

// Built-in defaults: the safe ones. Every one is visible in plan and can be
// changed by the defaults block or on the resource itself.
const (
	DefaultAckDeadline           = 60 * time.Second
	DefaultMinimumBackoff        = 10 * time.Second
	DefaultMaximumBackoff        = 600 * time.Second
	DefaultMaxDeliveryAttempts   = 5
	DefaultSubscriptionRetention = 7 * Day
	// DeadLetterSubscriptionRetention is the retention of the pull
	// subscription pubsubctl attaches to every dead-letter topic it creates.
	DeadLetterSubscriptionRetention = 7 * Day
)

// The rows that code refers to by name.
var (
	SchemaType       = &Field{Kind: KindSchema, Name: "type", Immutable: "a schema's type cannot change: the schema is re-created with all its revisions"}
	SchemaDefinition = &Field{Kind: KindSchema, Name: "definition"}

	TopicLabels           = &Field{Kind: KindTopic, Name: "labels", Mask: "labels"}
	TopicMessageRetention = &Field{Kind: KindTopic, Name: "message_retention", Mask: "message_retention_duration",
		Min: 10 * time.Minute, Max: 31 * Day}
	TopicKMSKeyName    = &Field{Kind: KindTopic, Name: "kms_key_name", Mask: "kms_key_name"}
	TopicStoragePolicy = &Field{Kind: KindTopic, Name: "message_storage_policy", Mask: "message_storage_policy"}
	TopicSchema        = &Field{Kind: KindTopic, Name: "schema", Mask: "schema_settings"}
	// Ingestion settings and transforms are updatable (the update masks
	// ingestion_data_source_settings and message_transforms, per the
	// UpdateTopic documentation); tags are input-only and immutable.
	TopicIngestion  = &Field{Kind: KindTopic, Name: "ingestion", Mask: "ingestion_data_source_settings"}
	TopicTransforms = &Field{Kind: KindTopic, Name: "message_transform", Mask: "message_transforms"}
	TopicTags       = &Field{Kind: KindTopic, Name: "tags",
		Immutable: "tags are bound when a topic is created and cannot change: replace the topic"}

	SubTopic = &Field{Kind: KindSubscription, Name: "topic",
		Immutable: "a subscription's topic is immutable: replace the subscription"}
	SubFilter = &Field{Kind: KindSubscription, Name: "filter",
		Immutable: "a subscription's filter is immutable: replace the subscription"}
	SubMessageOrdering = &Field{Kind: KindSubscription, Name: "enable_message_ordering",
		Immutable: "enable_message_ordering is immutable: replace the subscription"}
	SubAckDeadline = &Field{Kind: KindSubscription, Name: "ack_deadline", Mask: "ack_deadline_seconds",
		Min: 10 * time.Second, Max: 600 * time.Second, ServerDefault: 10 * time.Second, Default: DefaultAckDeadline}
	SubMessageRetention = &Field{Kind: KindSubscription, Name: "message_retention", Mask: "message_retention_duration",
		Min: 10 * time.Minute, Max: 31 * Day, ServerDefault: 7 * Day, Default: DefaultSubscriptionRetention}
	SubRetainAcked = &Field{Kind: KindSubscription, Name: "retain_acked_messages", Mask: "retain_acked_messages"}
	// SubExpiration's Max is the documented maximum TTL (unverified, so
	// exceeding it is a warning); ServerDefault is the TTL of a
	// subscription without an expiration policy.
	SubExpiration = &Field{Kind: KindSubscription, Name: "expiration", Mask: "expiration_policy",
		Min: 1 * Day, Max: 365 * Day, ServerDefault: 31 * Day}
	SubRetryPolicy  = &Field{Kind: KindSubscription, Name: "retry_policy", Mask: "retry_policy"}
	SubDeadLetter   = &Field{Kind: KindSubscription, Name: "dead_letter", Mask: "dead_letter_policy"}
	SubPush         = &Field{Kind: KindSubscription, Name: "push", Mask: "push_config"}
	SubBigQuery     = &Field{Kind: KindSubscription, Name: "bigquery", Mask: "bigquery_config"}
	SubCloudStorage = &Field{Kind: KindSubscription, Name: "cloud_storage", Mask: "cloud_storage_config"}
	SubBigtable     = &Field{Kind: KindSubscription, Name: "bigtable", Mask: "bigtable_config"}
	SubTransforms   = &Field{Kind: KindSubscription, Name: "message_transform", Mask: "message_transforms"}
	SubTags         = &Field{Kind: KindSubscription, Name: "tags",
		Immutable: "tags are bound when a subscription is created and cannot change: replace the subscription"}
	SubExactlyOnce    = &Field{Kind: KindSubscription, Name: "enable_exactly_once_delivery", Mask: "enable_exactly_once_delivery"}
	SubLabels         = &Field{Kind: KindSubscription, Name: "labels", Mask: "labels"}
	SubDetached       = &Field{Kind: KindSubscription, Name: "detached", Immutable: "detached can only be set by detaching the subscription"}
	ResourceNameField = "name" // every resource's ID: never updated, a new name is a new resource

	// Rows for paths under a top-level attribute, for their bounds and
	// defaults (the mask and mutability are their attribute's).
	SubMinimumBackoff = &Field{Kind: KindSubscription, Name: "retry_policy.minimum_backoff",
		Max: 600 * time.Second, ServerDefault: 10 * time.Second, Default: DefaultMinimumBackoff}
	SubMaximumBackoff = &Field{Kind: KindSubscription, Name: "retry_policy.maximum_backoff",
		Max: 600 * time.Second, ServerDefault: 600 * time.Second, Default: DefaultMaximumBackoff}
	SubMaxDeliveryAttempts = &Field{Kind: KindSubscription, Name: "dead_letter.max_delivery_attempts",
		MinCount: 5, MaxCount: 100, ServerDefaultCount: 5, DefaultCount: DefaultMaxDeliveryAttempts}
	SubStorageMaxDuration = &Field{Kind: KindSubscription, Name: "cloud_storage.max_duration",
		Min: 1 * time.Minute, Max: 10 * time.Minute, ServerDefault: 5 * time.Minute}
	SubStorageMaxBytes    = &Field{Kind: KindSubscription, Name: "cloud_storage.max_bytes", MinCount: 1000, MaxCount: 10 << 30}
	SubStorageMaxMessages = &Field{Kind: KindSubscription, Name: "cloud_storage.max_messages", MinCount: 1000}
)

// Fields is the field table: every row, by kind.
var Fields = []*Field{
	SchemaType, SchemaDefinition,
	TopicLabels, TopicMessageRetention, TopicKMSKeyName, TopicStoragePolicy, TopicSchema,
	TopicIngestion, TopicTransforms, TopicTags,
	SubTopic, SubFilter, SubMessageOrdering, SubAckDeadline, SubMessageRetention, SubRetainAcked,
	SubExpiration, SubRetryPolicy, SubDeadLetter, SubPush, SubBigQuery, SubCloudStorage, SubExactlyOnce,
	SubLabels, SubDetached, SubBigtable, SubTransforms, SubTags,
	SubMinimumBackoff, SubMaximumBackoff, SubMaxDeliveryAttempts, SubStorageMaxDuration, SubStorageMaxBytes, SubStorageMaxMessages,
}

// LookupField returns the row of kind's top-level attribute that path
// belongs to ("retry_policy" for "retry_policy.minimum_backoff"), or nil.
func LookupField(kind Kind, path string) *Field {
	name := path
	for i := 0; i < len(path); i++ {
		if path[i] == '.' {
			name = path[:i]
			break
		}
	}
	for _, f := range Fields {
		if f.Kind == kind && f.Name == name {
			return f
		}
	}
	return nil
}

// IsImmutable reports whether a change of kind's field at path needs a
// replace. The resource's name is always immutable.
func IsImmutable(kind Kind, path string) bool {
	if path == ResourceNameField {
		return true
	}
	f := LookupField(kind, path)
	return f != nil && f.Immutable != ""
}
