package main

import "testing"

// TestIsEmulator: the emulator keeps the runtime's default memory limit;
// every other command gets defaultMemoryLimit.
func TestIsEmulator(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want bool
	}{
		{[]string{"emulator", "--port", "0"}, true},
		{[]string{"--project", "p", "emulator"}, true},
		{[]string{"plan", "infra"}, false},
		{[]string{"validate"}, false},
		{nil, false},
	} {
		if got := isEmulator(tc.args); got != tc.want {
			t.Errorf("isEmulator(%q) = %v, want %v", tc.args, got, tc.want)
		}
	}
}
