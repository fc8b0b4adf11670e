package cli

import (
	"fmt"
	"strings"

	"github.com/pubsubctl/pubsubctl/model"
	"github.com/pubsubctl/pubsubctl/plan"
)

// addLive adds what live state says about r: whether it exists and who
// manages it, each field's live value and drift, pending IAM changes.
func addLive(ex *explanation, cfg *model.Config, r model.Resource, p *plan.Plan, st *model.State) {
	addr := r.Address()
	kind := addr.Kind
	lr := &liveResource{Target: p.Target}
	ex.Live = lr
	var change *plan.Change
	for i := range p.Changes {
		if p.Changes[i].Address == addr {
			change = &p.Changes[i]
		}
	}
	var liveRes model.Resource
	for _, x := range st.Resources() {
		if x.Address().Kind == addr.Kind && x.ID() == r.ID() {
			liveRes = x
		}
	}
	liveValues := map[string]plan.FieldDiff{}
	if liveRes != nil {
		for _, v := range plan.Values(cfg.Project, liveRes) {
			liveValues[v.Path] = v
		}
	}
	for _, u := range p.Unmanaged {
		if u.Kind == addr.Kind && u.ID == r.ID() {
			lr.Status, lr.Detail = "unmanaged", "exists without this stack's labels: apply leaves it alone until it is adopted (plan --adopt)"
			if u.Stack != "" {
				lr.Status, lr.Detail = "other-stack", "exists and is managed by stack "+u.Stack+": this stack never changes it"
			}
		}
	}
	drifted := map[string]plan.FieldDiff{}
	switch {
	case lr.Status != "":
	case change != nil && change.Action == plan.ActionCreate:
		lr.Status, lr.Detail = "absent", "does not exist: apply would create it"
	case change != nil:
		for _, fd := range change.Fields {
			drifted[fd.Path] = fd
		}
		lr.Status, lr.Detail = "drifted", fmt.Sprintf("exists; apply would %s it (%s)", change.Action, plural(len(change.Fields), "field"))
		if change.Action == plan.ActionReplace && len(change.ReplaceReasons) > 0 {
			lr.Detail += ": " + strings.Join(change.ReplaceReasons, "; ")
		}
	default:
		lr.Status, lr.Detail = "in-sync", "exists, managed by this stack, every field as configured"
	}
	for _, ic := range p.IAM {
		if ic.Address != addr {
			continue
		}
		for _, m := range ic.Members {
			lr.PendingIAM = append(lr.PendingIAM, m.String())
		}
	}
	if len(lr.PendingIAM) > 0 && lr.Status == "in-sync" {
		lr.Status, lr.Detail = "drifted", "exists; its IAM policy differs"
	}
	for i := range ex.Fields {
		f := &ex.Fields[i]
		switch {
		case lr.Status == "absent":
			continue
		case f.Path == model.ResourceNameField:
			f.Live = &fieldLive{Value: r.ID(), shown: r.ID()}
			continue
		}
		if fd, ok := drifted[f.Path]; ok {
			before, _ := fd.Display()
			f.Live = &fieldLive{Value: nativeOrNil(before, fd.Sensitive), Drift: true, shown: orNotSet(shownIn(kind, f.Path, before))}
			continue
		}
		if lr.Status == "unmanaged" || lr.Status == "other-stack" {
			lv, ok := liveValues[f.Path]
			shown, val := "not set", any(nil)
			if ok {
				_, after := lv.Display()
				if f.Sensitive {
					after = plan.SensitiveValue
				}
				shown, val = shownIn(kind, f.Path, after), nativeOrNil(after, f.Sensitive)
			}
			f.Live = &fieldLive{Value: val, Drift: shown != f.shown, shown: shown}
			continue
		}
		f.Live = &fieldLive{Value: f.Value, shown: f.shown}
	}
}

// shownIn is a rendered value of kind's field at path as people read it.
func shownIn(kind model.Kind, path, v string) string {
	if v == "" {
		return ""
	}
	s := shownValue(v)
	if inSeconds(kind, path) {
		s = seconds(s)
	}
	return s
}

func nativeOrNil(v string, sensitive bool) any {
	if v == "" {
		return nil
	}
	if sensitive || v == plan.SensitiveValue {
		return plan.SensitiveValue
	}
	return plan.Native(v)
}

func orNotSet(s string) string {
	if s == "" {
		return "not set"
	}
	return s
}
