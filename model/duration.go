package model

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Day is 24 hours, the unit Pub/Sub uses for retention and expiration.
const Day = 24 * time.Hour

// ParseDuration parses a duration with units: "90s", "10m", "24h", "7d",
// "1h30m". Days ("d") are accepted on their own or as the first component.
// Fractions, negative values and bare numbers are errors.
func ParseDuration(s string) (time.Duration, error) {
	orig := s
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, fmt.Errorf("empty duration: use a number with a unit, e.g. \"60s\", \"10m\", \"7d\"")
	}
	if strings.HasPrefix(s, "-") {
		return 0, fmt.Errorf("invalid duration %q: must not be negative", orig)
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
