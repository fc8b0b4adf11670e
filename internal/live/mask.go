package live

import (
	"fmt"
	"sort"
	"strings"

	"github.com/pubsubctl/pubsubctl/model"
)

// masks maps, per kind, a configuration field (and, as a synonym, its
// update-mask path) to its update-mask path; immutable maps the fields that
// cannot be updated to why. Both come from the field table (model.Fields).
var masks, immutable = func() (map[model.Kind]map[string]string, map[model.Kind]map[string]string) {
	m := map[model.Kind]map[string]string{model.KindTopic: {}, model.KindSubscription: {}, model.KindSchema: {}}
	im := map[model.Kind]map[string]string{model.KindTopic: {}, model.KindSubscription: {}, model.KindSchema: {}}
	for _, f := range model.Fields {
		switch {
		case f.Immutable != "":
			im[f.Kind][f.Name] = f.Immutable
		case f.Mask != "":
			m[f.Kind][f.Name] = f.Mask
			m[f.Kind][f.Mask] = f.Mask
		}
	}
	for k := range im {
		im[k][model.ResourceNameField] = "a " + k.String() + "'s name cannot change: replace the " + k.String()
	}
	return m, im
}()

// TopicMask returns the update-mask paths for configuration fields of a
// topic (a top-level field or a path under one), sorted and without
// duplicates.
func TopicMask(fields []string) ([]string, error) {
	return buildMask("topic", fields, masks[model.KindTopic], immutable[model.KindTopic])
}

// SubscriptionMask returns the update-mask paths for configuration fields
// of a subscription (a top-level field or a path under one), sorted and
// without duplicates.
func SubscriptionMask(fields []string) ([]string, error) {
	return buildMask("subscription", fields, masks[model.KindSubscription], immutable[model.KindSubscription])
}

func buildMask(kind string, fields []string, paths, immutable map[string]string) ([]string, error) {
	if len(fields) == 0 {
		return nil, fmt.Errorf("no %s fields to update (an empty update mask is never sent)", kind)
	}
	seen := map[string]bool{}
	var out []string
	for _, f := range fields {
		top, _, _ := strings.Cut(f, ".")
		if why, ok := immutable[top]; ok {
			return nil, fmt.Errorf("cannot update %s field %q: %s", kind, f, why)
		}
		p, ok := paths[top]
		if !ok {
			return nil, fmt.Errorf("cannot update %s field %q: not an updatable field", kind, f)
		}
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out, nil
}
