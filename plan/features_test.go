package plan

import (
	"strings"
	"testing"

	"github.com/pubsubctl/pubsubctl/model"
)

// withFeatures gives the desired topic tags, a UDF and an ingestion source,
// and the billing subscription a Bigtable delivery.
func withFeatures(c *model.Config) {
	t := c.Topics[0]
	t.Tags = map[string]string{"123/env": "prod"}
	t.Transforms = []model.MessageTransform{{JavaScriptUDF: &model.JavaScriptUDF{FunctionName: "f", Code: "function f(m) { return m }"}}}
	t.Ingestion = &model.Ingestion{CloudStorage: &model.StorageSource{Bucket: "b", Format: "text"}, PlatformLogs: "ERROR"}
	for _, s := range c.Subscriptions {
		if s.Name == "billing" {
			s.Bigtable = &model.BigtableConfig{Table: "projects/p/instances/i/tables/t"}
		}
	}
}

// cloneFeatures gives live its own copies of what withFeatures set.
func cloneFeatures(l *model.State) {
	t := l.Topics[0]
	t.Tags = copyMap(t.Tags)
	t.Transforms = append([]model.MessageTransform(nil), t.Transforms...)
	for i := range t.Transforms {
		u := *t.Transforms[i].JavaScriptUDF
		t.Transforms[i].JavaScriptUDF = &u
	}
	in := *t.Ingestion
	cs := *in.CloudStorage
	in.CloudStorage = &cs
	t.Ingestion = &in
	b := *findSub(l, "billing").Bigtable
	findSub(l, "billing").Bigtable = &b
}

func TestFeatureFields(t *testing.T) {
	cases := []struct {
		name    string
		mutate  func(l *model.State)
		addr    string
		action  Action
		field   string
		replace bool
	}{
		{"unchanged", func(l *model.State) {}, "", "", "", false},
		{"tags not reported", func(l *model.State) { l.Topics[0].Tags = nil }, "", "", "", false},
		{"tag changed", func(l *model.State) { l.Topics[0].Tags["123/env"] = "dev" }, "topic.orders", ActionReplace, "tags.123/env", true},
		{"udf code", func(l *model.State) { l.Topics[0].Transforms[0].JavaScriptUDF.Code = "function f(m) { return null }" }, "topic.orders", ActionUpdate, "message_transform.0.javascript_udf.code", false},
		{"udf disabled", func(l *model.State) { l.Topics[0].Transforms[0].Disabled = true }, "topic.orders", ActionUpdate, "message_transform.0.enabled", false},
		{"udf removed live", func(l *model.State) { l.Topics[0].Transforms = nil }, "topic.orders", ActionUpdate, "message_transform.0.javascript_udf.function_name", false},
		{"ingestion bucket", func(l *model.State) { l.Topics[0].Ingestion.CloudStorage.Bucket = "other" }, "topic.orders", ActionUpdate, "ingestion.cloud_storage.bucket", false},
		{"ingestion delimiter is the service's default", func(l *model.State) {
			nl := "\n"
			l.Topics[0].Ingestion.CloudStorage.TextDelimiter = &nl
		}, "", "", "", false},
		{"bigtable column mapping only live", func(l *model.State) { findSub(l, "billing").Bigtable.ColumnFamilyMapping = true }, "subscription.billing", ActionUpdate, "bigtable.column_family_mapping", false},
		{"bigtable profile", func(l *model.State) { findSub(l, "billing").Bigtable.AppProfileID = "x" }, "subscription.billing", ActionUpdate, "bigtable.app_profile_id", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := desiredConfig()
			withFeatures(c)
			l := liveFrom(c)
			cloneFeatures(l)
			tc.mutate(l)
			p := Compute(c, l, Options{})
			if tc.addr == "" {
				if len(p.Changes) != 0 {
					t.Fatalf("want no changes, got %+v", p.Changes)
				}
				return
			}
			if len(p.Changes) != 1 {
				t.Fatalf("want 1 change, got %+v", p.Changes)
			}
			ch := p.Changes[0]
			if ch.Address.String() != tc.addr || ch.Action != tc.action || !hasField(ch, tc.field) {
				t.Fatalf("got %s %s %+v, want %s %s with %s", ch.Action, ch.Address, ch.Fields, tc.action, tc.addr, tc.field)
			}
			if tc.replace && (ch.RequiresFlag != "--allow-replace" || !strings.Contains(strings.Join(ch.ReplaceReasons, " "), "tags")) {
				t.Errorf("tag change is not a flagged replace: %+v", ch)
			}
		})
	}
}
