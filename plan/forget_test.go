package plan

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pubsubctl/pubsubctl/model"
)

func TestForgetLabels(t *testing.T) {
	for _, tc := range []struct {
		name   string
		labels map[string]string
		want   map[string]string
		err    string
	}{
		{
			name:   "managed by this stack",
			labels: map[string]string{"managed-by": "pubsubctl", "pubsubctl-stack": "shop", "team": "checkout"},
			want:   map[string]string{"team": "checkout"},
		},
		{
			name:   "only the ownership labels",
			labels: map[string]string{"managed-by": "pubsubctl", "pubsubctl-stack": "shop"},
			want:   map[string]string{},
		},
		{
			name:   "another stack",
			labels: map[string]string{"managed-by": "pubsubctl", "pubsubctl-stack": "payments"},
			err:    `it is managed by stack "payments", not "shop"`,
		},
		{
			name:   "no stack label",
			labels: map[string]string{"managed-by": "pubsubctl"},
			err:    `names no stack`,
		},
		{
			name:   "another tool",
			labels: map[string]string{"managed-by": "terraform", "pubsubctl-stack": "shop"},
			err:    `it is not managed by pubsubctl (it has the label managed-by = "terraform")`,
		},
		{
			name: "no labels",
			err:  `it is not managed by pubsubctl (it has no managed-by label)`,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := map[string]string{}
			for k, v := range tc.labels {
				before[k] = v
			}
			got, err := ForgetLabels(tc.labels, "shop")
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("labels (-want +got):\n%s", d)
			}
			if d := cmp.Diff(before, map[string]string(tc.labels)); d != "" && len(before) > 0 {
				t.Errorf("input modified:\n%s", d)
			}
		})
	}
	if _, err := ForgetLabels(map[string]string{"managed-by": "pubsubctl", "pubsubctl-stack": ""}, ""); err == nil {
		t.Error("empty stack accepted")
	}
}

func TestForget(t *testing.T) {
	own := map[string]string{"managed-by": "pubsubctl", "pubsubctl-stack": "shop", "team": "a"}
	tp := &model.Topic{Name: "orders", Labels: own}
	r, err := Forget(tp, "shop")
	if err != nil {
		t.Fatal(err)
	}
	if got := r.(*model.Topic); got == tp || len(got.Labels) != 1 || got.Labels["team"] != "a" || len(tp.Labels) != 3 {
		t.Errorf("Forget(topic) = %+v (input %+v)", got, tp)
	}
	s := &model.Subscription{Name: "billing", Labels: own}
	if r, err := Forget(s, "shop"); err != nil || len(r.(*model.Subscription).Labels) != 1 {
		t.Errorf("Forget(subscription) = %+v, %v", r, err)
	}
	if _, err := Forget(s, "payments"); err == nil || !strings.HasPrefix(err.Error(), `cannot forget subscription billing: it is managed by stack "shop", not "payments"`) {
		t.Errorf("Forget(other stack) = %v", err)
	}
	if _, err := Forget(&model.Schema{Name: "order"}, "shop"); err == nil || !strings.Contains(err.Error(), "cannot forget schema order: schemas carry no labels") {
		t.Errorf("Forget(schema) = %v", err)
	}
}

// TestForgetThenPlan: once forgotten, a resource the configuration no
// longer declares is left alone by plan (listed as unmanaged), not deleted.
func TestForgetThenPlan(t *testing.T) {
	live := &model.Topic{Addr: model.Address{Kind: model.KindTopic, Name: "orders"}, Name: "orders",
		Labels: map[string]string{"managed-by": "pubsubctl", "pubsubctl-stack": "shop"}}
	cfg := &model.Config{Project: "shop-prod", Stack: "shop"}
	lv := &model.State{Project: "shop-prod", Topics: []*model.Topic{live}}
	if p := Compute(cfg, lv, Options{}); len(p.Changes) != 1 || p.Changes[0].Action != ActionDelete {
		t.Fatalf("before forget: %+v", p.Changes)
	}
	r, err := Forget(live, "shop")
	if err != nil {
		t.Fatal(err)
	}
	lv.Topics = []*model.Topic{r.(*model.Topic)}
	p := Compute(cfg, lv, Options{})
	if p.HasChanges() || len(p.Unmanaged) != 1 || p.Unmanaged[0].ID != "orders" {
		t.Errorf("after forget: changes %+v unmanaged %+v", p.Changes, p.Unmanaged)
	}
}

func TestForgetChange(t *testing.T) {
	tp := &model.Topic{Addr: model.Address{Kind: model.KindTopic, Name: "orders"}, Name: "orders",
		Labels: map[string]string{"managed-by": "pubsubctl", "pubsubctl-stack": "shop", "team": "a"}}
	addr := model.Address{Kind: model.KindTopic, Name: "orders_topic"}
	ch, err := ForgetChange("p", "shop", addr, tp)
	if err != nil {
		t.Fatal(err)
	}
	if ch.Action != ActionForget || ch.Address != addr || ch.Name != "projects/p/topics/orders" || ch.After.Topic.Labels["team"] != "a" || len(ch.After.Topic.Labels) != 1 {
		t.Errorf("ForgetChange = %+v", ch)
	}
	var paths []string
	for _, f := range ch.Fields {
		paths = append(paths, f.Path+"="+f.After)
	}
	if strings.Join(paths, " ") != "labels.managed-by= labels.pubsubctl-stack=" {
		t.Errorf("fields %v", paths)
	}
	if _, err := ForgetChange("p", "other", addr, tp); err == nil {
		t.Error("another stack's resource was forgotten")
	}
}
