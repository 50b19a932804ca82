package units

import (
	"testing"
	"time"
)

// The expected strings are what docker's go-units prints for the same
// numbers (HumanSizeWithPrecision(n, 3), BytesSize, HumanDuration).
func TestHumanSize(t *testing.T) {
	tests := []struct {
		n    int64
		want string
	}{
		{0, "0B"},
		{7, "7B"},
		{999, "999B"},
		{1000, "1kB"},
		{12_345, "12.3kB"},
		{1_146_000, "1.15MB"},
		{1_980_000, "1.98MB"},
		{4_200_000, "4.2MB"},
		{40_000_000, "40MB"},
		{116_666_468, "117MB"},
		{1_234_567_890, "1.23GB"},
		{999_600, "1MB"}, // docker: "1e+03kB"
		{-5, "0B"},
	}
	for _, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			if got := HumanSize(tc.n); got != tc.want {
				t.Errorf("HumanSize(%d) = %q, want %q", tc.n, got, tc.want)
			}
		})
	}
}

func TestHumanSizeDigits(t *testing.T) {
	for _, tc := range []struct {
		n      int64
		digits int
		want   string
	}{
		{1_146_000, 4, "1.146MB"},
		{201_172_506, 4, "201.2MB"},
		{999_960, 4, "1000kB"}, // no exponent: docker's own output
	} {
		if got := HumanSizeDigits(tc.n, tc.digits); got != tc.want {
			t.Errorf("HumanSizeDigits(%d, %d) = %q, want %q", tc.n, tc.digits, got, tc.want)
		}
	}
}

func TestBytesSize(t *testing.T) {
	tests := []struct {
		n    uint64
		want string
	}{
		{0, "0B"},
		{1000, "1000B"},
		{1024, "1KiB"},
		{512 << 10, "512KiB"},
		{12_940_000, "12.34MiB"},
		{64 << 20, "64MiB"},
		{2_097_152_000, "1.953GiB"},
		{1<<20 - 1, "1024KiB"},
	}
	for _, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			if got := BytesSize(tc.n); got != tc.want {
				t.Errorf("BytesSize(%d) = %q, want %q", tc.n, got, tc.want)
			}
		})
	}
}

func TestHumanDuration(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{0, "Less than a second"},
		{999 * time.Millisecond, "Less than a second"},
		{time.Second, "1 second"},
		{59 * time.Second, "59 seconds"},
		{60 * time.Second, "About a minute"},
		{119 * time.Second, "About a minute"},
		{2 * time.Minute, "2 minutes"},
		{59 * time.Minute, "59 minutes"},
		{60 * time.Minute, "About an hour"},
		{89 * time.Minute, "About an hour"},
		{90 * time.Minute, "2 hours"}, // hours are rounded
		{47 * time.Hour, "47 hours"},
		{48 * time.Hour, "2 days"},
		{13 * 24 * time.Hour, "13 days"},
		{14 * 24 * time.Hour, "2 weeks"},
		{59 * 24 * time.Hour, "8 weeks"},
		{60 * 24 * time.Hour, "2 months"},
		{729 * 24 * time.Hour, "24 months"},
		{730 * 24 * time.Hour, "2 years"},
	}
	for _, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			if got := HumanDuration(tc.d); got != tc.want {
				t.Errorf("HumanDuration(%v) = %q, want %q", tc.d, got, tc.want)
			}
		})
	}
}

func TestAgo(t *testing.T) {
	now := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	if got := Ago(now.Add(-90*time.Second), now); got != "About a minute ago" {
		t.Errorf("Ago = %q", got)
	}
	if got := Ago(time.Time{}, now); got != "" {
		t.Errorf("Ago(zero) = %q, want empty", got)
	}
}
