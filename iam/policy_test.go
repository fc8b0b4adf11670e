package iam

import (
	"fmt"
	"math/rand"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/pubsubctl/pubsubctl/model"
)

const (
	pub    = model.RolePublisher
	sub    = model.RoleSubscriber
	viewer = model.RoleViewer
	custom = "projects/demo-project/roles/auditor"

	alice = "user:alice@example.com"
	bob   = "user:bob@example.com"
	carol = "group:carol@example.com"
	sa    = "serviceAccount:checkout@demo-project.iam.gserviceaccount.com"
	agent = "serviceAccount:service-123456789012@gcp-sa-pubsub.iam.gserviceaccount.com"
)

func pol(etag string, bs ...model.PolicyBinding) *model.Policy {
	return &model.Policy{Etag: etag, Version: 1, Bindings: bs}
}

func bind(role string, members ...string) model.PolicyBinding {
	return model.PolicyBinding{Role: role, Members: members}
}

func cond(role, condition string, members ...string) model.PolicyBinding {
	return model.PolicyBinding{Role: role, Members: members, Condition: condition}
}

func grant(role, origin string, members ...string) model.Binding {
	return model.Binding{Role: role, Members: members, Origin: origin}
}

func additive(role, origin string, members ...string) model.Binding {
	return model.Binding{Role: role, Members: members, Origin: origin, Additive: true}
}

func add(role, member, origin string) MemberChange {
	return MemberChange{Role: role, Member: member, Action: ActionAdd, Origin: origin}
}

func rm(role, member string) MemberChange {
	return MemberChange{Role: role, Member: member, Action: ActionRemove, Origin: OriginNotInConfig}
}

func clonePolicy(p *model.Policy) *model.Policy {
	if p == nil {
		return nil
	}
	out := &model.Policy{Etag: p.Etag, Version: p.Version}
	for _, b := range p.Bindings {
		out.Bindings = append(out.Bindings, model.PolicyBinding{Role: b.Role, Members: slices.Clone(b.Members), Condition: b.Condition})
	}
	return out
}

const dlOrigin = "dead-letter grant for subscription.orders-billing"

var diffCases = []struct {
	name string
	decl model.IAM
	live *model.Policy
	want []MemberChange
}{
	{
		name: "authoritative role adds missing and removes extra members",
		decl: model.IAM{Bindings: []model.Binding{grant(pub, "publishers", alice, bob)}},
		live: pol("e1", bind(pub, bob, carol)),
		want: []MemberChange{rm(pub, carol), add(pub, alice, "publishers")},
	},
	{
		name: "roles the configuration never names are untouched",
		decl: model.IAM{Bindings: []model.Binding{grant(pub, "publishers", alice)}},
		live: pol("e1", bind(pub, alice), bind(viewer, bob), bind(custom, carol), bind("roles/pubsub.admin", sa)),
		want: nil,
	},
	{
		name: "undeclared role only live, declared role missing",
		decl: model.IAM{Bindings: []model.Binding{grant(sub, "subscribers", sa)}},
		live: pol("e1", bind(pub, alice)),
		want: []MemberChange{add(sub, sa, "subscribers")},
	},
	{
		name: "whole-policy mode removes the members of undeclared roles",
		decl: model.IAM{Authoritative: true, Bindings: []model.Binding{grant(pub, "publishers", alice)}},
		live: pol("e1", bind(pub, alice, bob), bind(viewer, carol), bind(custom, sa)),
		want: []MemberChange{rm(custom, sa), rm(pub, bob), rm(viewer, carol)},
	},
	{
		name: "whole-policy mode with no bindings empties the policy",
		decl: model.IAM{Authoritative: true},
		live: pol("e1", bind(pub, alice), bind(sub, bob)),
		want: []MemberChange{rm(pub, alice), rm(sub, bob)},
	},
	{
		name: "whole-policy mode makes additive bindings authoritative",
		decl: model.IAM{Authoritative: true, Bindings: []model.Binding{additive(sub, dlOrigin, agent)}},
		live: pol("e1", bind(sub, agent, bob)),
		want: []MemberChange{rm(sub, bob)},
	},
	{
		name: "additive-only role adds but never removes",
		decl: model.IAM{Bindings: []model.Binding{additive(sub, dlOrigin, agent)}},
		live: pol("e1", bind(sub, bob, carol)),
		want: []MemberChange{add(sub, agent, dlOrigin)},
	},
	{
		name: "additive-only role already satisfied",
		decl: model.IAM{Bindings: []model.Binding{additive(sub, dlOrigin, agent)}},
		live: pol("e1", bind(sub, bob, agent)),
		want: nil,
	},
	{
		name: "shortcut and iam block merge into one authoritative role",
		decl: model.IAM{Bindings: []model.Binding{grant(pub, "publishers", alice), grant(pub, "iam", bob)}},
		live: pol("e1", bind(pub, alice, carol)),
		want: []MemberChange{rm(pub, carol), add(pub, bob, "iam")},
	},
	{
		name: "a member granted twice carries both origins",
		decl: model.IAM{Bindings: []model.Binding{grant(pub, "publishers", alice), grant(pub, "iam", alice)}},
		live: pol("e1"),
		want: []MemberChange{add(pub, alice, "publishers, iam")},
	},
	{
		name: "a declared role absorbs the additive grant into its authoritative set",
		decl: model.IAM{Bindings: []model.Binding{grant(sub, "subscribers", sa), additive(sub, dlOrigin, agent)}},
		live: pol("e1", bind(sub, agent, bob)),
		want: []MemberChange{rm(sub, bob), add(sub, sa, "subscribers")},
	},
	{
		name: "a role declared with no members means nobody",
		decl: model.IAM{Bindings: []model.Binding{grant(pub, "publishers")}},
		live: pol("e1", bind(pub, alice, bob)),
		want: []MemberChange{rm(pub, alice), rm(pub, bob)},
	},
	{
		name: "e-mails compare case-insensitively, additions are spelled canonically",
		decl: model.IAM{Bindings: []model.Binding{grant(pub, "publishers", "user:Alice@Example.com", "serviceAccount:CI@demo-project.iam.gserviceaccount.com", "domain:Example.COM")}},
		live: pol("e1", bind(pub, "user:alice@example.com", "domain:example.com")),
		want: []MemberChange{add(pub, "serviceAccount:ci@demo-project.iam.gserviceaccount.com", "publishers")},
	},
	{
		name: "removals keep the live spelling",
		decl: model.IAM{Bindings: []model.Binding{grant(pub, "publishers", alice)}},
		live: pol("e1", bind(pub, "user:Bob@Example.com", alice)),
		want: []MemberChange{rm(pub, "user:Bob@Example.com")},
	},
	{
		name: "principal identifiers compare case-sensitively",
		decl: model.IAM{Bindings: []model.Binding{grant(pub, "iam", "principal://iam.googleapis.com/locations/global/workforcePools/p/subject/Alice")}},
		live: pol("e1", bind(pub, "principal://iam.googleapis.com/locations/global/workforcePools/p/subject/alice")),
		want: []MemberChange{
			rm(pub, "principal://iam.googleapis.com/locations/global/workforcePools/p/subject/alice"),
			add(pub, "principal://iam.googleapis.com/locations/global/workforcePools/p/subject/Alice", "iam"),
		},
	},
	{
		name: "live conditional bindings are never touched",
		decl: model.IAM{Bindings: []model.Binding{grant(pub, "publishers", alice)}},
		live: pol("e1", bind(pub, alice), cond(pub, "request.time < timestamp('2030-01-01T00:00:00Z')", bob)),
		want: nil,
	},
	{
		name: "whole-policy mode leaves conditional bindings alone too",
		decl: model.IAM{Authoritative: true, Bindings: []model.Binding{grant(pub, "publishers", alice)}},
		live: pol("e1", bind(pub, alice), cond(viewer, "true", bob)),
		want: nil,
	},
	{
		name: "a member granted only conditionally is added unconditionally",
		decl: model.IAM{Bindings: []model.Binding{grant(pub, "publishers", bob)}},
		live: pol("e1", cond(pub, "true", bob)),
		want: []MemberChange{add(pub, bob, "publishers")},
	},
	{
		name: "declared conditional bindings are ignored",
		decl: model.IAM{Bindings: []model.Binding{{Role: pub, Members: []string{alice}, Condition: "true", Origin: "iam"}}},
		live: pol("e1", bind(pub, bob)),
		want: nil,
	},
	{
		name: "nil live policy is empty",
		decl: model.IAM{Bindings: []model.Binding{grant(pub, "publishers", alice), grant(viewer, "viewers", bob)}},
		live: nil,
		want: []MemberChange{add(pub, alice, "publishers"), add(viewer, bob, "viewers")},
	},
	{
		name: "a role split over several live bindings is one member set",
		decl: model.IAM{Bindings: []model.Binding{grant(pub, "publishers", alice)}},
		live: pol("e1", bind(pub, alice), bind(viewer, carol), bind(pub, bob, alice)),
		want: []MemberChange{rm(pub, bob)},
	},
	{
		name: "a binding without an origin counts as iam",
		decl: model.IAM{Bindings: []model.Binding{{Role: custom, Members: []string{alice}}}},
		live: pol("e1"),
		want: []MemberChange{add(custom, alice, "iam")},
	},
	{
		name: "nothing declared changes nothing",
		decl: model.IAM{},
		live: pol("e1", bind(pub, alice)),
		want: nil,
	},
}

func TestDiff(t *testing.T) {
	for _, tc := range diffCases {
		t.Run(tc.name, func(t *testing.T) {
			desired := Desired(tc.decl)
			before := clonePolicy(tc.live)
			got := Diff(desired, tc.live)
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("Diff:\n got %v\nwant %v", got, tc.want)
			}
			if !reflect.DeepEqual(tc.live, before) {
				t.Fatalf("Diff modified live: %+v", tc.live)
			}
			// Applying the changes converges: a second Diff is empty.
			next := Apply(tc.live, got)
			if again := Diff(desired, next); len(again) != 0 {
				t.Fatalf("Diff after Apply = %v, want none; applied policy %+v", again, next)
			}
		})
	}
}

func TestDesired(t *testing.T) {
	d := Desired(model.IAM{Bindings: []model.Binding{
		grant(pub, "publishers", bob, "user:Alice@Example.com"),
		grant(pub, "iam", alice),
		additive(sub, dlOrigin, agent),
		grant(viewer, "viewers"),
		{Role: custom, Members: []string{carol}, Condition: "true"},
	}})
	want := DesiredPolicy{
		Roles: map[string][]string{
			pub:    {alice, bob},
			sub:    {agent},
			viewer: {},
		},
		Origins: map[string]map[string]string{
			pub:    {alice: "publishers, iam", bob: "publishers"},
			sub:    {agent: dlOrigin},
			viewer: {},
		},
		Authoritative: map[string]bool{pub: true, viewer: true},
	}
	if !reflect.DeepEqual(d, want) {
		t.Fatalf("Desired:\n got %#v\nwant %#v", d, want)
	}
	if !d.Managed() {
		t.Error("Managed() = false, want true")
	}
	if Desired(model.IAM{}).Managed() {
		t.Error("empty IAM: Managed() = true")
	}
	whole := Desired(model.IAM{Authoritative: true, Bindings: []model.Binding{additive(sub, dlOrigin, agent)}})
	if !whole.WholePolicy || !whole.Authoritative[sub] || !whole.Managed() {
		t.Errorf("whole policy: %+v", whole)
	}
}

func TestCanonicalMember(t *testing.T) {
	for in, want := range map[string]string{
		"user:Alice@Example.COM":   "user:alice@example.com",
		"serviceAccount:CI@p.com":  "serviceAccount:ci@p.com",
		"group:Eng@Example.com":    "group:eng@example.com",
		"domain:Example.com":       "domain:example.com",
		"allUsers":                 "allUsers",
		"deleted:user:A@b.c?uid=1": "deleted:user:A@b.c?uid=1",
		"principal://iam.googleapis.com/locations/global/workforcePools/p/subject/Al": "principal://iam.googleapis.com/locations/global/workforcePools/p/subject/Al",
		"serviceaccount:CI@p.com": "serviceaccount:CI@p.com", // invalid type: left for validation to reject
	} {
		if got := CanonicalMember(in); got != want {
			t.Errorf("CanonicalMember(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestApplyPreservesWhatItDoesNotChange(t *testing.T) {
	live := &model.Policy{Etag: "BwYf3xQ=", Version: 3, Bindings: []model.PolicyBinding{
		bind(custom, sa, carol),
		bind(pub, carol, alice),
		cond(sub, "request.time < timestamp('2030-01-01T00:00:00Z')", bob),
		bind(viewer, "user:Zed@example.com", bob),
	}}
	before := clonePolicy(live)
	desired := Desired(model.IAM{Bindings: []model.Binding{grant(pub, "publishers", alice, bob)}})
	changes := Diff(desired, live)
	if want := []MemberChange{rm(pub, carol), add(pub, bob, "publishers")}; !reflect.DeepEqual(changes, want) {
		t.Fatalf("Diff = %v, want %v", changes, want)
	}
	got := Apply(live, changes)
	want := &model.Policy{Etag: "BwYf3xQ=", Version: 3, Bindings: []model.PolicyBinding{
		bind(custom, sa, carol), // unmanaged: untouched, not even re-sorted
		bind(pub, alice, bob),
		cond(sub, "request.time < timestamp('2030-01-01T00:00:00Z')", bob),
		bind(viewer, "user:Zed@example.com", bob),
	}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Apply:\n got %+v\nwant %+v", got, want)
	}
	if !reflect.DeepEqual(live, before) {
		t.Fatalf("Apply modified live: %+v", live)
	}
	// The result shares no member slice with live.
	got.Bindings[0].Members[0] = "mutated"
	if live.Bindings[0].Members[0] != sa {
		t.Fatal("Apply's result aliases live's members")
	}
}

func TestApply(t *testing.T) {
	tests := []struct {
		name    string
		live    *model.Policy
		changes []MemberChange
		want    *model.Policy
	}{
		{
			name:    "emptied binding is dropped, new roles are appended sorted",
			live:    pol("e", bind(pub, alice)),
			changes: []MemberChange{rm(pub, alice), add(viewer, bob, "viewers"), add(sub, sa, "subscribers")},
			want:    pol("e", bind(sub, sa), bind(viewer, bob)),
		},
		{
			name:    "additions go to the role's first unconditional binding",
			live:    pol("e", cond(pub, "true", carol), bind(pub, bob), bind(pub, sa)),
			changes: []MemberChange{add(pub, alice, "publishers")},
			want:    pol("e", cond(pub, "true", carol), bind(pub, alice, bob), bind(pub, sa)),
		},
		{
			name:    "a member already present in another binding of the role is not added twice",
			live:    pol("e", bind(pub, bob), bind(pub, alice)),
			changes: []MemberChange{add(pub, alice, "publishers")},
			want:    pol("e", bind(pub, bob), bind(pub, alice)),
		},
		{
			name:    "removal drops every spelling of the member from every unconditional binding",
			live:    pol("e", bind(pub, "user:Alice@example.com", bob), bind(pub, alice), cond(pub, "true", alice)),
			changes: []MemberChange{rm(pub, alice)},
			want:    pol("e", bind(pub, bob), cond(pub, "true", alice)),
		},
		{
			name:    "duplicate additions collapse",
			live:    pol("e"),
			changes: []MemberChange{add(pub, alice, "a"), add(pub, "user:ALICE@example.com", "b")},
			want:    pol("e", bind(pub, alice)),
		},
		{
			name:    "removing an absent member is a no-op",
			live:    pol("e", bind(pub, alice)),
			changes: []MemberChange{rm(pub, bob)},
			want:    pol("e", bind(pub, alice)),
		},
		{
			name:    "nil live",
			live:    nil,
			changes: []MemberChange{add(pub, alice, "publishers")},
			want:    &model.Policy{Bindings: []model.PolicyBinding{bind(pub, alice)}},
		},
		{
			name:    "no changes copies live",
			live:    &model.Policy{Etag: "x", Version: 3, Bindings: []model.PolicyBinding{bind(pub, bob, alice)}},
			changes: nil,
			want:    &model.Policy{Etag: "x", Version: 3, Bindings: []model.PolicyBinding{bind(pub, bob, alice)}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Apply(tc.live, tc.changes)
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("Apply:\n got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestApplyUnknownActionPanics(t *testing.T) {
	defer func() {
		if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), `"grant"`) {
			t.Fatalf("recover() = %v, want a panic naming the action", r)
		}
	}()
	Apply(pol("e"), []MemberChange{{Role: pub, Member: alice, Action: "grant"}})
}

// A plan computed on v1; meanwhile someone adds a member to a role
// pubsubctl does not manage (and to a managed role); SetIamPolicy with v1's
// etag fails; the caller re-reads v2 and recomputes: their member in the
// unmanaged role survives, and the managed role converges anyway.
func TestConcurrentChange(t *testing.T) {
	desired := Desired(model.IAM{Bindings: []model.Binding{grant(pub, "publishers", alice)}})
	v1 := pol("v1", bind(pub, bob), bind(viewer, carol))
	planned := Diff(desired, v1)
	if want := []MemberChange{rm(pub, bob), add(pub, alice, "publishers")}; !reflect.DeepEqual(planned, want) {
		t.Fatalf("planned = %v, want %v", planned, want)
	}
	stale := Apply(v1, planned)

	v2 := pol("v2", bind(pub, bob, sa), bind(viewer, carol, "user:dave@example.com"), bind(custom, "user:erin@example.com"))
	changes := Diff(desired, v2)
	got := Apply(v2, changes)
	want := pol("v2", bind(pub, alice), bind(viewer, carol, "user:dave@example.com"), bind(custom, "user:erin@example.com"))
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Apply on v2:\n got %+v\nwant %+v", got, want)
	}
	// Writing the policy computed on v1 would have dropped dave and erin:
	// that is what the etag prevents.
	if reflect.DeepEqual(stale.Bindings, got.Bindings) || stale.Etag != "v1" {
		t.Fatalf("stale policy %+v should differ from %+v", stale, got)
	}
}

func TestDiffDeterministic(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	roles := []string{pub, sub, viewer, custom, "roles/pubsub.admin"}
	var decl model.IAM
	live := pol("e")
	for i := 0; i < 200; i++ {
		m := fmt.Sprintf("user:u%03d@example.com", i)
		r := roles[rng.Intn(len(roles))]
		switch rng.Intn(3) {
		case 0:
			decl.Bindings = append(decl.Bindings, grant(r, "iam", m))
		case 1:
			decl.Bindings = append(decl.Bindings, additive(r, "dead-letter grant for subscription.x", m))
		}
		if rng.Intn(2) == 0 {
			live.Bindings = append(live.Bindings, bind(roles[rng.Intn(len(roles))], m))
		}
	}
	first := Diff(Desired(decl), live)
	if len(first) == 0 {
		t.Fatal("expected changes")
	}
	if !slices.IsSortedFunc(first, compareChanges) {
		t.Fatalf("Diff result is not sorted by role, action, member: %v", first)
	}
	for i := 0; i < 20; i++ {
		d := model.IAM{Bindings: slices.Clone(decl.Bindings)}
		rng.Shuffle(len(d.Bindings), func(i, j int) { d.Bindings[i], d.Bindings[j] = d.Bindings[j], d.Bindings[i] })
		l := clonePolicy(live)
		rng.Shuffle(len(l.Bindings), func(i, j int) { l.Bindings[i], l.Bindings[j] = l.Bindings[j], l.Bindings[i] })
		got := Diff(Desired(d), l)
		// Origins of a member granted by several bindings follow declaration
		// order; compare everything else.
		if !reflect.DeepEqual(stripOrigins(got), stripOrigins(first)) {
			t.Fatalf("run %d differs:\n got %v\nwant %v", i, got, first)
		}
		if again := Diff(Desired(decl), live); !reflect.DeepEqual(again, first) {
			t.Fatalf("same input, different output on run %d", i)
		}
	}
}

func stripOrigins(cs []MemberChange) []MemberChange {
	out := slices.Clone(cs)
	for i := range out {
		out[i].Origin = ""
	}
	return out
}

func TestRemoveSortsBeforeAdd(t *testing.T) {
	cs := []MemberChange{add(pub, alice, "x"), rm(pub, bob), add(custom, carol, "x"), rm(pub, alice)}
	SortChanges(cs)
	want := []MemberChange{add(custom, carol, "x"), rm(pub, alice), rm(pub, bob), add(pub, alice, "x")}
	if !reflect.DeepEqual(cs, want) {
		t.Fatalf("SortChanges = %v, want %v", cs, want)
	}
}

func TestMemberChangeString(t *testing.T) {
	if got, want := add(pub, alice, "publishers").String(), "+ roles/pubsub.publisher user:alice@example.com (publishers)"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if got, want := rm(pub, alice).String(), "- roles/pubsub.publisher user:alice@example.com (not in configuration)"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

func TestConditionalBindings(t *testing.T) {
	live := pol("e", cond(sub, "b", alice), bind(pub, bob), cond(pub, "z", carol), cond(sub, "a", sa))
	got := ConditionalBindings(live)
	want := []model.PolicyBinding{cond(pub, "z", carol), cond(sub, "a", sa), cond(sub, "b", alice)}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("ConditionalBindings = %+v, want %+v", got, want)
	}
	if ConditionalBindings(nil) != nil || ConditionalBindings(pol("e", bind(pub, alice))) != nil {
		t.Fatal("want nil without conditional bindings")
	}
}

func TestCheckLimits(t *testing.T) {
	members := func(n int, kind string) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprintf("%s:m%d@example.com", kind, i)
		}
		return out
	}
	tests := []struct {
		name string
		p    *model.Policy
		err  string
	}{
		{"nil", nil, ""},
		{"1500 principals", pol("e", bind(pub, members(1000, "user")...), bind(sub, members(500, "user")...)), ""},
		{"1501 principals", pol("e", bind(pub, members(1000, "user")...), bind(sub, members(501, "user")...)), "1501 principals"},
		{"a principal counts once per binding", pol("e", bind(pub, members(750, "user")...), bind(sub, members(751, "user")...)), "1501 principals"},
		{"250 groups", pol("e", bind(pub, members(250, "group")...)), ""},
		{"251 groups", pol("e", bind(pub, members(200, "group")...), bind(sub, members(51, "group")...)), "251 groups"},
	}
	for _, tc := range tests {
		err := CheckLimits(tc.p)
		if tc.err == "" && err != nil || tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("%s: CheckLimits = %v, want error containing %q", tc.name, err, tc.err)
		}
	}
}

// benchPolicy builds a desired role of n members and a live policy sharing
// half of them, so that Diff finds n/2 additions and n/2 removals. Live
// members are lower-case, as IAM returns them; desired ones are mixed-case
// half the time.
func benchPolicy(n int) (DesiredPolicy, *model.Policy) {
	var want, have []string
	for i := 0; i < n; i++ {
		sa := "sa"
		if i%2 == 0 {
			sa = "SA"
		}
		want = append(want, fmt.Sprintf("serviceAccount:%s-%04d@demo-project.iam.gserviceaccount.com", sa, i))
		have = append(have, fmt.Sprintf("serviceAccount:sa-%04d@demo-project.iam.gserviceaccount.com", i+n/2))
	}
	return Desired(model.IAM{Bindings: []model.Binding{grant(sub, "subscribers", want...)}}),
		pol("e", bind(sub, have...), bind(viewer, alice))
}

func BenchmarkDiff(b *testing.B) {
	desired, live := benchPolicy(1500)
	b.ReportAllocs()
	for b.Loop() {
		if cs := Diff(desired, live); len(cs) != 1500 {
			b.Fatalf("%d changes", len(cs))
		}
	}
}

func BenchmarkApply(b *testing.B) {
	desired, live := benchPolicy(1500)
	changes := Diff(desired, live)
	b.ReportAllocs()
	for b.Loop() {
		Apply(live, changes)
	}
}

func TestDiffCanonicalizesHandBuiltDesired(t *testing.T) {
	d := DesiredPolicy{Roles: map[string][]string{pub: {"user:Alice@Example.com"}}, Authoritative: map[string]bool{pub: true}}
	if got := Diff(d, pol("e", bind(pub, alice))); got != nil {
		t.Fatalf("Diff = %v, want none", got)
	}
}
