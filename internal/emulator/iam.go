package emulator

import (
	"bytes"
	"context"
	"encoding/binary"
	"regexp"
	"slices"
	"strings"
	"sync"

	iampb "cloud.google.com/go/iam/apiv1/iampb"
	pb "cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

// ConcurrentPolicyChangeMessage is the message of the Aborted error that
// SetIamPolicy returns for a stale etag, as the real service words it.
const ConcurrentPolicyChangeMessage = "There were concurrent policy changes. Please retry the whole read-modify-write with exponential backoff."

// maxPrincipals is the most members a policy may hold.
const maxPrincipals = 1500

// emptyPolicyEtag is the etag of a resource that never had a policy (the
// real service answers "ACAB" in base64 for it).
var emptyPolicyEtag = []byte{0x00, 0x20, 0x01}

var (
	domainRE       = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)+$`)
	deletedRE      = regexp.MustCompile(`^deleted:(user|serviceAccount|group):[^@\s:]+@[^@\s:]+\.[^@\s:?]+\?uid=[0-9]+$`)
	principalRE    = regexp.MustCompile(`^principal://iam\.googleapis\.com/(locations/global/workforcePools/[^/]+|projects/[0-9]+/locations/global/workloadIdentityPools/[^/]+)/subject/.+$`)
	principalSetRE = regexp.MustCompile(`^principalSet://(iam\.googleapis\.com/(locations/global/workforcePools/[^/]+|projects/[0-9]+/locations/global/workloadIdentityPools/[^/]+)/(group/.+|attribute\.[^/]+/.+|\*)|cloudresourcemanager\.googleapis\.com/projects/[0-9]+/type/ServiceAccount)$`)
	permissionRE   = regexp.MustCompile(`^[a-z]+\.[A-Za-z]+\.[A-Za-z]+$`)
)

// Role names. This is the emulator's own copy of IAM's rule (see doc.go).
var (
	// predefinedRoleRE: roles/ then a lower-case service name and dotted
	// role segments (roles/owner, roles/pubsub.publisher,
	// roles/cloudbuild.builds.builder; a few real roles start a segment
	// with a capital, as roles/composer.ServiceAgentV2Ext).
	predefinedRoleRE = regexp.MustCompile(`^roles/[a-z][a-z0-9]*(\.[A-Za-z][A-Za-z0-9_]*)*$`)
	// roleCharsRE: roles/ then role-name characters, in any case.
	roleCharsRE = regexp.MustCompile(`^roles/[A-Za-z0-9_.]+$`)
	// customRoleRE: projects/P/roles/ID or organizations/ORG/roles/ID.
	customRoleRE = regexp.MustCompile(`^(projects/[^/]+|organizations/[0-9]+)/roles/[A-Za-z0-9_.]+$`)
)

// wellKnownRoles are the primitive roles and Pub/Sub's predefined roles,
// whose miscased spellings checkRole names.
var wellKnownRoles = []string{
	"roles/owner", "roles/editor", "roles/viewer",
	"roles/pubsub.admin", "roles/pubsub.editor", "roles/pubsub.publisher",
	"roles/pubsub.subscriber", "roles/pubsub.viewer", "roles/pubsub.serviceAgent",
}

// checkRole refuses a role that is not an IAM role name. Role names are
// case-sensitive: a miscased predefined role ("roles/Editor",
// "roles/pubsub.Publisher") names no role and is refused.
func checkRole(role string) error {
	const want = "want roles/NAME, projects/P/roles/NAME or organizations/O/roles/NAME"
	for _, k := range wellKnownRoles {
		if role != k && strings.EqualFold(role, k) {
			return invalidf("Invalid role %q: role names are case-sensitive; did you mean %q?", role, k)
		}
	}
	switch {
	case predefinedRoleRE.MatchString(role), customRoleRE.MatchString(role):
		return nil
	case roleCharsRE.MatchString(role):
		return invalidf("Invalid role %q: a predefined role is roles/ followed by a lower-case service name and dotted role segments, e.g. roles/pubsub.publisher (role names are case-sensitive)", role)
	}
	return invalidf("Invalid role %q: %s", role, want)
}

// validMember reports whether m is an IAM principal identifier.
func validMember(m string) bool {
	switch m {
	case "allUsers", "allAuthenticatedUsers":
		return true
	}
	kind, rest, ok := strings.Cut(m, ":")
	if !ok {
		return false
	}
	switch kind {
	case "user", "serviceAccount", "group":
		return emailRE.MatchString(rest)
	case "domain":
		return domainRE.MatchString(rest)
	case "deleted":
		return deletedRE.MatchString(m)
	case "principal":
		return principalRE.MatchString(m)
	case "principalSet":
		return principalSetRE.MatchString(m)
	}
	return false
}

// iamService is an in-memory google.iam.v1.IAMPolicy for topics,
// subscriptions and schemas, whose existence it checks in the engine.
type iamService struct {
	iampb.UnimplementedIAMPolicyServer
	s *Server

	mu       sync.Mutex
	policies map[string]*iampb.Policy
	seq      uint64
}

func newIAMService(s *Server) *iamService {
	return &iamService{s: s, policies: map[string]*iampb.Policy{}}
}

// drop forgets the policy of a deleted resource.
func (i *iamService) drop(resource string) {
	i.mu.Lock()
	delete(i.policies, resource)
	i.mu.Unlock()
}

// exists checks the resource name and looks the resource up.
func (i *iamService) exists(ctx context.Context, resource string) (bool, error) {
	g := i.s.eng
	var err error
	switch {
	case checkTopicName(resource) == nil:
		_, err = g.GetTopic(ctx, &pb.GetTopicRequest{Topic: resource})
	case checkSubName(resource) == nil:
		_, err = g.GetSubscription(ctx, &pb.GetSubscriptionRequest{Subscription: resource})
	case checkSchemaName(resource) == nil:
		_, err = g.GetSchema(ctx, &pb.GetSchemaRequest{Name: resource})
	default:
		if _, _, perr := parseResource(resource, "snapshots"); perr == nil {
			return false, nil // the emulator has no snapshots
		}
		return false, invalidf("Invalid resource name for IAM: %q: want projects/P/{topics,subscriptions,schemas,snapshots}/ID", resource)
	}
	return found(err)
}

func (i *iamService) mustExist(ctx context.Context, resource string) error {
	ok, err := i.exists(ctx, resource)
	if err != nil {
		return err
	}
	if !ok {
		return notFoundf("Resource not found (resource=%s).", resource)
	}
	return nil
}

// current returns the stored policy or the empty one; i.mu is held.
func (i *iamService) current(resource string) *iampb.Policy {
	if p, ok := i.policies[resource]; ok {
		return p
	}
	return &iampb.Policy{Version: 1, Etag: emptyPolicyEtag}
}

func (i *iamService) GetIamPolicy(ctx context.Context, r *iampb.GetIamPolicyRequest) (*iampb.Policy, error) {
	if v := r.GetOptions().GetRequestedPolicyVersion(); v != 0 && v != 1 && v != 3 {
		return nil, invalidf("Invalid requested_policy_version %d: want 0, 1 or 3", v)
	}
	if err := i.mustExist(ctx, r.Resource); err != nil {
		return nil, err
	}
	i.mu.Lock()
	defer i.mu.Unlock()
	return proto.Clone(i.current(r.Resource)).(*iampb.Policy), nil
}

// normalizePolicy validates the bindings and merges them per role, sorted.
func normalizePolicy(p *iampb.Policy) ([]*iampb.Binding, error) {
	if v := p.Version; v != 0 && v != 1 && v != 3 {
		return nil, invalidf("Invalid policy version %d: want 0, 1 or 3", v)
	}
	if len(p.AuditConfigs) > 0 {
		return nil, invalidf("Audit configs are not supported on Pub/Sub resources")
	}
	if err := checkPolicyBounds(p); err != nil {
		return nil, err
	}
	byRole := map[string][]string{}
	total := 0
	for _, b := range p.Bindings {
		if b == nil {
			continue
		}
		if b.Condition != nil {
			return nil, invalidf("Conditional role bindings are not supported on Pub/Sub resources (role %s)", b.Role)
		}
		if err := checkRole(b.Role); err != nil {
			return nil, err
		}
		for _, m := range b.Members {
			if !validMember(m) {
				return nil, invalidf("Invalid member %q in binding for %s", m, b.Role)
			}
			if !slices.Contains(byRole[b.Role], m) {
				byRole[b.Role] = append(byRole[b.Role], m)
				total++
			}
		}
	}
	if total > maxPrincipals {
		return nil, invalidf("The policy has %d principals; at most %d are allowed", total, maxPrincipals)
	}
	var out []*iampb.Binding
	for role, members := range byRole {
		slices.Sort(members)
		out = append(out, &iampb.Binding{Role: role, Members: members})
	}
	slices.SortFunc(out, func(a, b *iampb.Binding) int { return strings.Compare(a.Role, b.Role) })
	return out, nil
}

func (i *iamService) SetIamPolicy(ctx context.Context, r *iampb.SetIamPolicyRequest) (*iampb.Policy, error) {
	if r.Policy == nil {
		return nil, invalidf("Invalid SetIamPolicyRequest: policy is required")
	}
	for _, p := range r.GetUpdateMask().GetPaths() {
		if p != "bindings" && p != "etag" && p != "version" {
			return nil, invalidf("Invalid update_mask path %q: only bindings, etag and version can be set", p)
		}
	}
	bindings, err := normalizePolicy(r.Policy)
	if err != nil {
		return nil, err
	}
	if err := i.mustExist(ctx, r.Resource); err != nil {
		return nil, err
	}
	i.mu.Lock()
	defer i.mu.Unlock()
	cur := i.current(r.Resource)
	if len(r.Policy.Etag) > 0 && !bytes.Equal(r.Policy.Etag, cur.Etag) {
		return nil, status.Error(codes.Aborted, ConcurrentPolicyChangeMessage)
	}
	i.seq++
	etag := binary.BigEndian.AppendUint64([]byte{0x07}, i.seq)
	np := &iampb.Policy{Version: 1, Bindings: bindings, Etag: etag}
	i.policies[r.Resource] = np
	return proto.Clone(np).(*iampb.Policy), nil
}

func (i *iamService) TestIamPermissions(ctx context.Context, r *iampb.TestIamPermissionsRequest) (*iampb.TestIamPermissionsResponse, error) {
	for _, p := range r.Permissions {
		if !permissionRE.MatchString(p) {
			return nil, invalidf("Permission %q is not valid", p)
		}
	}
	ok, err := i.exists(ctx, r.Resource)
	if err != nil {
		return nil, err
	}
	out := &iampb.TestIamPermissionsResponse{}
	if !ok {
		return out, nil
	}
	// The emulator has no caller identity: every Pub/Sub permission asked
	// for is granted.
	for _, p := range r.Permissions {
		if strings.HasPrefix(p, "pubsub.") && !slices.Contains(out.Permissions, p) {
			out.Permissions = append(out.Permissions, p)
		}
	}
	return out, nil
}
