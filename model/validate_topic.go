package model

import "strings"

// topic checks a topic's retention, KMS key, storage policy and schema
// settings.
func (v *validator) topic(t *Topic) {
	// An explicit value is range-checked even when it is 0: "0s" does not
	// mean "off" (leaving message_retention unset does), and Pub/Sub rejects
	// it.
	mr := TopicMessageRetention
	if d := t.MessageRetention; (d != 0 || t.Meta.IsSet(mr.Name)) && (d < mr.Min || d > mr.Max) {
		hint := "Leave it unset to turn topic retention off."
		if d == 0 {
			hint = "A topic has no retention when message_retention is unset: remove it instead of writing 0s."
		}
		v.fieldError(t, mr.Name, "Invalid message retention",
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
	v.topicFeatures(t)
}
