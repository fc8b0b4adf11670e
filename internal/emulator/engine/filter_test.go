package engine

import "testing"

// TestFilter evaluates subscription filters the way Pub/Sub documents
// them: comparisons of attributes, :, hasPrefix, NOT/-, AND before OR.
func TestFilter(t *testing.T) {
	attrs := map[string]string{"region": "eu", "type": "placed"}
	for _, tc := range []struct {
		filter string
		want   bool
	}{
		{`attributes.region = "eu"`, true},
		{`attributes.region = "us"`, false},
		{`attributes.missing = "eu"`, false},
		{`attributes.region != "us"`, true},
		{`attributes.region != "eu"`, false},
		{`attributes.missing != "eu"`, true},
		{`attributes:region`, true},
		{`attributes:missing`, false},
		{`NOT attributes:missing`, true},
		{`-attributes:region`, false},
		{`attributes.region = "eu" AND attributes.type = "paid"`, false},
		{`attributes.region = "us" OR attributes.type = "placed"`, true},
		{`attributes.region = "us" OR attributes.type = "paid" OR attributes:region`, true},
		{`attributes.region = "eu" AND attributes.type = "placed" AND attributes:missing`, false},
		{`attributes.region = "us" AND attributes.type = "placed" OR attributes:region`, true},
		{`hasPrefix(attributes.type, "pla")`, true},
		{`hasPrefix(attributes.type, "pai")`, false},
	} {
		node, err := parseFilter(tc.filter)
		if err != nil {
			t.Errorf("parse %s: %v", tc.filter, err)
			continue
		}
		if got := evaluateFilter(node, attrs); got != tc.want {
			t.Errorf("%s = %v, want %v", tc.filter, got, tc.want)
		}
	}
	for _, bad := range []string{`attributes.region =`, `(attributes:region`, `attributes:region AND`} {
		if _, err := parseFilter(bad); err == nil {
			t.Errorf("parse %s: no error", bad)
		}
	}
}
