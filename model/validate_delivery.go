package model

import (
	"slices"
	"strings"
)

// delivery checks how a subscription delivers: at most one of push,
// bigquery, cloud_storage and bigtable (none is pull), and the fields of that one.
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
	if s.Bigtable != nil {
		kinds = append(kinds, "bigtable")
	}
	if len(kinds) > 1 {
		v.errorf(m.Range(kinds[1]), "Conflicting delivery types",
			"%s declares both %s and %s. A subscription delivers in exactly one way: pull (no delivery block), push, bigquery, cloud_storage or bigtable. Use one subscription per delivery type.",
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
		if d := cs.MaxDuration; d != 0 && (d < SubStorageMaxDuration.Min || d > SubStorageMaxDuration.Max) {
			v.errorf(m.Range("cloud_storage.max_duration"), "Invalid max duration",
				"max_duration must be between 1m and 10m; got %s.", FormatDuration(d))
		}
		if n := cs.MaxBytes; n != 0 && (n < SubStorageMaxBytes.MinCount || n > SubStorageMaxBytes.MaxCount) {
			v.errorf(m.Range("cloud_storage.max_bytes"), "Invalid max bytes",
				"max_bytes must be between 1000 (1 KB) and 10737418240 (10 GiB); got %d.", n)
		}
		if n := cs.MaxMessages; n != 0 && n < SubStorageMaxMessages.MinCount {
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
