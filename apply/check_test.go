package apply

import (
	"strings"
	"testing"

	"github.com/pubsubctl/pubsubctl/model"
	"github.com/pubsubctl/pubsubctl/plan"
)

func TestCheck(t *testing.T) {
	del := plan.Change{Address: model.Address{Kind: model.KindTopic, Name: "old"}, Kind: model.KindTopic, Action: plan.ActionDelete, RequiresFlag: "--allow-destroy", Destructive: true}
	rep := plan.Change{Address: model.Address{Kind: model.KindSubscription, Name: "s"}, Kind: model.KindSubscription, Action: plan.ActionReplace, RequiresFlag: "--allow-replace", Destructive: true}
	repKept := rep
	repKept.Address.Name, repKept.PreventDestroy = "kept", true
	delKept := del
	delKept.Address.Name, delKept.PreventDestroy = "kept-topic", true
	create := plan.Change{Address: model.Address{Kind: model.KindTopic, Name: "new"}, Kind: model.KindTopic, Action: plan.ActionCreate}
	update := plan.Change{Address: model.Address{Kind: model.KindTopic, Name: "upd"}, Kind: model.KindTopic, Action: plan.ActionUpdate}
	adopt := plan.Change{Address: model.Address{Kind: model.KindTopic, Name: "adp"}, Kind: model.KindTopic, Action: plan.ActionAdopt}

	tests := []struct {
		name    string
		changes []plan.Change
		opts    Options
		want    []string // "address action substring"
	}{
		{name: "harmless changes pass", changes: []plan.Change{create, update, adopt}},
		{name: "delete without flag", changes: []plan.Change{create, del}, want: []string{"topic.old delete --allow-destroy"}},
		{name: "delete with flag", changes: []plan.Change{del}, opts: Options{AllowDestroy: true}},
		{name: "replace without flag", changes: []plan.Change{rep}, want: []string{"subscription.s replace --allow-replace"}},
		{name: "replace flag does not allow deletes", changes: []plan.Change{rep, del}, opts: Options{AllowReplace: true}, want: []string{"topic.old delete --allow-destroy"}},
		{name: "destroy flag does not allow replaces", changes: []plan.Change{rep, del}, opts: Options{AllowDestroy: true}, want: []string{"subscription.s replace --allow-replace"}},
		{name: "both flags", changes: []plan.Change{rep, del}, opts: Options{AllowDestroy: true, AllowReplace: true}},
		{name: "prevent_destroy refuses a replace even with the flag", changes: []plan.Change{repKept}, opts: Options{AllowReplace: true, AllowDestroy: true},
			want: []string{"subscription.kept replace prevent_destroy"}},
		{name: "prevent_destroy refuses a delete even with the flag", changes: []plan.Change{delKept}, opts: Options{AllowDestroy: true},
			want: []string{"topic.kept-topic delete prevent_destroy"}},
		{name: "prevent_destroy and a missing flag are both reported", changes: []plan.Change{repKept},
			want: []string{"subscription.kept replace prevent_destroy", "subscription.kept replace --allow-replace"}},
		{name: "prevent_destroy on an update is irrelevant", changes: []plan.Change{func() plan.Change { u := update; u.PreventDestroy = true; return u }()}},
		{name: "default flag names without RequiresFlag", changes: []plan.Change{{Address: model.Address{Kind: model.KindTopic, Name: "x"}, Action: plan.ActionDelete}},
			want: []string{"topic.x delete --allow-destroy"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Check(&plan.Plan{Changes: tc.changes}, tc.opts)
			if len(got) != len(tc.want) {
				t.Fatalf("Check = %v, want %d violations %v", got, len(tc.want), tc.want)
			}
			for i, w := range tc.want {
				parts := strings.SplitN(w, " ", 3)
				v := got[i]
				if v.Address != parts[0] || v.Action != parts[1] || !strings.Contains(v.Reason, parts[2]) {
					t.Errorf("violation %d = %+v, want %s", i, v, w)
				}
			}
		})
	}
	if v := Check(nil, Options{}); v != nil {
		t.Errorf("Check(nil) = %v", v)
	}
}

// TestCheckMatchesExecute: what Check reports, Execute refuses, without a
// single RPC.
func TestCheckMatchesExecute(t *testing.T) {
	f := newFake()
	f.topics["old"] = ownedTopic("old")
	f.subs["old-sub"] = ownedSub("old-sub", "old")
	p := planFor(t, f, cfgOf())
	if len(p.Changes) != 2 {
		t.Fatalf("plan: %+v", p.Changes)
	}
	if v := Check(p, Options{}); len(v) != 2 {
		t.Fatalf("Check = %v", v)
	}
	res := Execute(t.Context(), f, p, testOptions())
	if res.Refused != 2 || res.OK() || len(f.allCalls()) != 0 {
		t.Fatalf("result %+v, calls %v", res, f.allCalls())
	}
	for _, e := range res.Events {
		if e.Status != Refused || e.Err == nil || !strings.Contains(e.Err.Error(), "--allow-destroy") {
			t.Errorf("event %+v", e)
		}
	}
}
