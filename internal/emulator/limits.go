package emulator

import (
	"fmt"
	"strings"

	iampb "cloud.google.com/go/iam/apiv1/iampb"
	pb "cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"
	"google.golang.org/protobuf/proto"
)

// Size and count limits of the real service that pstest does not enforce.

// maxPublishRequestBytes bounds the serialized size of a PublishRequest.
// Pub/Sub's quotas page says "10 MB"; the service's own refusal reads
// "Request payload size exceeds the limit: 10485760 bytes." (seen over REST
// in apache/beam#19384 and hedwig-rust#18, and with gRPC code
// INVALID_ARGUMENT for its other request limits in
// GoogleCloudPlatform/pubsub#253), so the limit is 10 MiB, and the
// emulator answers InvalidArgument with that wording. (The Go client
// batches to MaxPublishRequestBytes = 1e7, a little under it.)
//
// The same bound applies to one message's data and attributes ("message
// size (the data field): 10 MB"): whether that one is 10^7 bytes or 10 MiB
// is not documented, so the larger is used and no message the service
// might accept is refused; such a message also makes its request too big.
//
// The gRPC server's receive limit (maxMessageSize, 20 MiB) is above this,
// so a request up to twice the limit reaches the check and gets this clear
// InvalidArgument; larger ones are refused by gRPC itself with
// ResourceExhausted ("received message larger than max").
const maxPublishRequestBytes = 10 << 20

// requestTooLarge is the real service's wording.
const requestTooLarge = "Request payload size exceeds the limit: 10485760 bytes."

func checkPublishSize(r *pb.PublishRequest) error {
	for i, m := range r.Messages {
		n := len(m.GetData())
		for k, v := range m.GetAttributes() {
			n += len(k) + len(v)
		}
		if n > maxPublishRequestBytes {
			return invalidf("%s (message %d: data and attributes are %d bytes; at most %d bytes are allowed per message)",
				requestTooLarge, i, n, maxPublishRequestBytes)
		}
	}
	if n := proto.Size(r); n > maxPublishRequestBytes {
		return invalidf("%s (request_size: the PublishRequest is %d bytes; at most %d bytes are allowed per publish request)",
			requestTooLarge, n, maxPublishRequestBytes)
	}
	return nil
}

// checkPullMaxMessages: PullRequest.max_messages is "Required. ... Must be
// a positive integer" (pubsub.proto). pstest treats 0 as 1000; the
// official emulator answers InvalidArgument "No max_messages specified".
func checkPullMaxMessages(n int32) error {
	if n <= 0 {
		return invalidf("No max_messages specified: max_messages must be a positive integer, got %d", n)
	}
	return nil
}

// checkExactlyOnce: "Only the pull subscription type supports exactly-once
// delivery ... Push and export subscriptions don't support exactly-once
// delivery" (pubsub/docs/exactly-once-delivery). s is a whole (created or
// merged) subscription, so this covers create, update and
// ModifyPushConfig. (The official emulator accepts the combination.)
func checkExactlyOnce(s *pb.Subscription) error {
	if !s.EnableExactlyOnceDelivery {
		return nil
	}
	kind := ""
	switch {
	case s.PushConfig.GetPushEndpoint() != "":
		kind = "push subscriptions (push_config.push_endpoint is set)"
	case s.BigqueryConfig != nil:
		kind = "BigQuery export subscriptions (bigquery_config is set)"
	case s.CloudStorageConfig != nil:
		kind = "Cloud Storage export subscriptions (cloud_storage_config is set)"
	case s.BigtableConfig != nil:
		kind = "Bigtable export subscriptions (bigtable_config is set)"
	default:
		return nil
	}
	return invalidf("Invalid subscription: enable_exactly_once_delivery is not supported on %s; exactly-once delivery is available to pull subscriptions only", kind)
}

// IAM policy bounds. maxPrincipals (iam.go) and maxGroupPrincipals are
// documented on iampb.Policy.bindings: "up to 1,500 principals; up to 250
// of these principals can be Google groups. Each occurrence of a principal
// counts towards these limits."
//
// No length limit for one principal identifier is documented, so
// maxMemberLength is a conservative bound derived from the documented
// parts: an email address is at most 254 characters (RFC 5321), a domain
// 253 (RFC 1035), and the longest principal:// and principalSet://
// identifiers are about 110 characters of fixed text plus a pool ID (at
// most 32) and a subject (google.subject "cannot exceed 127 bytes"), group
// or attribute value. Only custom attribute values have no per-value bound
// (the total of a token's mapped attributes is bounded), so a principalSet
// with an attribute value over about 850 characters is the one valid
// identifier this could refuse. 1,024 still refuses the absurd (a
// 10,000-character member used to be accepted). A policy cannot hold more
// bindings than principals either, since each binding needs at least one.
const (
	maxGroupPrincipals = 250
	maxMemberLength    = 1024
	maxEmailLength     = 254
)

// checkPolicyBounds runs before the member syntax checks, so that an
// oversized policy is refused cheaply and with a clear message.
func checkPolicyBounds(p *iampb.Policy) error {
	if len(p.Bindings) > maxPrincipals {
		return invalidf("The policy has %d bindings; at most %d are allowed (a policy holds at most %d principals, and each binding at least one)",
			len(p.Bindings), maxPrincipals, maxPrincipals)
	}
	groups := map[string]bool{}
	for _, b := range p.Bindings {
		for _, m := range b.GetMembers() {
			if len(m) > maxMemberLength {
				return invalidf("Invalid member %s in binding for %s: the member is %d characters long; at most %d are allowed",
					truncateForMessage(m), b.Role, len(m), maxMemberLength)
			}
			if kind, email, ok := strings.Cut(m, ":"); ok && (kind == "user" || kind == "serviceAccount" || kind == "group") && len(email) > maxEmailLength {
				return invalidf("Invalid member %s in binding for %s: the email address is %d characters long; at most %d are allowed",
					truncateForMessage(m), b.Role, len(email), maxEmailLength)
			}
			if strings.HasPrefix(m, "group:") {
				groups[b.Role+"\x00"+m] = true
			}
		}
	}
	if len(groups) > maxGroupPrincipals {
		return invalidf("The policy has %d Google group principals; at most %d are allowed", len(groups), maxGroupPrincipals)
	}
	return nil
}

// truncateForMessage quotes s, cut to a readable length.
func truncateForMessage(s string) string {
	if len(s) <= 64 {
		return fmt.Sprintf("%q", s)
	}
	return fmt.Sprintf("%q...", s[:60])
}
