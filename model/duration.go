package model

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Day is 24 hours, the unit Pub/Sub uses for retention and expiration.
const Day = 24 * time.Hour

// ParseDuration parses a duration with units: "90s", "10m", "24h", "7d",
// "1h30m". Days ("d") are accepted on their own or as the first component.
// Fractions ("1.5m", "0.5d", even "1.0s"), negative values and bare numbers
// are errors; the error for a fraction names the whole-unit equivalent
// ("1.5m" -> "90s").
func ParseDuration(s string) (time.Duration, error) {
	orig := s
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, fmt.Errorf("empty duration: use a number with a unit, e.g. \"60s\", \"10m\", \"7d\"")
	}
	if strings.HasPrefix(s, "-") {
		return 0, fmt.Errorf("invalid duration %q: must not be negative", orig)
	}
	if strings.Contains(s, ".") {
		return 0, fractionError(orig, s)
	}
	var total time.Duration
	if i := strings.IndexByte(s, 'd'); i >= 0 {
		n, err := strconv.ParseUint(s[:i], 10, 32)
		if err != nil {
			return 0, fmt.Errorf("invalid duration %q: want a whole number of days before \"d\"", orig)
		}
		total = time.Duration(n) * Day
		s = s[i+1:]
		if s == "" {
			return total, nil
		}
	}
	if _, err := strconv.ParseFloat(s, 64); err == nil {
		return 0, fmt.Errorf("invalid duration %q: missing unit (s, m, h or d), e.g. %q", orig, s+"s")
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("invalid duration %q: want a number with a unit (s, m, h, d), e.g. \"60s\", \"10m\", \"7d\"", orig)
	}
	if d < 0 {
		return 0, fmt.Errorf("invalid duration %q: must not be negative", orig)
	}
	return total + d, nil
}

// fractionError explains why a duration with a decimal point is refused and,
// when the value can be computed, names its whole-unit equivalent.
func fractionError(orig, s string) error {
	const want = "use a whole number with a unit, e.g. \"90s\", \"10m\", \"7d\""
	if _, err := strconv.ParseFloat(s, 64); err == nil {
		return fmt.Errorf("invalid duration %q: missing unit (s, m, h or d), and fractions are not allowed; %s", orig, want)
	}
	var total time.Duration
	rest := s
	if i := strings.IndexByte(s, 'd'); i >= 0 {
		// A day is 24 hours: "1.5d" is 24 times "1.5h", which
		// time.ParseDuration computes exactly.
		h, err := time.ParseDuration(s[:i] + "h")
		if err != nil || h < 0 || h > math.MaxInt64/24 {
			return fmt.Errorf("invalid duration %q: fractions are not allowed; %s", orig, want)
		}
		total = 24 * h
		rest = s[i+1:]
	}
	if rest != "" {
		d, err := time.ParseDuration(rest)
		if err != nil || d < 0 || total > math.MaxInt64-d {
			return fmt.Errorf("invalid duration %q: fractions are not allowed; %s", orig, want)
		}
		total += d
	}
	return fmt.Errorf("invalid duration %q: fractions are not allowed; write the whole-unit equivalent %q", orig, wholeUnits(total))
}

// wholeUnits is FormatDuration that never writes a fraction: a value that
// is not a whole number of seconds is written in ms, us or ns.
func wholeUnits(d time.Duration) string {
	switch {
	case d%time.Second == 0:
		return FormatDuration(d)
	case d%time.Millisecond == 0:
		return strconv.FormatInt(int64(d/time.Millisecond), 10) + "ms"
	case d%time.Microsecond == 0:
		return strconv.FormatInt(int64(d/time.Microsecond), 10) + "us"
	}
	return strconv.FormatInt(int64(d), 10) + "ns"
}

// FormatDuration renders d canonically in the largest unit that divides it
// exactly ("600s" and "10m" both render as "10m"; 7 days as "7d").
func FormatDuration(d time.Duration) string {
	switch {
	case d == 0:
		return "0s"
	case d%Day == 0:
		return strconv.FormatInt(int64(d/Day), 10) + "d"
	case d%time.Hour == 0:
		return strconv.FormatInt(int64(d/time.Hour), 10) + "h"
	case d%time.Minute == 0:
		return strconv.FormatInt(int64(d/time.Minute), 10) + "m"
	case d%time.Second == 0:
		return strconv.FormatInt(int64(d/time.Second), 10) + "s"
	}
	return d.String()
}
