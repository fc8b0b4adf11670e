package apply

import (
	"context"
	"fmt"
	"slices"

	"github.com/pubsubctl/pubsubctl/iam"
	"github.com/pubsubctl/pubsubctl/internal/live"
	"github.com/pubsubctl/pubsubctl/model"
	"github.com/pubsubctl/pubsubctl/plan"
)

// iamChange applies one IAM change by read-modify-write.
func (x *executor) iamChange(ctx context.Context, r *opRun, ic *plan.IAMChange) (string, error) {
	changes, err := x.rmw(ctx, r, ic.Kind, ic.Name, ic.Desired, nil, x.fresh[ic.Name])
	if err != nil {
		return "", err
	}
	if len(changes) == 0 {
		return "the policy already matched; nothing written", nil
	}
	return summarize(changes), nil
}

// getPolicy reads a policy with retries; settle as for opRun.call.
func (x *executor) getPolicy(ctx context.Context, r *opRun, kind model.Kind, name string, settle func(error) bool) (*model.Policy, error) {
	var out *model.Policy
	err := r.call(ctx, live.Read, func(ctx context.Context) error {
		p, err := x.t.GetPolicy(ctx, kind, name)
		out = p
		return err
	}, nil, settle)
	if err != nil {
		return nil, err
	}
	if out == nil {
		out = &model.Policy{}
	}
	return out, nil
}

// rmw converges the policy of a resource on desired by etag
// read-modify-write: read the live policy, add carry's bindings (the
// policy of the resource a replace deleted), compute iam.Diff and
// iam.Apply against that, and write it with the etag read. A conflict
// (Aborted) starts a new round from a fresh read, so changes someone else
// made meanwhile to roles pubsubctl does not manage survive. fresh marks a
// resource this run has just created: NotFound and FailedPrecondition are
// then retried a few times (eventual consistency). It returns the member
// changes written (nil when the policy already matched).
func (x *executor) rmw(ctx context.Context, r *opRun, kind model.Kind, name string, desired iam.DesiredPolicy, carry *model.Policy, fresh bool) ([]iam.MemberChange, error) {
	var settle func(error) bool
	if fresh {
		settle = func(err error) bool {
			o := live.Classify(err)
			return o == live.NotFound || o == live.Precondition
		}
	}
	for conflicts := 0; ; conflicts++ {
		cur, err := x.getPolicy(ctx, r, kind, name, settle)
		if err != nil {
			return nil, err
		}
		target, changes := nextPolicy(cur, carry, desired)
		if samePolicy(target, cur) {
			return nil, nil
		}
		if err := iam.CheckLimits(target); err != nil {
			return nil, err
		}
		set := func(ctx context.Context) error {
			_, err := x.t.SetPolicy(ctx, kind, name, target)
			return err
		}
		resolve := func(ctx context.Context) (bool, error) {
			now, err := x.getPolicy(ctx, r, kind, name, nil)
			if err != nil {
				return false, err
			}
			t, _ := nextPolicy(now, carry, desired)
			return samePolicy(t, now), nil
		}
		err = r.call(ctx, live.SetIAM, set, resolve, settle)
		if err == nil {
			return changes, nil
		}
		if live.Classify(err) != live.Conflict {
			return nil, err
		}
		if conflicts >= x.o.IAMRetries {
			return nil, fmt.Errorf("%w (gave up after %d read-modify-write rounds: %w)", err, conflicts+1, iam.ErrTooManyConflicts)
		}
		r.retries++
		if conflicts == 0 {
			r.note("the IAM policy changed concurrently; re-read and re-applied")
		}
		if err := live.Sleep(ctx, x.policy.Backoff(conflicts+1, live.Conflict)); err != nil {
			return nil, fmt.Errorf("%w (interrupted while backing off: %v)", err, ctx.Err())
		}
	}
}

// nextPolicy returns the policy to write over live: live plus carry's
// bindings, with the member changes desired needs against that applied,
// under live's etag.
func nextPolicy(live, carry *model.Policy, desired iam.DesiredPolicy) (*model.Policy, []iam.MemberChange) {
	base := clonePolicy(live)
	if carry != nil && len(carry.Bindings) > 0 {
		for _, b := range carry.Bindings {
			base.Bindings = append(base.Bindings, model.PolicyBinding{Role: b.Role, Members: slices.Clone(b.Members), Condition: b.Condition})
		}
		base.Normalize()
		base.Version = max(base.Version, carry.Version)
	}
	changes := iam.Diff(desired, base)
	next := iam.Apply(base, changes)
	next.Etag = live.Etag
	next.Version = base.Version
	return next, changes
}

func clonePolicy(p *model.Policy) *model.Policy {
	out := &model.Policy{}
	if p == nil {
		return out
	}
	out.Etag, out.Version = p.Etag, p.Version
	for _, b := range p.Bindings {
		out.Bindings = append(out.Bindings, model.PolicyBinding{Role: b.Role, Members: slices.Clone(b.Members), Condition: b.Condition})
	}
	return out
}

// samePolicy reports whether two policies grant the same members the same
// roles (etags and versions aside).
func samePolicy(a, b *model.Policy) bool {
	na, nb := clonePolicy(a), clonePolicy(b)
	na.Normalize()
	nb.Normalize()
	return slices.EqualFunc(na.Bindings, nb.Bindings, func(x, y model.PolicyBinding) bool {
		return x.Role == y.Role && x.Condition == y.Condition && slices.Equal(x.Members, y.Members)
	})
}
