package views

import (
	"slices"
	"testing"
	"time"

	"berth/engine/image"
)

func TestImageRows(t *testing.T) {
	tests := []struct {
		name string
		imgs []image.Summary
		want [][2]string // repo, tag
	}{
		{"one row per tag", []image.Summary{img("a1", 0, 1, "busybox:latest", "busybox:1.36")},
			[][2]string{{"busybox", "latest"}, {"busybox", "1.36"}}},
		{"dangling image", []image.Summary{img("a1", 0, 1)}, [][2]string{{"<none>", "<none>"}}},
		{"docker's <none>:<none> is dangling", []image.Summary{img("a1", 0, 1, "<none>:<none>")},
			[][2]string{{"<none>", "<none>"}}},
		{"registry with a port", []image.Summary{img("a1", 0, 1, "127.0.0.1:5000/big:latest")},
			[][2]string{{"127.0.0.1:5000/big", "latest"}}},
		{"name without tag", []image.Summary{img("a1", 0, 1, "127.0.0.1:5000/big")},
			[][2]string{{"127.0.0.1:5000/big", "<none>"}}},
		{"several images", []image.Summary{img("a1", 0, 1, "a:1"), img("b2", 0, 1), img("c3", 0, 1, "c:2")},
			[][2]string{{"a", "1"}, {"<none>", "<none>"}, {"c", "2"}}},
		{"no images", nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got [][2]string
			for _, r := range imageRows(tc.imgs) {
				got = append(got, [2]string{r.Repo, r.Tag})
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("rows = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestImageRowRef(t *testing.T) {
	tagged := imageRows([]image.Summary{img("a1", 0, 1, "127.0.0.1:5000/big:v2")})[0]
	if got := tagged.Ref(); got != "127.0.0.1:5000/big:v2" {
		t.Errorf("tagged Ref = %q", got)
	}
	dangling := imageRows([]image.Summary{img("b2", 0, 1)})[0]
	if got := dangling.Ref(); got != dangling.ID || len(got) != 71 {
		t.Errorf("dangling Ref = %q, want the full ID", got)
	}
}

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
		{999_600, "1MB"},
		{1_980_000, "1.98MB"},
		{4_270_000, "4.27MB"},
		{4_200_000, "4.2MB"},
		{40_000_000, "40MB"},
		{116_666_468, "117MB"},
		{1_234_567_890, "1.23GB"},
		{-5, "0B"},
	}
	for _, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			if got := humanSize(tc.n); got != tc.want {
				t.Errorf("humanSize(%d) = %q, want %q", tc.n, got, tc.want)
			}
		})
	}
}

func TestHumanCreated(t *testing.T) {
	tests := []struct {
		name string
		t    time.Time
		want string
	}{
		{"days", testNow.Add(-72 * time.Hour), "3 days ago"},
		{"hours", testNow.Add(-2 * time.Hour), "2 hours ago"},
		{"minutes", testNow.Add(-5 * time.Minute), "5 minutes ago"},
		{"just now", testNow, "Less than a second ago"},
		{"unknown", time.Time{}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := humanCreated(tc.t, testNow); got != tc.want {
				t.Errorf("humanCreated = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestSortImageRows(t *testing.T) {
	rows := imageRows([]image.Summary{
		img("cc", 3*time.Hour, 300, "Zeta:1"),
		img("aa", 1*time.Hour, 100, "alpha:2", "alpha:10"),
		img("bb", 2*time.Hour, 900),
	})
	names := func(rs []imageRow) []string {
		var out []string
		for _, r := range rs {
			out = append(out, r.Repo+":"+r.Tag)
		}
		return out
	}
	tests := []struct {
		name string
		col  int
		desc bool
		want []string
	}{
		{"repository A to Z, case-insensitive, <none> last", colRepo, false,
			[]string{"alpha:10", "alpha:2", "Zeta:1", "<none>:<none>"}},
		{"repository Z to A, <none> still last", colRepo, true,
			[]string{"Zeta:1", "alpha:10", "alpha:2", "<none>:<none>"}},
		{"tag", colTag, false, []string{"Zeta:1", "alpha:10", "alpha:2", "<none>:<none>"}},
		{"newest first", colCreated, true, []string{"alpha:10", "alpha:2", "<none>:<none>", "Zeta:1"}},
		{"oldest first", colCreated, false, []string{"Zeta:1", "<none>:<none>", "alpha:10", "alpha:2"}},
		{"largest first", colSize, true, []string{"<none>:<none>", "Zeta:1", "alpha:10", "alpha:2"}},
		{"by ID", colID, false, []string{"alpha:10", "alpha:2", "<none>:<none>", "Zeta:1"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rs := slices.Clone(rows)
			sortImageRows(rs, tc.col, tc.desc)
			if got := names(rs); !slices.Equal(got, tc.want) {
				t.Errorf("order = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestFilterImageRows(t *testing.T) {
	rows := imageRows([]image.Summary{
		img("ab12", 0, 1, "busybox:latest", "busybox:1.36"),
		img("cd34", 0, 1, "127.0.0.1:5000/big:latest"),
		img("ef56", 0, 1),
	})
	tests := []struct {
		q    string
		want int
	}{
		{"", 4},
		{"busy", 2},
		{"BUSY", 2},
		{"1.36", 1},
		{"latest", 2},
		{"busybox:l", 1},
		{"5000", 1},
		{"cd34", 1},
		{"sha256:ef", 1},
		{"none", 1},
		{"nothing-like-this", 0},
	}
	for _, tc := range tests {
		t.Run(tc.q, func(t *testing.T) {
			if got := len(filterImageRows(rows, tc.q)); got != tc.want {
				t.Errorf("filter %q kept %d rows, want %d", tc.q, got, tc.want)
			}
		})
	}
}

func TestImageTableRows(t *testing.T) {
	rows := imageTableRows(imageRows([]image.Summary{img("0123456789abcdef", 72*time.Hour, 4_270_000, "busybox:latest"), img("f0", time.Hour, 1)}), testNow)
	want := []string{"busybox", "latest", "0123456789ab", "3 days ago", "4.27MB"}
	if !slices.Equal(rows[0].Cells, want) {
		t.Errorf("cells = %q, want %q", rows[0].Cells, want)
	}
	if rows[0].Dim[0] || rows[0].Dim[1] || !rows[1].Dim[0] || !rows[1].Dim[1] {
		t.Errorf("only <none> cells should be dim: %v %v", rows[0].Dim, rows[1].Dim)
	}
	if rows[0].Key == rows[1].Key {
		t.Error("rows share a key")
	}
}
