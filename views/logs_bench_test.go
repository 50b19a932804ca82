package views

import (
	"context"
	"testing"
	"time"

	"berth/themes"
	"berth/ui"
)

// benchLogsView is a log view at 200x60 holding the window at the end of
// a 200,000-line log, as it follows it.
func benchLogsView(b *testing.B, search string) *logsView {
	e := &env{Common: ui.NewCommon(themes.Dark()), ctx: context.Background(), now: func() time.Time { return testNow }}
	v := newLogsTab(e, hexID("a1"), "web")
	v.SetSize(200, 58)
	const n = 200000
	var lines []logLine
	for i := n - 300; i < n; i++ {
		text := `172.17.0.1 - - [01/Jun/2025:11:58:12 +0000] "GET /item/` + itoa(i) + ` HTTP/1.1" 200 615 "-" "curl/8.5.0" "-"`
		lines = append(lines, newLogLine(i%7 == 0, testNow, []byte("\x1b[32m"+text+"\x1b[0m\n")))
	}
	v.win.take(n-300, lines, n-58, v.holdMax())
	v.setBounds(logBounds{First: 0, End: n})
	v.timestamps = true
	if search != "" {
		v.search.pat, v.search.fold, v.search.cur = search, searchFold(search), n-10
	}
	return v
}

// BenchmarkLogsFrame: one frame of the log view at 200x60 (56 lines with
// timestamps and the program's colours), without and with a search whose
// matches are on every line.
func BenchmarkLogsFrame(b *testing.B) {
	for _, tc := range []struct{ name, search string }{{"plain", ""}, {"search", "item/19"}} {
		b.Run(tc.name, func(b *testing.B) {
			v := benchLogsView(b, tc.search)
			for b.Loop() {
				_ = v.View()
			}
		})
	}
}
