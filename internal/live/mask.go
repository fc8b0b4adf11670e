package live

import (
	"fmt"
	"sort"
	"strings"
)

// topicMask maps a topic's configuration field (and, as synonyms, its
// proto path) to its update-mask path.
var topicMask = map[string]string{
	"labels":                     "labels",
	"message_retention":          "message_retention_duration",
	"message_retention_duration": "message_retention_duration",
	"kms_key_name":               "kms_key_name",
	"message_storage_policy":     "message_storage_policy",
	"storage_policy":             "message_storage_policy",
	"schema":                     "schema_settings",
	"schema_settings":            "schema_settings",
}

// topicImmutable are topic fields that cannot be updated.
var topicImmutable = map[string]string{
	"name": "a topic's name cannot change: replace the topic",
}

// subscriptionMask maps a subscription's configuration field (and, as
// synonyms, its proto path) to its update-mask path.
var subscriptionMask = map[string]string{
	"ack_deadline":                 "ack_deadline_seconds",
	"ack_deadline_seconds":         "ack_deadline_seconds",
	"message_retention":            "message_retention_duration",
	"message_retention_duration":   "message_retention_duration",
	"retain_acked_messages":        "retain_acked_messages",
	"expiration":                   "expiration_policy",
	"expiration_policy":            "expiration_policy",
	"retry_policy":                 "retry_policy",
	"dead_letter":                  "dead_letter_policy",
	"dead_letter_policy":           "dead_letter_policy",
	"push":                         "push_config",
	"push_config":                  "push_config",
	"bigquery":                     "bigquery_config",
	"bigquery_config":              "bigquery_config",
	"cloud_storage":                "cloud_storage_config",
	"cloud_storage_config":         "cloud_storage_config",
	"enable_exactly_once_delivery": "enable_exactly_once_delivery",
	"labels":                       "labels",
}

// subscriptionImmutable are subscription fields that cannot be updated.
var subscriptionImmutable = map[string]string{
	"name":                    "a subscription's name cannot change: replace the subscription",
	"topic":                   "a subscription's topic is immutable: replace the subscription",
	"filter":                  "a subscription's filter is immutable: replace the subscription",
	"enable_message_ordering": "enable_message_ordering is immutable: replace the subscription",
	"detached":                "detached can only be set by detaching the subscription",
}

// TopicMask returns the update-mask paths for configuration fields of a
// topic ("labels", "schema.encoding", ...), sorted and without duplicates.
func TopicMask(fields []string) ([]string, error) {
	return buildMask("topic", fields, topicMask, topicImmutable)
}

// SubscriptionMask returns the update-mask paths for configuration fields
// of a subscription ("ack_deadline", "retry_policy.minimum_backoff", ...),
// sorted and without duplicates.
func SubscriptionMask(fields []string) ([]string, error) {
	return buildMask("subscription", fields, subscriptionMask, subscriptionImmutable)
}

func buildMask(kind string, fields []string, paths, immutable map[string]string) ([]string, error) {
	if len(fields) == 0 {
		return nil, fmt.Errorf("no %s fields to update (an empty update mask is never sent)", kind)
	}
	seen := map[string]bool{}
	var out []string
	for _, f := range fields {
		top, _, _ := strings.Cut(f, ".")
		if why, ok := immutable[top]; ok {
			return nil, fmt.Errorf("cannot update %s field %q: %s", kind, f, why)
		}
		p, ok := paths[top]
		if !ok {
			return nil, fmt.Errorf("cannot update %s field %q: not an updatable field", kind, f)
		}
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out, nil
}
