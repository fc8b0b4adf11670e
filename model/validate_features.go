package model

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/pubsubctl/pubsubctl/internal/transform"
)

// Formats of the identifiers ingestion sources, Bigtable subscriptions,
// AI inference transforms and tags name.
var (
	awsPartition     = `arn:aws(?:-[a-z]+)*`
	kinesisStreamRE  = regexp.MustCompile(`^` + awsPartition + `:kinesis:[a-z0-9-]+:\d{12}:stream/[A-Za-z0-9_.-]{1,128}$`)
	kinesisConsumeRE = regexp.MustCompile(`^` + awsPartition + `:kinesis:[a-z0-9-]+:\d{12}:stream/[A-Za-z0-9_.-]{1,128}/consumer/[A-Za-z0-9_.-]{1,128}:\d+$`)
	awsRoleRE        = regexp.MustCompile(`^` + awsPartition + `:iam::\d{12}:role/[A-Za-z0-9+=,.@_/-]{1,512}$`)
	mskClusterRE     = regexp.MustCompile(`^` + awsPartition + `:kafka:[a-z0-9-]+:\d{12}:cluster/[A-Za-z0-9-]{1,64}/[A-Za-z0-9-]+$`)
	uuidRE           = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	azureNamespaceRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9-]{4,48}[A-Za-z0-9]$`)
	azureGroupRE     = regexp.MustCompile(`^[-\w.()]{1,89}[-\w()]$`)
	azureHubRE       = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,255}$`)
	bootstrapRE      = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?:(\d{1,5})$`)
	bigtableTableRE  = regexp.MustCompile(`^projects/[a-z][a-z0-9-]{4,28}[a-z0-9]/instances/[a-z][a-z0-9-]{4,31}[a-z0-9]/tables/[A-Za-z0-9_.-]{1,50}$`)
	appProfileRE     = regexp.MustCompile(`^[_A-Za-z0-9][-_.A-Za-z0-9]{0,49}$`)
	vertexEndpointRE = regexp.MustCompile(`^projects/[^/]+/locations/[^/]+/(endpoints/[^/]+|publishers/[^/]+/models/[^/]+)$`)
	jsIdentRE        = regexp.MustCompile(`^[A-Za-z_$][A-Za-z0-9_$]*$`)
	tagShortRE       = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?$`)
	tagParentRE      = regexp.MustCompile(`^(\d{1,20}|[a-z][a-z0-9-]{4,28}[a-z0-9])$`)
	tagKeyIDRE       = regexp.MustCompile(`^tagKeys/\d+$`)
	tagValueIDRE     = regexp.MustCompile(`^tagValues/\d+$`)
)

// PlatformLogSeverities are the values of ingestion platform_logs.severity.
var PlatformLogSeverities = []string{"DISABLED", "DEBUG", "INFO", "WARNING", "ERROR"}

// topicFeatures checks a topic's ingestion source, transforms and tags.
func (v *validator) topicFeatures(t *Topic) {
	if in := t.Ingestion; in != nil {
		v.ingestion(t, in)
	}
	v.transforms(t, t.Transforms)
	v.tags(t, t.Tags)
}

// subscriptionFeatures checks a subscription's Bigtable delivery,
// transforms and tags.
func (v *validator) subscriptionFeatures(s *Subscription) {
	if bt := s.Bigtable; bt != nil {
		m := &s.Meta
		switch {
		case bt.Table == "":
			v.errorf(m.Range("bigtable.table"), "Missing Bigtable table",
				"A bigtable subscription needs the table to write to: table = \"projects/PROJECT/instances/INSTANCE/tables/TABLE\".")
		case !bigtableTableRE.MatchString(bt.Table):
			v.errorf(m.Range("bigtable.table"), "Invalid Bigtable table",
				"%q is not a Bigtable table name; want projects/PROJECT/instances/INSTANCE/tables/TABLE.", bt.Table)
		}
		if bt.AppProfileID != "" && !appProfileRE.MatchString(bt.AppProfileID) {
			v.errorf(m.Range("bigtable.app_profile_id"), "Invalid Bigtable app profile",
				"%q is not an app profile ID: up to 50 letters, digits, _, - and ., starting with a letter, digit or _ (the profile must use single-cluster routing).", bt.AppProfileID)
		}
		v.email(s, "bigtable.service_account", "Invalid service account", bt.ServiceAccount, false)
	}
	v.transforms(s, s.Transforms)
	v.tags(s, s.Tags)
}

// email checks a service account e-mail at path of res.
func (v *validator) email(res Resource, path, summary, email string, required bool) {
	r := res.Metadata().Range(path)
	name := path[strings.LastIndexByte(path, '.')+1:]
	switch {
	case email == "":
		if required {
			v.errorf(r, summary, "%s is required: the e-mail of a service account, e.g. \"ingestion@my-project.iam.gserviceaccount.com\".", name)
		}
	case strings.HasPrefix(email, "serviceAccount:"):
		v.errorf(r, summary, "%s is a plain e-mail address, not an IAM member: write %q.", name, strings.TrimPrefix(email, "serviceAccount:"))
	case !emailRE.MatchString(email):
		v.errorf(r, summary, "%q is not a service account e-mail; want NAME@PROJECT.iam.gserviceaccount.com.", email)
	}
}

// match reports a value at path that does not match re.
func (v *validator) match(res Resource, path, summary string, value string, re *regexp.Regexp, want string) bool {
	if value == "" || re.MatchString(value) {
		return true
	}
	v.errorf(res.Metadata().Range(path), summary, "%q is not %s.", value, want)
	return false
}

func (v *validator) ingestion(t *Topic, in *Ingestion) {
	m := &t.Meta
	const p = "ingestion."
	sources := in.Sources()
	switch {
	case len(sources) == 0:
		v.errorf(m.Range("ingestion"), "Missing ingestion source",
			"An ingestion block names one source: aws_kinesis, cloud_storage, azure_event_hubs, aws_msk or confluent_cloud.")
	case len(sources) > 1:
		v.errorf(m.Range(p+sources[1]), "Conflicting ingestion sources",
			"A topic ingests from one source, but %s declares %s. Use one topic per source.", describe(t), strings.Join(sources, " and "))
	}
	if k := in.AWSKinesis; k != nil {
		q := p + "aws_kinesis."
		v.match(t, q+"stream_arn", "Invalid Kinesis stream ARN", k.StreamARN, kinesisStreamRE, "a Kinesis stream ARN (arn:aws:kinesis:REGION:ACCOUNT:stream/NAME)")
		if v.match(t, q+"consumer_arn", "Invalid Kinesis consumer ARN", k.ConsumerARN, kinesisConsumeRE,
			"a Kinesis consumer ARN (arn:aws:kinesis:REGION:ACCOUNT:stream/NAME/consumer/CONSUMER:TIMESTAMP)") &&
			kinesisStreamRE.MatchString(k.StreamARN) && k.ConsumerARN != "" && !strings.HasPrefix(k.ConsumerARN, k.StreamARN+"/consumer/") {
			v.errorf(m.Range(q+"consumer_arn"), "Kinesis consumer of another stream",
				"The consumer %q is not registered on the stream %q: Pub/Sub reads the stream through an enhanced fan-out consumer of that stream.", k.ConsumerARN, k.StreamARN)
		}
		v.match(t, q+"aws_role_arn", "Invalid AWS role ARN", k.AWSRoleARN, awsRoleRE, "an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)")
		v.email(t, q+"gcp_service_account", "Invalid service account", k.GCPServiceAccount, true)
	}
	if c := in.CloudStorage; c != nil {
		q := p + "cloud_storage."
		switch {
		case strings.HasPrefix(c.Bucket, "gs://"):
			v.errorf(m.Range(q+"bucket"), "Invalid Cloud Storage bucket",
				"bucket is the bucket name without the gs:// scheme: write %q.", strings.TrimSuffix(strings.TrimPrefix(c.Bucket, "gs://"), "/"))
		case c.Bucket != "" && (!bucketRE.MatchString(c.Bucket) || (!strings.Contains(c.Bucket, ".") && len(c.Bucket) > 63)):
			v.errorf(m.Range(q+"bucket"), "Invalid Cloud Storage bucket",
				"%q is not a bucket name: 3 to 63 characters (up to 222 with dots) of lower-case letters, digits, -, _ and ., starting and ending with a letter or digit. Select objects with match_glob.", c.Bucket)
		}
		if c.TextDelimiter != nil && *c.TextDelimiter == "" {
			v.errorf(m.Range(q+"text_format.delimiter"), "Empty delimiter",
				"text_format.delimiter splits objects into messages, so it cannot be empty; leave it out for \"\\n\".")
		}
	}
	if e := in.AzureEventHubs; e != nil {
		q := p + "azure_event_hubs."
		v.match(t, q+"resource_group", "Invalid Azure resource group", e.ResourceGroup, azureGroupRE, "an Azure resource group name (1 to 90 letters, digits, _, -, ., ( and ), not ending in .)")
		v.match(t, q+"namespace", "Invalid Event Hubs namespace", e.Namespace, azureNamespaceRE, "an Event Hubs namespace (6 to 50 letters, digits and -, starting with a letter)")
		v.match(t, q+"event_hub", "Invalid event hub", e.EventHub, azureHubRE, "an event hub name (up to 256 letters, digits, ., _ and -)")
		for _, f := range [][2]string{{"client_id", e.ClientID}, {"tenant_id", e.TenantID}, {"subscription_id", e.SubscriptionID}} {
			v.match(t, q+f[0], "Invalid Azure ID", f[1], uuidRE, "an Azure ID (a UUID such as 00000000-0000-0000-0000-000000000000)")
		}
		v.email(t, q+"gcp_service_account", "Invalid service account", e.GCPServiceAccount, true)
	}
	if k := in.AWSMSK; k != nil {
		q := p + "aws_msk."
		v.match(t, q+"cluster_arn", "Invalid MSK cluster ARN", k.ClusterARN, mskClusterRE, "an MSK cluster ARN (arn:aws:kafka:REGION:ACCOUNT:cluster/NAME/UUID)")
		v.match(t, q+"aws_role_arn", "Invalid AWS role ARN", k.AWSRoleARN, awsRoleRE, "an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)")
		v.email(t, q+"gcp_service_account", "Invalid service account", k.GCPServiceAccount, true)
	}
	if c := in.ConfluentCloud; c != nil {
		q := p + "confluent_cloud."
		if c.BootstrapServer != "" {
			port := 0
			if mm := bootstrapRE.FindStringSubmatch(c.BootstrapServer); mm != nil {
				port, _ = strconv.Atoi(mm[2])
			}
			if port < 1 || port > 65535 {
				v.errorf(m.Range(q+"bootstrap_server"), "Invalid bootstrap server",
					"%q is not a bootstrap server: want HOST:PORT, e.g. \"pkc-12345.us-east1.gcp.confluent.cloud:9092\".", c.BootstrapServer)
			}
		}
		v.email(t, q+"gcp_service_account", "Invalid service account", c.GCPServiceAccount, true)
	}
	if s := in.PlatformLogs; s != "" && !containsString(PlatformLogSeverities, s) {
		v.errorf(m.Range(p+"platform_logs.severity"), "Invalid platform logs severity",
			"%q is not a severity: use one of %s.", s, strings.Join(PlatformLogSeverities, ", "))
	}
}

func containsString(xs []string, s string) bool { return slices.Contains(xs, s) }

// transforms checks the message transforms of a topic or subscription;
// every JavaScript UDF is parsed (transform.Compile).
func (v *validator) transforms(res Resource, ts []MessageTransform) {
	m := res.Metadata()
	if len(ts) > transform.MaxTransforms {
		v.errorf(m.Range(TopicTransforms.Name+"."+strconv.Itoa(transform.MaxTransforms)), "Too many message transforms",
			"%s has %d message_transform blocks; Pub/Sub allows at most %d on a topic or subscription.", describe(res), len(ts), transform.MaxTransforms)
	}
	names := map[string]string{}
	for i, t := range ts {
		p := TopicTransforms.Name + "." + strconv.Itoa(i) + "."
		if u := t.JavaScriptUDF; u != nil {
			q := p + "javascript_udf."
			switch {
			case u.FunctionName == "":
			case !jsIdentRE.MatchString(u.FunctionName):
				v.errorf(m.Range(q+"function_name"), "Invalid function name",
					"%q is not a JavaScript function name (letters, digits, _ and $, not starting with a digit).", u.FunctionName)
			case names[u.FunctionName] != "":
				v.errorf(m.Range(q+"function_name"), "Duplicate function name",
					"Two JavaScript UDFs of %s are named %q (the other is %s); each UDF of a resource needs its own function_name.",
					describe(res), u.FunctionName, names[u.FunctionName])
			default:
				names[u.FunctionName] = fmt.Sprintf("message_transform %d", i+1)
			}
			// The code is parsed by the loader (internal/config), which
			// knows where a heredoc or file() puts its lines.
		}
		if a := t.AIInference; a != nil {
			v.match(res, p+"ai_inference.endpoint", "Invalid Vertex AI endpoint", a.Endpoint, vertexEndpointRE,
				"a Vertex AI endpoint (projects/PROJECT/locations/LOCATION/endpoints/ENDPOINT or projects/PROJECT/locations/LOCATION/publishers/PUBLISHER/models/MODEL)")
			v.email(res, p+"ai_inference.service_account", "Invalid service account", a.ServiceAccount, false)
		}
		if c := t.Compression; c != nil {
			if c.Algorithm != "" && c.Algorithm != "ZLIB" {
				v.errorf(m.Range(p+"compression.algorithm"), "Invalid compression algorithm", "%q is not a compression algorithm: the only one is \"ZLIB\".", c.Algorithm)
			}
			if c.Mode != "" && c.Mode != "COMPRESS" && c.Mode != "DECOMPRESS" {
				v.errorf(m.Range(p+"compression.mode"), "Invalid compression mode", "%q is not a compression mode: use \"COMPRESS\" or \"DECOMPRESS\".", c.Mode)
			}
		}
	}
}

// IsJSIdentifier reports whether s can name a JavaScript function.
func IsJSIdentifier(s string) bool { return jsIdentRE.MatchString(s) }

// tags checks the tags of a topic or subscription: NAMESPACED_KEY =
// VALUE_SHORT_NAME ("123456789012/environment" = "production", the key's
// parent an organization ID or project ID) or tagKeys/ID = tagValues/ID.
func (v *validator) tags(res Resource, tags map[string]string) {
	m := res.Metadata()
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		val := tags[k]
		r := m.Range(TopicTags.Name + "." + k)
		if tagKeyIDRE.MatchString(k) {
			if !tagValueIDRE.MatchString(val) {
				v.errorf(r, "Invalid tag value", "The tag key %s is a key ID, so its value must be a value ID such as \"tagValues/456\"; got %q.", k, val)
			}
			continue
		}
		parent, short, ok := strings.Cut(k, "/")
		if !ok || !tagParentRE.MatchString(parent) || !tagShortRE.MatchString(short) {
			v.errorf(r, "Invalid tag key",
				"%q is not a tag key: want PARENT/SHORT_NAME, the parent an organization ID or project ID (e.g. \"123456789012/environment\"), or a key ID tagKeys/ID.", k)
			continue
		}
		if !tagShortRE.MatchString(val) {
			v.errorf(r, "Invalid tag value",
				"%q is not a tag value short name: 1 to 63 letters, digits, _, - and ., starting and ending with a letter or digit (or a value ID tagValues/ID with a key ID).", val)
		}
	}
}
