package export

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"

	"github.com/pubsubctl/pubsubctl/iam"
	"github.com/pubsubctl/pubsubctl/internal/config"
	"github.com/pubsubctl/pubsubctl/model"
	"github.com/pubsubctl/pubsubctl/plan"
)

// The round-trip property: for a live state Pub/Sub could return,
// Generate → write → config.Load is the identity on every Pub/Sub field of
// every exported resource, and planning the export against the same live
// state with --adopt yields only adopt actions that add the ownership
// labels, and no IAM change; once those labels are live, the plan is empty.

func TestRoundTripProperty(t *testing.T) {
	const iterations = 300
	for seed := range int64(iterations) {
		roundTrip(t, seed)
		if t.Failed() {
			t.Logf("failed with seed %d", seed)
			return
		}
	}
}

func FuzzRoundTrip(f *testing.F) {
	for _, seed := range []int64{0, 1, 2, 3, 42, 1 << 20, -7} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, seed int64) {
		roundTrip(t, seed)
	})
}

func roundTrip(t *testing.T, seed int64) {
	t.Helper()
	c := genState(seed)
	files, warnings, err := Generate(c.st, c.opts)
	if err != nil {
		t.Fatalf("seed %d: Generate: %v", seed, err)
	}
	res := load(t, seed, files)
	if res == nil {
		return
	}
	cfg := res.Config
	if cfg.Project != genProject || cfg.Stack != genStack || cfg.ProjectNumber != c.opts.ProjectNumber {
		t.Errorf("seed %d: pubsubctl block: project %q stack %q number %q", seed, cfg.Project, cfg.Stack, cfg.ProjectNumber)
	}
	for _, r := range cfg.Resources() {
		if d := derived(r); d != nil {
			t.Errorf("seed %d: the export materializes %s (derived from %s): dead-letter topics must be explicit", seed, r.Address(), d)
		}
	}

	// 1. The identity on every Pub/Sub field.
	want := expectedSelection(c)
	got := map[string]model.Resource{}
	for _, r := range cfg.Resources() {
		got[r.Address().Kind.String()+" "+r.ID()] = r
	}
	if !slices.Equal(sortedKeys(got), sortedKeys(want)) {
		t.Errorf("seed %d: exported resources\n got %v\nwant %v\nwarnings: %q", seed, sortedKeys(got), sortedKeys(want), warnings)
	}
	for k, lr := range want {
		r, ok := got[k]
		if !ok {
			continue
		}
		if d := cmp.Diff(canon(lr), canon(r)); d != "" {
			t.Errorf("seed %d: %s differs after the round trip (-live +loaded):\n%s\n%s", seed, k, d, dump(files))
		}
		checkIAM(t, seed, c, r)
	}

	// 2. plan --adopt: adopt actions that add the ownership labels only.
	lv := liveOf(c.st)
	p := plan.Compute(cfg, lv, plan.Options{Adopt: true})
	for _, ch := range p.Changes {
		if ch.Action != plan.ActionAdopt {
			t.Errorf("seed %d: plan --adopt: %s %s (%v), want adopt only\n%s", seed, ch.Action, ch.Address, ch.Fields, dump(files))
			continue
		}
		for _, f := range ch.Fields {
			if f.Path != "labels."+model.LabelManagedBy && f.Path != "labels."+model.LabelStack {
				t.Errorf("seed %d: adopting %s changes %s: %s → %s\n%s", seed, ch.Address, f.Path, f.Before, f.After, dump(files))
			}
		}
	}
	for _, ic := range p.IAM {
		t.Errorf("seed %d: plan --adopt changes the IAM of %s: %v\n%s", seed, ic.Name, ic.Members, dump(files))
	}
	for _, u := range p.Unmanaged {
		if u.InConfig {
			t.Errorf("seed %d: plan --adopt leaves %s %s unmanaged (stack %q): %q", seed, u.Kind, u.ID, u.Stack, p.Warnings)
		}
	}
	for _, ch := range p.Changes {
		if lr := want[ch.Kind.String()+" "+ch.ID]; lr != nil && model.OwnedBy(labelsOf(lr), genStack) {
			t.Errorf("seed %d: %s already carries the stack's labels but is adopted", seed, ch.Address)
		}
	}

	// 3. Once adopted, nothing changes.
	adopted := liveOf(c.st)
	for _, l := range [][]*model.Topic{adopted.Topics} {
		for i, lt := range l {
			if want["topic "+lt.Name] != nil {
				cp := *lt
				cp.Labels = withOwnership(lt.Labels)
				l[i] = &cp
			}
		}
	}
	for i, ls := range adopted.Subscriptions {
		if want["subscription "+ls.Name] != nil {
			cp := *ls
			cp.Labels = withOwnership(ls.Labels)
			adopted.Subscriptions[i] = &cp
		}
	}
	p = plan.Compute(cfg, adopted, plan.Options{})
	if p.HasChanges() {
		t.Errorf("seed %d: plan after adoption has changes: %+v %+v\n%s", seed, p.Changes, p.IAM, dump(files))
	}
}

// load writes files to a temporary directory and loads them, failing on
// error diagnostics. It also checks that the files are formatted.
func load(t *testing.T, seed int64, files map[string][]byte) *config.Result {
	t.Helper()
	dir := t.TempDir()
	if err := WriteFiles(dir, files, false); err != nil {
		t.Fatalf("seed %d: WriteFiles: %v", seed, err)
	}
	for name, src := range files {
		if strings.HasSuffix(name, ".hcl") && !bytes.Equal(config.Format(src), src) {
			t.Errorf("seed %d: %s is not formatted:\n%s", seed, name, src)
		}
	}
	res, diags := config.Load(config.Options{Dir: dir})
	if diags.HasErrors() {
		t.Errorf("seed %d: config.Load: %s\n%s", seed, diagText(diags), dump(files))
		return nil
	}
	if res == nil || res.Config == nil {
		t.Fatalf("seed %d: config.Load returned no configuration", seed)
	}
	return res
}

func diagText(diags hcl.Diagnostics) string {
	var b strings.Builder
	for _, d := range diags {
		if d.Severity != hcl.DiagError {
			continue
		}
		where := ""
		if d.Subject != nil {
			where = d.Subject.String() + ": "
		}
		fmt.Fprintf(&b, "\n  %s%s: %s", where, d.Summary, d.Detail)
	}
	return b.String()
}

func dump(files map[string][]byte) string {
	var b strings.Builder
	for _, n := range sortedKeys(files) {
		fmt.Fprintf(&b, "---- %s\n%s", n, files[n])
	}
	return b.String()
}

func sortedKeys[V any](m map[string]V) []string {
	ks := slices.Collect(maps.Keys(m))
	sort.Strings(ks)
	return ks
}

func derived(r model.Resource) *model.Address {
	switch r := r.(type) {
	case *model.Topic:
		return r.DerivedFrom
	case *model.Subscription:
		return r.DerivedFrom
	}
	return nil
}

func labelsOf(r model.Resource) map[string]string {
	switch r := r.(type) {
	case *model.Topic:
		return r.Labels
	case *model.Subscription:
		return r.Labels
	}
	return nil
}

func withOwnership(l map[string]string) map[string]string {
	out := maps.Clone(l)
	if out == nil {
		out = map[string]string{}
	}
	out[model.LabelManagedBy] = model.ManagedByValue
	out[model.LabelStack] = genStack
	return out
}

func liveOf(st *model.State) *model.State {
	return &model.State{
		Project:       st.Project,
		Schemas:       slices.Clone(st.Schemas),
		Topics:        slices.Clone(st.Topics),
		Subscriptions: slices.Clone(st.Subscriptions),
		Policies:      st.Policies,
		IAMSupported:  st.Policies != nil,
	}
}

// expectedSelection is the export's selection rule, restated: resources of
// other stacks, subscriptions of deleted topics and detached subscriptions
// are left out; --match selects by ID (a subscription also by its topic's,
// a schema also when an exported topic uses it).
func expectedSelection(c genCase) map[string]model.Resource {
	match := func(id string) bool { return c.opts.Match == nil || c.opts.Match.MatchString(id) }
	foreign := func(l map[string]string) bool {
		return l[model.LabelManagedBy] == model.ManagedByValue && l[model.LabelStack] != "" && l[model.LabelStack] != genStack
	}
	out := map[string]model.Resource{}
	usedSchemas := map[string]bool{}
	for _, t := range c.st.Topics {
		if !foreign(t.Labels) && match(t.Name) {
			out["topic "+t.Name] = t
			if t.Schema != nil {
				usedSchemas[t.Schema.Schema] = true
			}
		}
	}
	for _, s := range c.st.Subscriptions {
		_, topicID, _ := model.SplitName(s.Topic, model.KindTopic)
		if foreign(s.Labels) || s.Topic == deletedTopic || s.Detached || !(match(s.Name) || topicID != "" && match(topicID)) {
			continue
		}
		out["subscription "+s.Name] = s
	}
	for _, s := range c.st.Schemas {
		if match(s.Name) || usedSchemas[model.FullName(genProject, model.KindSchema, s.Name)] {
			out["schema "+s.Name] = s
		}
	}
	return out
}

// canon returns the Pub/Sub fields of a resource, without what is not a
// Pub/Sub field (addresses, provenance, IAM, lifecycle), the ownership and
// system labels, and the values the service fills in by itself.
func canon(r model.Resource) any {
	labels := func(l map[string]string) map[string]string {
		out := map[string]string{}
		for k, v := range l {
			if k != model.LabelManagedBy && k != model.LabelStack && !strings.HasPrefix(k, "goog-") {
				out[k] = v
			}
		}
		if len(out) == 0 {
			return nil
		}
		return out
	}
	switch r := r.(type) {
	case *model.Schema:
		return model.Schema{Name: r.Name, Type: r.Type, Definition: r.Definition}
	case *model.Topic:
		c := *r
		c.Addr, c.Meta, c.IAM, c.Lifecycle, c.DerivedFrom = model.Address{}, model.Meta{}, model.IAM{}, model.Lifecycle{}, nil
		c.Labels = labels(r.Labels)
		return c
	case *model.Subscription:
		c := *r
		c.Addr, c.Meta, c.IAM, c.Lifecycle, c.DerivedFrom = model.Address{}, model.Meta{}, model.IAM{}, model.Lifecycle{}, nil
		c.DeadLetterOptOut = nil
		c.Labels = labels(r.Labels)
		if p := r.Push; p != nil {
			cp := *p
			cp.Attributes = nil
			for k, v := range p.Attributes {
				if k == "x-goog-version" && v == "v1" {
					continue
				}
				if cp.Attributes == nil {
					cp.Attributes = map[string]string{}
				}
				cp.Attributes[k] = v
			}
			c.Push = &cp
		}
		return c
	}
	panic("unknown resource")
}

// checkIAM checks that the IAM the loaded resource declares is exactly its
// live policy: every unconditional role, with every member.
func checkIAM(t *testing.T, seed int64, c genCase, r model.Resource) {
	t.Helper()
	if c.st.Policies == nil {
		if !r.Policy().Empty() && c.opts.ProjectNumber == "" {
			t.Errorf("seed %d: %s declares IAM although none was read", seed, r.Address())
		}
		return
	}
	live := c.st.Policies[model.FullName(genProject, r.Address().Kind, r.ID())]
	want := map[string][]string{}
	if live != nil {
		for _, b := range live.Bindings {
			if b.Condition != "" {
				continue
			}
			for _, m := range b.Members {
				cm := iam.CanonicalMember(m)
				if !slices.Contains(want[b.Role], cm) {
					want[b.Role] = append(want[b.Role], cm)
				}
			}
		}
	}
	for role := range want {
		sort.Strings(want[role])
	}
	got := iam.Desired(*r.Policy()).Roles
	if len(got) == 0 {
		got = map[string][]string{}
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("seed %d: IAM of %s (-live +loaded):\n%s", seed, r.Address(), d)
	}
}
