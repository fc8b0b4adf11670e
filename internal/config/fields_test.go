package config

import (
	"slices"
	"strings"
	"testing"

	"github.com/pubsubctl/pubsubctl/model"
)

// TestSpecCoversFieldTable: every top-level row of the field table is an
// argument or a block the loader accepts for its kind (detached aside: it is
// read from live state, never configured).
func TestSpecCoversFieldTable(t *testing.T) {
	specs := map[model.Kind]*bodySpec{model.KindSchema: schemaSpec, model.KindTopic: topicSpec, model.KindSubscription: subscriptionSpec}
	for _, f := range model.Fields {
		if strings.Contains(f.Name, ".") || f == model.SubDetached {
			continue
		}
		spec := specs[f.Kind]
		ok := slices.Contains(spec.attrs, f.Name)
		for _, b := range spec.blocks {
			ok = ok || b.typ == f.Name
		}
		if !ok {
			t.Errorf("%s %s: in model.Fields but not accepted by the loader", f.Kind, f.Name)
		}
	}
}
