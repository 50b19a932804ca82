package cli

import (
	"strconv"
	"strings"
	"time"

	"berth/engine/errdefs"
)

// parseTimeFlag reads the time of a --since or --until as docker does: a
// duration before now ("10m", "1h30m"), an RFC 3339 time, a date and time
// without a zone ("2026-12-01T15:04:05", local), a date ("2026-12-01",
// local midnight), or Unix seconds with an optional fraction
// ("1764601200.5").
func parseTimeFlag(flag, s string, now time.Time) (time.Time, error) {
	if d, err := time.ParseDuration(s); err == nil {
		return now.Add(-d), nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02T15:04:05.999999999", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, time.Local); err == nil {
			return t, nil
		}
	}
	sec, frac, _ := strings.Cut(s, ".")
	if n, err := strconv.ParseInt(sec, 10, 64); err == nil && len(frac) <= 9 {
		if ns, err := strconv.ParseUint((frac + "000000000")[:9], 10, 64); err == nil {
			return time.Unix(n, int64(ns)), nil
		}
	}
	return time.Time{}, errdefs.InvalidArgument("invalid --%s %q: use a duration ago (10m), an RFC 3339 time (2026-12-01T15:04:05Z), a date (2026-12-01) or Unix seconds", flag, s)
}
