package views

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"berth/themes"
)

// openBigLog opens the log view of web, whose log has n numbered lines.
func openBigLog(t *testing.T, n, w, hgt int) (*harness, *fakeHistory) {
	t.Helper()
	h, le := newLogsHarness(t, w, hgt)
	log := le.log(hexID("a1"))
	log.numbered(0, n)
	h.selectRow("web")
	h.keys("l")
	h.waitScreen("─ web ─", "lines", "line "+itoa(n-1), "following")
	return h, log
}

// rawLineWith is the first line of the screen, with its escapes, that
// has s once they are stripped.
func (h *harness) rawLineWith(s string) string {
	for _, l := range strings.Split(h.app.View().Content, "\n") {
		if strings.Contains(ansi.Strip(l), s) {
			return l
		}
	}
	return ""
}

// eventually waits for cond, which no message of the app makes true.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for start := time.Now(); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Since(start) > 3*time.Second {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// waitStatus waits for the status bar to say want.
func (h *harness) waitStatus(want string) {
	h.t.Helper()
	h.waitFor("status "+want, func() bool { return strings.Contains(h.status(), want) })
}

// TestLogsWholeHistory: the view opens at the end of 200,000 lines, goes
// to the top and back, pages, and holds only a window of them.
func TestLogsWholeHistory(t *testing.T) {
	h, log := openBigLog(t, 200000, 80, 24)
	v := h.logsView()
	rows := v.bodyH() // lines on screen
	h.waitScreen("following · " + commas(200001-rows) + "–200,000 of 200,000 lines")
	if strings.Contains(h.screen(), "line 199979") {
		t.Errorf("more than the last screen shown:\n%s", h.screen())
	}
	h.keys("g")
	h.waitScreen("line 0", "line "+itoa(rows-1), "paused · G follows · 1–"+itoa(rows)+" of 200,000 lines")
	if v.follow {
		t.Error("g left following on")
	}
	h.keys("pgdown")
	h.waitScreen("line "+itoa(rows-1), "line "+itoa(2*rows-2), itoa(rows)+"–"+itoa(2*rows-1)+" of") // a page less a line
	h.keys("pgup", "j", "j")
	h.waitScreen("line 2", "3–"+itoa(rows+2)+" of")
	h.keys("ctrl+d")
	h.waitScreen(itoa(3+rows/2) + "–" + itoa(2+rows+rows/2) + " of")
	h.keys("G")
	h.waitScreen("line 199999", "following")
	if n := len(v.win.lines); n > v.holdMax() || n == 0 {
		t.Errorf("%d entries held, want at most %d", n, v.holdMax())
	}
	if _, _, maxRead := log.stats(); maxRead > v.holdMax() {
		t.Errorf("a read of %d entries, more than the %d held", maxRead, v.holdMax())
	}

	// New lines while following show; scrolling up stops following and
	// new lines no longer move the screen; G resumes; f toggles.
	log.numbered(200000, 3)
	h.waitScreen("line 200002", "of 200,003 lines", "following")
	h.keys("k")
	h.waitScreen("paused · G follows")
	log.numbered(200003, 1)
	h.waitScreen("of 200,004 lines")
	if strings.Contains(h.screen(), "line 200003") {
		t.Errorf("the view moved while not following:\n%s", h.screen())
	}
	h.keys("G")
	h.waitScreen("line 200003", "following")
	h.keys("f")
	h.waitScreen("paused · G follows")
	h.keys("f")
	h.waitScreen("following")
	if strings.Contains(v.Info(), "ended") {
		t.Error("ended before the container's log ended")
	}
	log.setEnded(true)
	h.waitScreen("ended · ")
}

// TestLogsSearch: / takes the keys typed (2 does not switch panes), finds
// a line in the middle of the whole log and highlights it, n and N go to
// the next and previous match across the log (wrapping around), Esc clears
// the search, and a second Esc closes the view.
func TestLogsSearch(t *testing.T) {
	h, _ := openBigLog(t, 200000, 80, 24)
	v := h.logsView()
	h.keys("/")
	if !h.app.panes[h.app.active].Capturing() {
		t.Fatal("the pane does not report capturing while the search is typed")
	}
	h.typeText("line 123456")
	h.waitScreen("/line 123456")
	if h.app.active != paneContainers {
		t.Fatal("keys typed in the search switched panes")
	}
	h.keys("enter")
	h.waitScreen("│ line 123456 ")
	h.waitStatus("/line 123456: line 123,457 of 200,000")
	st := themes.New(themes.Dark())
	if row := h.rawLineWith("│ line 123456 "); !strings.Contains(row, st.Log.Current.Render("line 123456")) {
		t.Errorf("the match is not highlighted:\n%q", row)
	}
	// Matches further on: line 123456 is the only one; n wraps around to it.
	h.keys("n")
	h.waitStatus("/line 123456: line 123,457 of 200,000 (wrapped around)")

	// Case is ignored for a pattern without capitals; N goes back.
	h.keys("/")
	h.keys("ctrl+u") // clears the box
	h.typeText("LINE 1999")
	h.keys("enter")
	h.waitScreen("/LINE 1999 not found")
	h.waitStatus("/LINE 1999: not in the log")
	h.keys("g", "/", "ctrl+u") // from the top
	h.typeText("ne 1999")
	h.keys("enter")
	h.waitScreen("│ line 1999 ")
	h.waitStatus("/ne 1999: line 2,000 of 200,000")
	h.keys("n")
	h.waitScreen("│ line 19990 ")
	h.waitStatus("/ne 1999: line 19,991 of")
	h.keys("N")
	h.waitStatus("/ne 1999: line 2,000 of")
	h.keys("N")
	h.waitScreen("│ line 199999 ")
	h.waitStatus("/ne 1999: line 200,000 of 200,000 (wrapped around)")
	other := st.Log.Match.Render("ne 1999") // line 199990 and others

	if !strings.Contains(h.app.View().Content, other) {
		t.Errorf("other matches on screen are not highlighted")
	}
	h.keys("esc")
	h.waitFor("the search cleared", func() bool { return v.search.pat == "" && !strings.Contains(v.Info(), "/") })
	if strings.Contains(h.app.View().Content, other) {
		t.Error("highlights stay after Esc")
	}
	h.keys("esc")
	h.waitScreen("Containers (6)")

	// Esc while typing cancels the search, and the view stays.
	h.keys("l", "/")
	h.typeText("q")
	h.keys("esc")
	h.waitScreen("─ web ─", "lines", "following")
	if h.quit {
		t.Fatal("q typed in the search quit")
	}
}

func TestLogsShowSinceAndTail(t *testing.T) {
	h, _ := openBigLog(t, 5000, 80, 24)
	h.keys("s")
	h.waitScreen("Show: all")
	h.keys("ctrl+u")
	h.typeText("tail 100")
	h.keys("enter")
	rows := h.logsView().bodyH()
	h.waitScreen("tail 100", itoa(101-rows)+"–100 of 100 lines")
	h.keys("g")
	h.waitScreen("line 4900", "1–"+itoa(rows)+" of 100 lines")
	if strings.Contains(h.screen(), "line 4899") {
		t.Errorf("a line before the tail shown:\n%s", h.screen())
	}
	// Lines 4990-4999 were written in the last 10 s (a line a second
	// from testNow, and now is line 5000's time).
	h.now = testNow.Add(5000 * time.Second)
	h.keys("s", "ctrl+u")
	h.typeText("since 10s")
	h.keys("enter")
	h.waitScreen("since 10s", "1–10 of 10 lines", "line 4990")
	h.keys("s", "ctrl+u")
	h.typeText("yesterday")
	h.keys("enter")
	h.waitScreen(`"yesterday": type all, tail 1000, since 10m`)
	h.keys("ctrl+u")
	h.typeText("all")
	h.keys("enter")
	h.waitScreen("of 5,000 lines")
}

func TestLogsSave(t *testing.T) {
	h, le := newLogsHarness(t, 100, 24)
	log := le.log(hexID("a1"))
	log.write("stdout", testNow, "plain", "\x1b[31mred\x1b[0m and \x1b]0;title\x07clean")
	log.write("stderr", testNow.Add(time.Second), "oops")
	h.selectRow("web")
	h.keys("l")
	h.waitScreen("oops")
	dir := t.TempDir()
	h.keys("S")
	h.waitScreen("Save to: ./web.log")
	h.keys("ctrl+u")
	h.typeText(filepath.Join(dir, "web.log"))
	h.keys("enter")
	h.waitFor("the saved status", func() bool {
		return strings.Contains(h.status(), "Saved 3 lines of web to "+filepath.Join(dir, "web.log"))
	})
	b, err := os.ReadFile(filepath.Join(dir, "web.log"))
	if err != nil || string(b) != "plain\n\x1b[31mred\x1b[0m and clean\x1b[m\noops\n" {
		t.Errorf("saved %q, %v", b, err)
	}
	// Without colours, with timestamps.
	h.keys("c", "t", "S", "ctrl+u")
	h.typeText(filepath.Join(dir, "plain.log"))
	h.keys("enter")
	h.waitFor("the second save", func() bool { return strings.Contains(h.status(), "plain.log") })
	b, _ = os.ReadFile(filepath.Join(dir, "plain.log"))
	want := "2025-06-01T12:00:00.000000000Z plain\n2025-06-01T12:00:00.000000000Z red and clean\n2025-06-01T12:00:01.000000000Z oops\n"
	if string(b) != want {
		t.Errorf("saved %q, want %q", b, want)
	}
	// A directory that does not exist: the error names the path and the fix.
	h.keys("S", "ctrl+u")
	h.typeText(filepath.Join(dir, "nosuch", "x.log"))
	h.keys("enter")
	h.waitFor("the error", func() bool {
		return strings.Contains(h.status(), "cannot save the log to "+filepath.Join(dir, "nosuch", "x.log")+": its directory does not exist")
	})
}

// TestLogsWrapTimestampsColours: w wraps a long line onto rows, t shows
// timestamps, c keeps or strips the program's colours.
func TestLogsWrapTimestampsColours(t *testing.T) {
	h, le := newLogsHarness(t, 80, 24)
	log := le.log(hexID("a1"))
	long := strings.Repeat("abcdefghij", 15) + "END"
	log.write("stdout", testNow, "\x1b[32mgreen\x1b[0m text", long)
	h.selectRow("web")
	h.keys("l")
	h.waitScreen("green text")
	if strings.Contains(h.screen(), "END") {
		t.Errorf("a long line shown whole without wrap")
	}
	h.keys("w")
	h.waitScreen("END", "wrap")
	h.keys("t")
	h.waitScreen("2025-06-01T12:00:00.000Z green text")
	if !strings.Contains(h.app.View().Content, "\x1b[32mgreen") {
		t.Error("the program's colours are not kept")
	}
	h.keys("c")
	h.waitFor("colours stripped", func() bool { return !strings.Contains(h.app.View().Content, "\x1b[32mgreen") })
	h.keys("w", "right")
	h.waitScreen("hij")
}

func TestLogsEmptyAndErrors(t *testing.T) {
	h, le := newLogsHarness(t, 80, 24)
	h.selectRow("web")
	h.keys("l")
	h.waitScreen("No output yet.", "following", "0 lines")
	le.log(hexID("a1")).setEnded(true)
	h.waitScreen("No output.", "ended")
	h.keys("q")
	h.waitScreen("Containers (6)")
	if h.quit {
		t.Fatal("q in the log view quit")
	}
	le.openErr = errors.New("container web not found")
	h.keys("l")
	h.waitScreen("container web not found", "failed")
}

// TestLogsClose: closing the view closes the history, and opening it
// again opens it again.
func TestLogsClose(t *testing.T) {
	h, log := openBigLog(t, 100, 80, 24)
	h.keys("esc")
	h.waitScreen("Containers (6)")
	eventually(t, "the history closed", func() bool { o, c, _ := log.stats(); return o == 1 && c == 1 })
	h.keys("l")
	h.waitScreen("line 99")
	h.keys("q")
	eventually(t, "the second closed", func() bool { o, c, _ := log.stats(); return o == 2 && c == 2 })
}

func TestLogsNeverOverflow(t *testing.T) {
	h, le := newLogsHarness(t, 120, 40)
	log := le.log(hexID("a1"))
	log.write("stderr", testNow, strings.Repeat("a very long line of output ", 20), "wide 😀✓ é\ttab")
	log.numbered(0, 50)
	h.selectRow("web")
	h.keys("l")
	h.waitScreen("line 49")
	for _, sz := range [][2]int{{80, 24}, {100, 30}, {200, 60}, {60, 15}, {30, 8}, {80, 24}} {
		h.send(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]}) // checkView checks every line
		h.keys("t", "w", "g", "right", "left", "?", "esc", "/")
		h.typeText("line")
		h.keys("enter", "s", "esc", "w", "t", "G")
	}
}

func TestSanitizeLog(t *testing.T) {
	tests := []struct{ in, keep, strip string }{
		{"plain\n", "plain", "plain"},
		{"\x1b[31mred\x1b[0m text\r\n", "\x1b[31mred\x1b[0m text\x1b[m", "red text"},
		{"a\tb", "a    b", "a    b"},
		{"bell\a and \x00nul\x7f", "bell and nul", "bell and nul"},
		{"\x1b[2J\x1b[Hclear \x1b[1;31;48:5:200mx", "clear \x1b[1;31;48:5:200mx\x1b[m", "clear x"},
		{"\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\ \x1b]0;t\x07done", "link done", "link done"},
		{"\x1bPq#0\x1b\\dcs \x1b(Bcharset \x1b[?25l", "dcs charset ", "dcs charset "},
		{"c1 \u009b31m and bad \xff", "c1 31m and bad \ufffd", "c1 31m and bad \ufffd"},
		{"cut \x1b[31", "cut ", "cut "},
		{"broken \x1b[3\n", "broken ", "broken "},
		{"broken \x1b[3\x01x", "broken x", "broken x"},
	}
	for _, tc := range tests {
		if got := sanitizeLog([]byte(tc.in), true); got != tc.keep {
			t.Errorf("sanitizeLog(%q, keep) = %q, want %q", tc.in, got, tc.keep)
		}
		if got := sanitizeLog([]byte(tc.in), false); got != tc.strip {
			t.Errorf("sanitizeLog(%q, strip) = %q, want %q", tc.in, got, tc.strip)
		}
	}
}

func TestParseLogShown(t *testing.T) {
	now := testNow
	tests := []struct {
		in   string
		want string
		lo   time.Time
		err  bool
	}{
		{"", "all", time.Time{}, false}, {"all", "all", time.Time{}, false},
		{"tail 1000", "tail 1,000", time.Time{}, false}, {"50", "tail 50", time.Time{}, false},
		{"since 10m", "since 10m", now.Add(-10 * time.Minute), false}, {"1h30m", "since 1h30m", now.Add(-90 * time.Minute), false},
		{"since 2025-06-01T11:00:00Z", "since 2025-06-01t11:00:00z", time.Date(2025, 6, 1, 11, 0, 0, 0, time.UTC), false},
		{"tail -1", "", time.Time{}, true}, {"tail 10m", "", time.Time{}, true}, {"since 5", "", time.Time{}, true}, {"soon", "", time.Time{}, true},
	}
	for _, tc := range tests {
		got, err := parseLogShown(tc.in, now)
		if (err != nil) != tc.err || err == nil && (got.String() != tc.want || !got.since.Equal(tc.lo)) {
			t.Errorf("parseLogShown(%q) = %s %v, %v; want %s %v", tc.in, got, got.since, err, tc.want, tc.lo)
		}
	}
}

func TestLogsGolden(t *testing.T) {
	for _, sz := range []struct {
		name string
		w, h int
	}{{"80x24", 80, 24}, {"200x60", 200, 60}} {
		t.Run(sz.name, func(t *testing.T) {
			h, le := newLogsHarness(t, sz.w, sz.h)
			log := le.log(hexID("a1"))
			at := testNow.Add(-time.Minute)
			log.write("stdout", at, "/docker-entrypoint.sh: Configuration complete; ready for start up",
				"2025/06/01 11:57:00 [notice] 1#1: nginx/1.27.0",
				"2025/06/01 11:57:00 [notice] 1#1: start worker processes")
			log.write("stderr", at.Add(72*time.Second), "2025/06/01 11:58:12 [error] 29#29: *1 open() \"/usr/share/nginx/html/favicon.ico\" failed (2: No such file or directory)")
			for i := range 40 {
				log.write("stdout", at.Add(time.Duration(73+i)*time.Second), `172.17.0.1 - - [01/Jun/2025:11:58:12 +0000] "GET /item/`+itoa(i)+` HTTP/1.1" 200 615 "-" "curl/8.5.0" "-"`)
			}
			h.selectRow("web")
			h.keys("l")
			h.waitScreen("GET /item/39")
			golden(t, h, "logs-"+sz.name)

			h.keys("g", "t", "/")
			h.typeText("worker")
			golden(t, h, "logs-search-"+sz.name)
			h.keys("enter")
			h.waitStatus("/worker: line 3 of 44")
			golden(t, h, "logs-found-"+sz.name)

			h.keys("S")
			golden(t, h, "logs-save-"+sz.name)
			h.keys("esc", "?")
			golden(t, h, "logs-help-"+sz.name)
		})
	}
}

// TestLogsConfigKeys: the config file rebinds the log view's actions
// (logs.search...); help shows the new keys, the old ones do nothing, and
// a key two of its actions would share is refused.
func TestLogsConfigKeys(t *testing.T) {
	h, le := newLogsHarness(t, 120, 40)
	err := h.app.applyKeys(parseConfig(t, `[keys]
"logs.search" = "F"
"logs.next-match" = ["ctrl+n", "n"]
`))
	if err != nil {
		t.Fatal(err)
	}
	le.log(hexID("a1")).numbered(0, 100)
	h.selectRow("web")
	h.keys("l")
	h.waitScreen("─ web ─", "lines", "line 99")
	h.keys("/")
	if h.logsView().search.typing {
		t.Fatal("/ still opens the search")
	}
	h.keys("g", "F")
	h.typeText("line 7")
	h.keys("enter")
	h.waitStatus("/line 7: line 8 of 100")
	h.keys("ctrl+n")
	h.waitStatus("/line 7: line 71 of 100")
	h.keys("?")
	for _, want := range []string{"F ", "search the whole log", "ctrl+n/n"} {
		if !strings.Contains(h.screen(), want) {
			t.Errorf("help lacks %q:\n%s", want, h.screen())
		}
	}
	err = h.app.applyKeys(parseConfig(t, `[keys]
"logs.wrap" = "t"
`))
	if err == nil || !strings.Contains(err.Error(), "logs.wrap") || !strings.Contains(err.Error(), "logs.timestamps") {
		t.Errorf("a key shared by logs.wrap and logs.timestamps: %v", err)
	}
}
