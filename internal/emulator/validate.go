package emulator

import (
	"net/netip"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	pb "cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	durpb "google.golang.org/protobuf/types/known/durationpb"

	"github.com/pubsubctl/pubsubctl/internal/emulator/engine"
)

// Limits and defaults of the real service: the emulator's own copy, kept
// independent of pubsubctl's tables (see doc.go).
const (
	day = 24 * time.Hour

	minAckDeadline     = 10
	maxAckDeadline     = 600
	defaultAckDeadline = 10

	minRetention           = 10 * time.Minute
	maxSubRetention        = 31 * day
	defaultSubRetention    = 7 * day
	defaultExpirationTTL   = 31 * day
	minExpirationTTL       = 1 * day
	maxBackoff             = 600 * time.Second
	defaultMinimumBackoff  = 10 * time.Second
	defaultMaximumBackoff  = 600 * time.Second
	minDeliveryAttempts    = 5
	maxDeliveryAttempts    = 100
	defaultDeliveryAttempt = 5

	maxLabels          = 64
	maxFilterBytes     = 256
	maxPublishMessages = 1000
	maxAttributes      = 100
	maxAttrKeyBytes    = 256
	maxAttrValueBytes  = 1024
	maxOrderingKey     = 1024

	deletedTopic  = "_deleted-topic_"
	deletedSchema = "_deleted-schema_"
)

var (
	idRE         = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9\-_.~+%]{2,254}$`)
	labelKeyRE   = runesRE{regexp.MustCompile(`^[\p{Ll}\p{Lo}][\p{Ll}\p{Lo}\p{N}_-]*$`), 63}
	labelValueRE = runesRE{regexp.MustCompile(`^[\p{Ll}\p{Lo}\p{N}_-]*$`), 63}
	kmsKeyRE     = regexp.MustCompile(`^projects/[^/]+/locations/[^/]+/keyRings/[^/]+/cryptoKeys/[^/]+$`)
	pushVersions = map[string]bool{"v1": true, "v1beta1": true, "v1beta2": true}
)

func invalidf(format string, args ...any) error {
	return status.Errorf(codes.InvalidArgument, format, args...)
}

// validID reports whether id follows the topic/subscription/schema ID rules.
func validID(id string) bool {
	return idRE.MatchString(id) && !strings.HasPrefix(id, "goog")
}

// parseProject parses "projects/P".
func parseProject(name string) (string, error) {
	p, ok := strings.CutPrefix(name, "projects/")
	if !ok || p == "" || strings.Contains(p, "/") {
		return "", invalidf("Invalid [projects] name: (name=%s)", name)
	}
	return p, nil
}

// parseResource parses "projects/P/<collection>/ID" and checks the ID rules.
func parseResource(name, collection string) (project, id string, err error) {
	parts := strings.Split(name, "/")
	if len(parts) != 4 || parts[0] != "projects" || parts[1] == "" || parts[2] != collection || !validID(parts[3]) {
		return "", "", invalidf("Invalid [%s] name: (name=%s)", collection, name)
	}
	return parts[1], parts[3], nil
}

func checkTopicName(name string) error { _, _, err := parseResource(name, "topics"); return err }
func checkSubName(name string) error   { _, _, err := parseResource(name, "subscriptions"); return err }
func checkSchemaName(name string) error {
	_, _, err := parseResource(name, "schemas")
	return err
}

// checkRef checks a required reference to a resource, field of message:
// it is given, and check accepts the name.
func checkRef(name, message, field string, check func(string) error) error {
	if name == "" {
		return invalidf("Invalid %s: %s is required", message, field)
	}
	return check(name)
}

// checkSchemaRevName accepts "projects/P/schemas/S" with an optional "@REV".
func checkSchemaRevName(name string, requireRev bool) error {
	base, rev, hasRev := strings.Cut(name, "@")
	if err := checkSchemaName(base); err != nil {
		return err
	}
	if (hasRev && (rev == "" || strings.Contains(rev, "@"))) || (requireRev && !hasRev) {
		return invalidf("Invalid [schemas] name: (name=%s)", name)
	}
	return nil
}

func checkLabels(labels map[string]string) error {
	if len(labels) > maxLabels {
		return invalidf("Too many labels: %d (at most %d are allowed)", len(labels), maxLabels)
	}
	for k, v := range labels {
		if !labelKeyRE.MatchString(k) {
			return invalidf("Invalid label key %q: keys must be 1-63 characters, start with a lower-case letter and contain only lower-case letters, digits, '_' and '-'", k)
		}
		if !labelValueRE.MatchString(v) {
			return invalidf("Invalid label value %q for key %q: values must be 0-63 characters of lower-case letters, digits, '_' and '-'", v, k)
		}
	}
	return nil
}

// duration converts a proto duration, rejecting malformed ones.
func duration(field string, d *durpb.Duration) (time.Duration, error) {
	if err := d.CheckValid(); err != nil {
		return 0, invalidf("Invalid %s: %v", field, err)
	}
	return d.AsDuration(), nil
}

func checkPaging(pageSize int32, pageToken string) (int, error) {
	if pageSize < 0 {
		return 0, invalidf("Invalid page_size %d: must not be negative", pageSize)
	}
	if pageToken == "" {
		return 0, nil
	}
	from, err := strconv.Atoi(pageToken)
	if err != nil || from < 0 {
		return 0, invalidf("Invalid page_token %q", pageToken)
	}
	return from, nil
}

// page returns the bounds of one page of n items and the next token.
func page(n, from int, pageSize int32) (int, int, string) {
	if from > n {
		from = n
	}
	to := n
	next := ""
	if pageSize > 0 && from+int(pageSize) < n {
		to = from + int(pageSize)
		next = strconv.Itoa(to)
	}
	return from, to, next
}

// --- topics ---

func checkTopic(t *pb.Topic) error {
	if err := checkTopicName(t.Name); err != nil {
		return err
	}
	if err := checkLabels(t.Labels); err != nil {
		return err
	}
	if err := checkStoragePolicy(t.MessageStoragePolicy); err != nil {
		return err
	}
	if err := checkKMSKey(t.KmsKeyName); err != nil {
		return err
	}
	if t.MessageRetentionDuration != nil {
		if _, err := duration("message_retention_duration", t.MessageRetentionDuration); err != nil {
			return err
		}
	}
	return nil
}

func checkStoragePolicy(p *pb.MessageStoragePolicy) error {
	if p == nil {
		return nil
	}
	if len(p.AllowedPersistenceRegions) == 0 {
		return invalidf("Invalid message_storage_policy: allowed_persistence_regions must not be empty")
	}
	for _, r := range p.AllowedPersistenceRegions {
		if r == "" {
			return invalidf("Invalid message_storage_policy: empty region name")
		}
	}
	return nil
}

func checkKMSKey(k string) error {
	if k != "" && !kmsKeyRE.MatchString(k) {
		return invalidf("Invalid kms_key_name %q: want projects/*/locations/*/keyRings/*/cryptoKeys/*", k)
	}
	return nil
}

// --- subscriptions ---

// The normalizers fill in the server defaults and check ranges of one field
// group of a subscription, in place.

func normAckDeadline(s *pb.Subscription) error {
	if s.AckDeadlineSeconds == 0 {
		s.AckDeadlineSeconds = defaultAckDeadline
	}
	if s.AckDeadlineSeconds < minAckDeadline || s.AckDeadlineSeconds > maxAckDeadline {
		return invalidf("Invalid ack_deadline_seconds %d: must be between %d and %d", s.AckDeadlineSeconds, minAckDeadline, maxAckDeadline)
	}
	return nil
}

func normRetention(s *pb.Subscription) error {
	if s.MessageRetentionDuration == nil {
		s.MessageRetentionDuration = durpb.New(defaultSubRetention)
	}
	d, err := duration("message_retention_duration", s.MessageRetentionDuration)
	if err != nil {
		return err
	}
	if d < minRetention || d > maxSubRetention {
		return invalidf("Invalid message_retention_duration %v: must be between 10 minutes and 31 days", d)
	}
	return nil
}

func normExpiration(s *pb.Subscription) error {
	if s.ExpirationPolicy == nil {
		s.ExpirationPolicy = &pb.ExpirationPolicy{Ttl: durpb.New(defaultExpirationTTL)}
		return nil
	}
	if s.ExpirationPolicy.Ttl == nil {
		return nil // never expires
	}
	d, err := duration("expiration_policy.ttl", s.ExpirationPolicy.Ttl)
	if err != nil {
		return err
	}
	if d < minExpirationTTL {
		return invalidf("Invalid expiration_policy.ttl %v: must be at least 1 day", d)
	}
	return nil
}

func normRetry(s *pb.Subscription) error {
	rp := s.RetryPolicy
	if rp == nil {
		return nil
	}
	if rp.MinimumBackoff == nil {
		rp.MinimumBackoff = durpb.New(defaultMinimumBackoff)
	}
	if rp.MaximumBackoff == nil {
		rp.MaximumBackoff = durpb.New(defaultMaximumBackoff)
	}
	lo, err := duration("retry_policy.minimum_backoff", rp.MinimumBackoff)
	if err != nil {
		return err
	}
	hi, err := duration("retry_policy.maximum_backoff", rp.MaximumBackoff)
	if err != nil {
		return err
	}
	if lo < 0 || lo > maxBackoff || hi < 0 || hi > maxBackoff {
		return invalidf("Invalid retry_policy: backoffs must be between 0 and 600 seconds")
	}
	if lo > hi {
		return invalidf("Invalid retry_policy: minimum_backoff %v is greater than maximum_backoff %v", lo, hi)
	}
	return nil
}

func normDeadLetter(s *pb.Subscription) error {
	dl := s.DeadLetterPolicy
	if dl == nil {
		return nil
	}
	if err := checkRef(dl.DeadLetterTopic, "dead_letter_policy", "dead_letter_topic", checkTopicName); err != nil {
		return err
	}
	if dl.MaxDeliveryAttempts == 0 {
		dl.MaxDeliveryAttempts = defaultDeliveryAttempt
	}
	if dl.MaxDeliveryAttempts < minDeliveryAttempts || dl.MaxDeliveryAttempts > maxDeliveryAttempts {
		return invalidf("Invalid dead_letter_policy.max_delivery_attempts %d: must be between %d and %d",
			dl.MaxDeliveryAttempts, minDeliveryAttempts, maxDeliveryAttempts)
	}
	return nil
}

func normPush(s *pb.Subscription) error {
	if s.PushConfig == nil {
		s.PushConfig = &pb.PushConfig{}
	}
	return normPushConfig(s.PushConfig)
}

func normPushConfig(pc *pb.PushConfig) error {
	if pc.PushEndpoint == "" {
		if len(pc.Attributes) > 0 || pc.AuthenticationMethod != nil || pc.Wrapper != nil {
			return invalidf("Invalid push_config: push_endpoint is required when other push settings are given")
		}
		return nil
	}
	u, err := url.Parse(pc.PushEndpoint)
	if err != nil || u.Host == "" || (u.Scheme != "https" && !(u.Scheme == "http" && localHost(u.Hostname()))) {
		return invalidf("Invalid push endpoint given (endpoint=%s): it must be an absolute https URL (the emulator also accepts http:// on loopback and private hosts)", pc.PushEndpoint)
	}
	for k, v := range pc.Attributes {
		if k != "x-goog-version" {
			return invalidf("Invalid push_config.attributes key %q: only x-goog-version is supported", k)
		}
		if !pushVersions[v] {
			return invalidf("Invalid push_config.attributes x-goog-version %q: want v1, v1beta1 or v1beta2", v)
		}
	}
	if pc.Attributes == nil {
		pc.Attributes = map[string]string{}
	}
	if _, ok := pc.Attributes["x-goog-version"]; !ok {
		pc.Attributes["x-goog-version"] = "v1"
	}
	if oidc := pc.GetOidcToken(); oidc != nil && !emailRE.MatchString(oidc.ServiceAccountEmail) {
		return invalidf("Invalid push_config.oidc_token.service_account_email %q", oidc.ServiceAccountEmail)
	}
	if pc.Wrapper == nil {
		pc.Wrapper = &pb.PushConfig_PubsubWrapper_{PubsubWrapper: &pb.PushConfig_PubsubWrapper{}}
	}
	return nil
}

func checkBigQuery(c *pb.BigQueryConfig) error {
	if c == nil {
		return nil
	}
	if c.Table == "" {
		return invalidf("Invalid bigquery_config: table is required")
	}
	if c.UseTopicSchema && c.UseTableSchema {
		return invalidf("Invalid bigquery_config: use_topic_schema and use_table_schema are mutually exclusive")
	}
	return nil
}

func checkCloudStorage(c *pb.CloudStorageConfig) error {
	if c == nil {
		return nil
	}
	if c.Bucket == "" || strings.HasPrefix(c.Bucket, "gs://") || strings.Contains(c.Bucket, "/") {
		return invalidf("Invalid cloud_storage_config.bucket %q: want a bucket name without gs://", c.Bucket)
	}
	if strings.HasSuffix(c.FilenameSuffix, "/") {
		return invalidf("Invalid cloud_storage_config.filename_suffix %q: must not end in /", c.FilenameSuffix)
	}
	if c.MaxDuration != nil {
		d, err := duration("cloud_storage_config.max_duration", c.MaxDuration)
		if err != nil {
			return err
		}
		if d < time.Minute || d > 10*time.Minute {
			return invalidf("Invalid cloud_storage_config.max_duration %v: must be between 1 and 10 minutes", d)
		}
	}
	if c.MaxBytes != 0 && (c.MaxBytes < 1000 || c.MaxBytes > 10<<30) {
		return invalidf("Invalid cloud_storage_config.max_bytes %d", c.MaxBytes)
	}
	if c.MaxMessages != 0 && c.MaxMessages < 1000 {
		return invalidf("Invalid cloud_storage_config.max_messages %d: must be at least 1000", c.MaxMessages)
	}
	return nil
}

// checkSubscriptionWhole checks the rules that span fields, on a complete
// (created or merged) subscription whose retention is the real value.
func checkSubscriptionWhole(s *pb.Subscription) error {
	n := 0
	var kinds []string
	if s.PushConfig.GetPushEndpoint() != "" {
		n++
		kinds = append(kinds, "push_config")
	}
	if s.BigqueryConfig != nil {
		n++
		kinds = append(kinds, "bigquery_config")
	}
	if s.CloudStorageConfig != nil {
		n++
		kinds = append(kinds, "cloud_storage_config")
	}
	if s.BigtableConfig != nil {
		n++
		kinds = append(kinds, "bigtable_config")
	}
	if n > 1 {
		return invalidf("Invalid subscription: %s are mutually exclusive delivery types", strings.Join(kinds, " and "))
	}
	if err := checkExactlyOnce(s); err != nil {
		return err
	}
	if len(s.Filter) > maxFilterBytes {
		return invalidf("Invalid filter: %d bytes, at most %d are allowed", len(s.Filter), maxFilterBytes)
	}
	if ttl := s.ExpirationPolicy.GetTtl(); ttl != nil && s.MessageRetentionDuration != nil &&
		ttl.AsDuration() < s.MessageRetentionDuration.AsDuration() {
		return invalidf("Invalid expiration_policy.ttl %v: must not be shorter than message_retention_duration %v",
			ttl.AsDuration(), s.MessageRetentionDuration.AsDuration())
	}
	return nil
}

// --- publish ---

func checkPublish(r *pb.PublishRequest) error {
	if err := checkTopicName(r.Topic); err != nil {
		return err
	}
	if len(r.Messages) == 0 {
		return invalidf("The request contains no messages")
	}
	if len(r.Messages) > maxPublishMessages {
		return invalidf("The request contains %d messages; at most %d are allowed", len(r.Messages), maxPublishMessages)
	}
	for i, m := range r.Messages {
		if m == nil || (len(m.Data) == 0 && len(m.Attributes) == 0) {
			return invalidf("Message %d is empty: each message must contain either non-empty data or at least one attribute", i)
		}
		if len(m.Attributes) > maxAttributes {
			return invalidf("Message %d has %d attributes; at most %d are allowed", i, len(m.Attributes), maxAttributes)
		}
		for k, v := range m.Attributes {
			if k == "" || len(k) > maxAttrKeyBytes {
				return invalidf("Message %d: attribute key %q must be 1-%d bytes", i, k, maxAttrKeyBytes)
			}
			if strings.HasPrefix(k, "goog") {
				return invalidf("Message %d: attribute key %q must not start with \"goog\"", i, k)
			}
			if len(v) > maxAttrValueBytes {
				return invalidf("Message %d: attribute %q value exceeds %d bytes", i, k, maxAttrValueBytes)
			}
		}
		if len(m.OrderingKey) > maxOrderingKey {
			return invalidf("Message %d: ordering_key exceeds %d bytes", i, maxOrderingKey)
		}
	}
	return checkPublishSize(r)
}

// --- schemas ---

func checkSchemaBody(s *pb.Schema) error {
	if s == nil {
		return invalidf("schema is required")
	}
	if s.Type == pb.Schema_TYPE_UNSPECIFIED {
		return invalidf("Invalid schema: type must be PROTOCOL_BUFFER or AVRO")
	}
	if _, ok := pb.Schema_Type_name[int32(s.Type)]; !ok {
		return invalidf("Invalid schema: unknown type %d", s.Type)
	}
	if strings.TrimSpace(s.Definition) == "" {
		return invalidf("Invalid schema: definition is required")
	}
	switch s.Type {
	case pb.Schema_AVRO:
		return checkAvroDefinition(s.Definition)
	case pb.Schema_PROTOCOL_BUFFER:
		return checkProtoDefinition(s.Definition)
	}
	return nil
}

var emailRE = regexp.MustCompile(`^[^@\s:]+@[^@\s:]+\.[^@\s:]+$`)

func notFoundf(format string, args ...any) error {
	return status.Errorf(codes.NotFound, format, args...)
}

// found turns the error of a lookup into whether the resource exists:
// NotFound is an answer, not an error.
func found(err error) (bool, error) {
	switch status.Code(err) {
	case codes.OK:
		return true, nil
	case codes.NotFound:
		return false, nil
	}
	return false, err
}

// localHost reports whether a push endpoint's host is on the machine or
// a private network, where the emulator (unlike Pub/Sub) accepts plain
// http:// endpoints: a loopback, private or link-local address,
// localhost and its subdomains, host.docker.internal, or a single-label
// name such as a compose service.
func localHost(host string) bool {
	if a, err := netip.ParseAddr(host); err == nil {
		return engine.LocalAddr(a)
	}
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	return host == "localhost" || strings.HasSuffix(host, ".localhost") ||
		host == "host.docker.internal" || (host != "" && !strings.Contains(host, "."))
}

// runesRE is a pattern and a bound on the length in characters: a counted
// repetition of Unicode classes ({0,62}) would compile to a program of
// about 4 MB at every start.
type runesRE struct {
	re  *regexp.Regexp
	max int
}

func (r runesRE) MatchString(s string) bool {
	return utf8.RuneCountInString(s) <= r.max && r.re.MatchString(s)
}
