// Package units writes sizes and durations the way the docker CLI does
// (its go-units package), for every place berth shows them: the CLI's
// tables and templates, the TUI's lists and pull bars, and the status words
// of the engine's container summaries. It imports nothing of berth's, so
// the engine, the CLI and the views may all use it.
package units

import (
	"fmt"
	"strings"
	"time"
)

var (
	decimal = []string{"B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"}
	binary  = []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"}
)

// HumanSize is a size as docker images and docker ps show it: decimal
// units, three significant digits, no space: "999B", "1kB", "1.98MB",
// "117MB". Negative sizes show as "0B".
func HumanSize(n int64) string { return HumanSizeDigits(n, 3) }

// HumanSizeDigits is HumanSize with another number of significant digits
// (docker writes reclaimed space with four: "1.146MB").
//
// One difference from docker, on purpose: a value that rounds up to 1000
// of its unit moves to the next one ("1MB" for 999,600 bytes) where
// docker's %g prints "1e+03kB".
func HumanSizeDigits(n int64, digits int) string {
	if n < 0 {
		n = 0
	}
	return scaled(float64(n), 1000, decimal, digits)
}

// BytesSize is a size in binary units with four significant digits, as
// docker stats writes memory: "64MiB", "12.34MiB", "1.953GiB".
func BytesSize(n uint64) string { return scaled(float64(n), 1024, binary, 4) }

func scaled(v, base float64, units []string, digits int) string {
	i := 0
	for v >= base && i < len(units)-1 {
		v /= base
		i++
	}
	s := fmt.Sprintf("%.*g", digits, v)
	if strings.Contains(s, "e+") && i < len(units)-1 {
		// %g rounded the value up to a power of ten it can only write
		// with an exponent (999.6 with three digits is "1e+03"): that is
		// one of the next unit.
		return "1" + units[i+1]
	}
	return s + units[i]
}

// HumanDuration is docker's approximate wording of a duration: "Less than
// a second", "1 second", "About a minute", "3 hours", "2 weeks", ...
func HumanDuration(d time.Duration) string {
	seconds := int(d.Seconds())
	switch {
	case seconds < 1:
		return "Less than a second"
	case seconds == 1:
		return "1 second"
	case seconds < 60:
		return fmt.Sprintf("%d seconds", seconds)
	}
	minutes := int(d.Minutes())
	switch {
	case minutes == 1:
		return "About a minute"
	case minutes < 60:
		return fmt.Sprintf("%d minutes", minutes)
	}
	hours := int(d.Hours() + 0.5) // docker rounds hours to the nearest
	switch {
	case hours == 1:
		return "About an hour"
	case hours < 48:
		return fmt.Sprintf("%d hours", hours)
	case hours < 24*7*2:
		return fmt.Sprintf("%d days", hours/24)
	case hours < 24*30*2:
		return fmt.Sprintf("%d weeks", hours/24/7)
	case hours < 24*365*2:
		return fmt.Sprintf("%d months", hours/24/30)
	}
	return fmt.Sprintf("%d years", int(d.Hours())/24/365)
}

// Ago is how long before now t was, as docker's CREATED columns say it:
// "3 days ago", "About a minute ago". A zero t gives "".
func Ago(t, now time.Time) string {
	if t.IsZero() {
		return ""
	}
	return HumanDuration(now.Sub(t)) + " ago"
}
