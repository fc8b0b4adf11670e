package model

import (
	"strings"
	"testing"
)

// TestLabelRules pins the label grammar: lower-case letters of any script,
// digits, _ and -, at most 63 characters (not bytes); a key starts with a
// letter.
func TestLabelRules(t *testing.T) {
	for _, tc := range []struct {
		s          string
		key, value bool
	}{
		{"", false, true},
		{"team", true, true},
		{"é" + strings.Repeat("ü", 62), true, true}, // 63 characters, 126 bytes
		{strings.Repeat("a", 63), true, true},
		{strings.Repeat("a", 64), false, false},
		{"é" + strings.Repeat("ü", 63), false, false},
		{"1team", false, true},
		{"-x", false, true},
		{"Team", false, false},
		{"team name", false, false},
		{"日本", true, true},
	} {
		if got := labelKeyRE.MatchString(tc.s); got != tc.key {
			t.Errorf("label key %q: %v, want %v", tc.s, got, tc.key)
		}
		if got := labelValueRE.MatchString(tc.s); got != tc.value {
			t.Errorf("label value %q: %v, want %v", tc.s, got, tc.value)
		}
	}
}
