package model

import (
	"strings"
	"testing"
	"time"
)

func TestParseDuration(t *testing.T) {
	ok := map[string]time.Duration{
		"90s":     90 * time.Second,
		"10m":     10 * time.Minute,
		"24h":     24 * time.Hour,
		"7d":      7 * Day,
		"1h30m":   90 * time.Minute,
		"1d12h":   36 * time.Hour,
		" 60s ":   time.Minute,
		"0s":      0,
		"10500ms": 10500 * time.Millisecond, // whole milliseconds; ack_deadline wants whole seconds
	}
	for s, want := range ok {
		got, err := ParseDuration(s)
		if err != nil || got != want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
}

// Every duration with a decimal point is an error that names the
// whole-unit equivalent; "1.5m" used to parse as 90s.
func TestParseDurationFractions(t *testing.T) {
	for s, want := range map[string]string{
		"1.5m":    `fractions are not allowed; write the whole-unit equivalent "90s"`,
		"1.5h":    `write the whole-unit equivalent "90m"`,
		"1.5d":    `write the whole-unit equivalent "36h"`,
		"0.5d12h": `write the whole-unit equivalent "1d"`,
		"1h1.5m":  `write the whole-unit equivalent "3690s"`,
		"1.0m":    `write the whole-unit equivalent "1m"`,
		".5m":     `write the whole-unit equivalent "30s"`,
		"1.5s":    `write the whole-unit equivalent "1500ms"`,
		"0.0s":    `write the whole-unit equivalent "0s"`,
		"1.5":     "missing unit",
		"1.5x":    "fractions are not allowed",
		"d.5":     "fractions are not allowed",
	} {
		d, err := ParseDuration(s)
		if err == nil {
			t.Errorf("ParseDuration(%q) = %v, want an error", s, d)
			continue
		}
		if !strings.Contains(err.Error(), want) {
			t.Errorf("ParseDuration(%q) error = %q, want it to contain %q", s, err, want)
		}
		if !strings.Contains(err.Error(), `"`+strings.TrimSpace(s)+`"`) {
			t.Errorf("ParseDuration(%q) error = %q, want it to quote the value", s, err)
		}
	}
}

func TestParseDurationInvalid(t *testing.T) {
	for s, want := range map[string]string{
		"":    "empty duration",
		"-5s": "must not be negative",
		"60":  `missing unit (s, m, h or d), e.g. "60s"`,
		"5x":  "want a number with a unit",
		"1xd": "whole number of days",
	} {
		if _, err := ParseDuration(s); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseDuration(%q) = %v, want an error containing %q", s, err, want)
		}
	}
}
