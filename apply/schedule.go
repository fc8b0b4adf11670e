package apply

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/pubsubctl/pubsubctl/internal/live"
	"github.com/pubsubctl/pubsubctl/model"
	"github.com/pubsubctl/pubsubctl/plan"
)

// node is one schedulable operation: a change, or an IAM change.
type node struct {
	ev   int // index of the node's event in Result.Events
	ch   *plan.Change
	ic   *plan.IAMChange
	addr model.Address
	op   string

	// fold is the IAM change applied inside this replace; foldedInto is
	// the replace an IAM node is applied by.
	fold       *node
	foldedInto *node

	deps       int // dependencies not yet applied
	dependents []*node

	done   bool
	status Status
	// cause names the first failed or refused change, for skip details.
	cause string
}

// outcome is what an operation returns to the scheduler.
type outcome struct {
	n        *node
	status   Status
	err      error
	detail   string
	attempts int
	duration time.Duration
	// fold is the final event of the IAM change folded into a replace.
	fold *Event
}

// executor runs one plan.
type executor struct {
	t Target
	p *plan.Plan
	o Options

	policy live.Policy
	randMu sync.Mutex
	// fresh holds the full names of resources this run creates or
	// re-creates: Pub/Sub may briefly answer NotFound for them.
	fresh map[string]bool
}

// Execute applies p to t. It never panics on a malformed plan and always
// returns a Result; see the package documentation for the semantics.
func Execute(ctx context.Context, t Target, p *plan.Plan, o Options) *Result {
	o = o.withDefaults()
	start := o.Now()
	res := &Result{}
	if p == nil {
		return res
	}
	if rl, ok := t.(RateLimited); ok {
		before := rl.LimitStats()
		defer func() { res.RateLimit = rl.LimitStats().Since(before) }()
	}
	x := &executor{
		t:     t,
		p:     p,
		o:     o,
		fresh: map[string]bool{},
	}
	x.policy = x.newPolicy()
	nodes := x.graph()
	res.Events = make([]Event, len(nodes))
	for _, n := range nodes {
		res.Events[n.ev] = Event{Address: n.addr, Op: n.op}
	}

	finish := func(n *node, e Event) {
		n.done, n.status = true, e.Status
		res.Events[n.ev] = e
		if o.Progress != nil {
			o.Progress(e)
		}
	}
	// skip marks the pending transitive dependents of a node that did not
	// apply as Skipped.
	var skip func(n *node)
	skip = func(n *node) {
		cause := n.cause
		if cause == "" {
			cause = n.addr.String() + " " + map[Status]string{Failed: "failed", Refused: "was refused", Skipped: "was skipped"}[n.status]
		}
		for _, d := range n.dependents {
			if d.done {
				continue
			}
			d.cause = cause
			detail := "dependency " + cause
			if d.foldedInto == n {
				detail = "not run: " + n.op + " of " + n.addr.String() + " did not complete"
			}
			finish(d, Event{Address: d.addr, Op: d.op, Status: Skipped, Detail: detail})
			skip(d)
		}
	}

	var ready []*node
	push := func(n *node) {
		i := sort.Search(len(ready), func(i int) bool { return ready[i].ev > n.ev })
		ready = append(ready, nil)
		copy(ready[i+1:], ready[i:])
		ready[i] = n
	}

	// Guards first: refused changes never run.
	for _, n := range nodes {
		if n.ch == nil {
			continue
		}
		if rs := refusals(n.ch, o); len(rs) > 0 {
			n.cause = n.addr.String() + " was refused"
			finish(n, Event{Address: n.addr, Op: n.op, Status: Refused,
				Err:    fmt.Errorf("%s %s (%s): refused: %s", n.op, n.addr, n.ch.Name, strings.Join(rs, "; ")),
				Detail: strings.Join(rs, "; ")})
		}
	}
	for _, n := range nodes {
		if n.done && n.status == Refused {
			skip(n)
		}
	}
	for _, n := range nodes {
		if !n.done && n.deps == 0 && n.foldedInto == nil {
			push(n)
		}
	}

	results := make(chan outcome)
	running := 0
	for {
		for running < o.Parallelism && len(ready) > 0 && ctx.Err() == nil {
			n := ready[0]
			ready = ready[1:]
			if n.done {
				continue
			}
			running++
			go func() { results <- x.run(ctx, n) }()
		}
		if running == 0 {
			break
		}
		out := <-results
		running--
		n := out.n
		e := Event{Address: n.addr, Op: n.op, Status: out.status, Err: out.err, Duration: out.duration, Attempts: out.attempts, Detail: out.detail}
		finish(n, e)
		if n.fold != nil && out.fold != nil {
			finish(n.fold, *out.fold)
		}
		if out.status != Applied {
			skip(n)
			continue
		}
		for _, d := range n.dependents {
			if d.done || d.foldedInto == n {
				continue
			}
			d.deps--
			if d.deps == 0 {
				push(d)
			}
		}
	}

	// Whatever did not run was either cut off by the interruption or sits
	// on a dependency cycle (a malformed plan).
	for _, n := range nodes {
		if n.done {
			continue
		}
		if ctx.Err() != nil {
			res.Interrupted = true
			finish(n, Event{Address: n.addr, Op: n.op, Status: Skipped, Detail: "not started: interrupted"})
			continue
		}
		err := fmt.Errorf("%s %s: not started: its dependencies form a cycle (the plan is malformed)", n.op, n.addr)
		finish(n, Event{Address: n.addr, Op: n.op, Status: Failed, Err: err})
	}

	for _, e := range res.Events {
		switch e.Status {
		case Applied:
			res.Applied++
		case Failed:
			res.Failed++
		case Skipped:
			res.Skipped++
		case Refused:
			res.Refused++
		}
	}
	res.Elapsed = o.Now().Sub(start)
	return res
}

// graph builds the nodes, in event order: changes, then IAM changes.
func (x *executor) graph() []*node {
	p := x.p
	var nodes []*node
	byAddr := map[model.Address]*node{} // non-IAM nodes
	for i := range p.Changes {
		ch := &p.Changes[i]
		n := &node{ev: len(nodes), ch: ch, addr: ch.Address, op: opOf(ch.Action)}
		nodes = append(nodes, n)
		if _, dup := byAddr[ch.Address]; !dup {
			byAddr[ch.Address] = n
		}
		if ch.Action == plan.ActionCreate || ch.Action == plan.ActionReplace {
			x.fresh[ch.Name] = true
		}
	}
	var iamNodes []*node
	for i := range p.IAM {
		ic := &p.IAM[i]
		n := &node{ev: len(nodes), ic: ic, addr: ic.Address, op: OpIAM}
		nodes = append(nodes, n)
		iamNodes = append(iamNodes, n)
	}
	link := func(n *node, deps []model.Address) {
		seen := map[*node]bool{}
		for _, a := range deps {
			d, ok := byAddr[a]
			if !ok || d == n || seen[d] {
				continue // not in the plan: satisfied
			}
			seen[d] = true
			n.deps++
			d.dependents = append(d.dependents, n)
		}
	}
	for _, n := range nodes {
		if n.ch != nil {
			link(n, append(append([]model.Address(nil), n.ch.DependsOn...), x.stopsReferencing(n.ch)...))
		}
	}
	for _, n := range iamNodes {
		r, ok := byAddr[n.addr]
		if ok && r.ch.Action == plan.ActionReplace && r.fold == nil {
			// Applied inside the replace, right after the create.
			r.fold, n.foldedInto = n, r
			r.dependents = append(r.dependents, n)
			n.deps++
			continue
		}
		deps := n.ic.DependsOn
		if ok && r.ch.Action != plan.ActionDelete {
			deps = append(append([]model.Address(nil), deps...), n.addr) // always after its resource
		}
		link(n, deps)
	}
	return nodes
}

// stopsReferencing returns, for the delete of a topic or schema, the other
// changes of the plan that must run first because the live resource they
// change still refers to it and the change drops that reference: a
// subscription updated (or replaced) so that it no longer dead-letters to
// the topic, or no longer reads from it; a topic whose schema settings stop
// naming the schema. Pub/Sub refuses to delete a topic that is some
// subscription's dead-letter topic (FailedPrecondition), so without these
// edges removing a dead-letter policy and its topic in one apply fails
// half-way. plan.Change.DependsOn only orders deletes after deletes.
func (x *executor) stopsReferencing(ch *plan.Change) []model.Address {
	if ch.Action != plan.ActionDelete || (ch.Kind != model.KindTopic && ch.Kind != model.KindSchema) {
		return nil
	}
	var out []model.Address
	for i := range x.p.Changes {
		o := &x.p.Changes[i]
		if o == ch || o.Action == plan.ActionDelete || o.Action == plan.ActionCreate {
			continue
		}
		if refersTo(x.p.Project, o.Before.Get(), ch.Kind, ch.Name) && !refersTo(x.p.Project, o.After.Get(), ch.Kind, ch.Name) {
			out = append(out, o.Address)
		}
	}
	return out
}

// refersTo reports whether r names the topic or schema fullName.
func refersTo(project string, r model.Resource, kind model.Kind, fullName string) bool {
	switch v := r.(type) {
	case *model.Subscription:
		if kind != model.KindTopic || v == nil {
			return false
		}
		if qualify(project, model.KindTopic, v.Topic) == fullName {
			return true
		}
		return v.DeadLetter != nil && qualify(project, model.KindTopic, v.DeadLetter.Topic) == fullName
	case *model.Topic:
		return kind == model.KindSchema && v != nil && v.Schema != nil && qualify(project, model.KindSchema, v.Schema.Schema) == fullName
	}
	return false
}

func opOf(a plan.Action) string {
	switch a {
	case plan.ActionCreate:
		return OpCreate
	case plan.ActionUpdate:
		return OpUpdate
	case plan.ActionReplace:
		return OpReplace
	case plan.ActionDelete:
		return OpDelete
	case plan.ActionAdopt:
		return OpAdopt
	case plan.ActionForget:
		return OpForget
	}
	return string(a)
}

// run executes one node on a context that survives the interruption of
// ctx, bounded by OperationTimeout.
func (x *executor) run(ctx context.Context, n *node) (out outcome) {
	start := x.o.Now()
	if x.o.Progress != nil {
		x.o.Progress(Event{Address: n.addr, Op: n.op, Status: Started})
	}
	octx, cancel := context.WithTimeout(context.WithoutCancel(ctx), x.o.OperationTimeout)
	defer cancel()
	r := &opRun{x: x}
	defer func() {
		if v := recover(); v != nil {
			// A bug (or a Target that panics) fails one operation, not the run.
			out = outcome{status: Failed, err: fmt.Errorf("%s %s: internal error: %v", n.op, n.addr, v)}
			if n.fold != nil {
				out.fold = &Event{Address: n.fold.addr, Op: OpIAM, Status: Skipped, Detail: "not run: " + n.op + " of " + n.addr.String() + " did not complete"}
			}
		}
		out.n = n
		out.attempts = r.retries + 1
		out.duration = x.o.Now().Sub(start)
		if out.fold != nil && out.fold.Status != Skipped {
			out.fold.Duration = out.duration
			out.fold.Attempts = out.attempts
		}
	}()
	var err error
	var detail string
	if n.ic != nil {
		detail, err = x.iamChange(octx, r, n.ic)
		if err != nil {
			err = fmt.Errorf("update IAM policy of %s (%s): %w", n.addr, n.ic.Name, err)
		}
	} else {
		switch n.ch.Action {
		case plan.ActionCreate:
			detail, err = x.create(octx, r, n.ch)
		case plan.ActionUpdate, plan.ActionAdopt, plan.ActionForget:
			detail, err = x.update(octx, r, n.ch)
		case plan.ActionDelete:
			detail, err = x.delete(octx, r, n.ch)
		case plan.ActionReplace:
			var fold *Event
			detail, fold, err = x.replace(octx, r, n)
			out.fold = fold
		default:
			err = fmt.Errorf("unknown action %q", n.ch.Action)
		}
		if err != nil {
			err = fmt.Errorf("%s %s (%s): %w", n.op, n.addr, n.ch.Name, err)
		}
	}
	var details []string
	if detail != "" {
		details = append(details, detail)
	}
	out.detail = strings.Join(append(details, r.notes...), "; ")
	if err != nil {
		out.status, out.err = Failed, err
		return out
	}
	out.status = Applied
	return out
}

// errNotOurs is wrapped by the error of a create that found a resource
// this stack does not manage.
var errNotOurs = errors.New("exists but is not managed by this stack")
