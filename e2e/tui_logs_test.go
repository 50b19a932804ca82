package e2e

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// bigLog runs a container that writes the numbers 1 to n, one a line, and
// keeps running; it returns when all of them are in its log.
func bigLog(t *testing.T, b *berth, image, name string, n int) {
	t.Helper()
	b.ok("run", "-d", "--name", name, image, "sh", "-c", "seq 1 "+strconv.Itoa(n)+"; exec sleep 600")
	last := strconv.Itoa(n) + "\n"
	eventually(t, 60*time.Second, "the container's "+strconv.Itoa(n)+" lines", func() bool {
		out, _, _ := b.run("logs", "--tail", "1", name)
		return out == last
	})
}

// logRow is the screen's log row whose text is exactly s, or "".
func logRow(screen, s string) string {
	for _, l := range strings.Split(screen, "\n") {
		if strings.TrimSpace(strings.Trim(strings.TrimSpace(l), "│")) == s {
			return l
		}
	}
	return ""
}

// sgrBefore are the SGR sequences right before the first text in line
// (with its escapes) that is s once stripped of them.
var sgrRun = regexp.MustCompile(`((?:\x1b\[[0-9;:]*m)+)`)

// hasBackground reports whether the escapes right before text in line set
// a background colour (the search's highlight does; plain lines do not).
func hasBackground(line, text string) bool {
	i := strings.Index(line, text)
	if i < 0 {
		return false
	}
	runs := sgrRun.FindAllStringIndex(line[:i], -1)
	if len(runs) == 0 || runs[len(runs)-1][1] != i {
		return false
	}
	for _, p := range strings.FieldsFunc(line[runs[len(runs)-1][0]:i], func(r rune) bool { return r == ';' || r == ':' || r == 'm' || r == '[' || r == '\x1b' }) {
		if n, err := strconv.Atoi(p); err == nil && (n == 48 || n >= 40 && n <= 47 || n >= 100 && n <= 107) {
			return true
		}
	}
	return false
}

// The log view of a container that wrote 200,000 lines: the whole log is
// there (top and bottom), a search finds a line in the middle and
// highlights it, and S saves the whole log to a file.
func TestTUILogs(t *testing.T) {
	b, bb := withBusybox(t)
	const n = 200000
	bigLog(t, b, bb, "biglog", n)

	tm := startTUI(t, b, 120, 40)
	tm.waitFor(10*time.Second, "Containers (1)", "biglog")
	tm.keys("l")
	screen := tm.waitFor(10*time.Second, "─ biglog ─", "lines", "following", "of 200,000 lines")
	if logRow(screen, "200000") == "" {
		t.Fatalf("the last line is not on screen:\n%s", screen)
	}

	// The top: line 1, not the last 500.
	tm.keys("g")
	screen = tm.waitFor(10*time.Second, "paused", "1–")
	eventually(t, 10*time.Second, "line 1 on screen", func() bool { return logRow(tm.screen(), "1") != "" })
	if logRow(tm.screen(), "199999") != "" {
		t.Errorf("the end still shows after g:\n%s", screen)
	}
	// The bottom again, following.
	tm.keys("G")
	tm.waitFor(10*time.Second, "following")
	eventually(t, 10*time.Second, "the last line on screen", func() bool { return logRow(tm.screen(), "200000") != "" })

	// Search a line in the middle: the view goes there and highlights it.
	tm.keys("/")
	tm.text("100000")
	tm.waitFor(5*time.Second, "/100000")
	tm.keys("Enter")
	eventually(t, 20*time.Second, "line 100000 on screen", func() bool { return logRow(tm.screen(), "100000") != "" })
	tm.waitFor(5*time.Second, "line 100,000 of 200,000")
	raw := tm.run("capture-pane", "-p", "-e", "-t", "tui")
	var hit, plain string
	for _, l := range strings.Split(raw, "\n") {
		stripped := regexp.MustCompile(`\x1b\[[0-9;:?]*[a-zA-Z]`).ReplaceAllString(l, "")
		switch strings.TrimSpace(strings.Trim(strings.TrimSpace(stripped), "│")) {
		case "100000":
			hit = l
		case "100001":
			plain = l
		}
	}
	if !hasBackground(hit, "100000") {
		t.Errorf("the match is not highlighted: %q", hit)
	}
	if hasBackground(plain, "100001") {
		t.Errorf("a line that does not match is highlighted: %q", plain)
	}
	tm.keys("Escape") // clears the search
	eventually(t, 5*time.Second, "the search to clear", func() bool { return !strings.Contains(tm.screen(), "/100000") })

	// Save the whole log.
	out := filepath.Join(t.TempDir(), "biglog.log")
	tm.keys("S")
	tm.waitFor(5*time.Second, "Save to: ./biglog.log")
	tm.keys("C-u")
	tm.text(out)
	tm.keys("Enter")
	tm.waitFor(20*time.Second, "Saved 200,000 lines of biglog to")
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	i := 0
	for sc.Scan() {
		i++
		if sc.Text() != strconv.Itoa(i) {
			t.Fatalf("line %d of the saved log is %q", i, sc.Text())
		}
	}
	if i != n {
		t.Errorf("the saved log has %d lines, want %d", i, n)
	}
	if st, err := os.Stat(out); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("the saved log's mode: %v, %v", st.Mode(), err)
	}

	// A path that cannot be written: the error names it and the fix.
	tm.keys("S", "C-u")
	tm.text("/nonexistent-dir/x.log")
	tm.keys("Enter")
	tm.waitFor(10*time.Second, "cannot save the log to /nonexistent-dir/x.log: its directory does not exist")

	tm.keys("q")
	tm.waitFor(5*time.Second, "Containers (1)")
	tm.keys("q")
	eventually(t, 5*time.Second, "berth to quit", func() bool { return !tm.alive() })
}

// A container that exited: its log view says ended; the program's colours
// reach the terminal (c strips them), and its other escapes never do.
func TestTUILogsEndedAndColours(t *testing.T) {
	b, bb := withBusybox(t)
	b.ok("run", "--name", "colours", bb, "sh", "-c",
		`printf '\033[31mred\033[0m plain\n'; printf '\033]0;evil title\007title gone\033[2J\n'; echo bye`)
	tm := startTUI(t, b, 120, 30)
	tm.waitFor(10*time.Second, "Containers (1)", "colours")
	tm.keys("l")
	tm.waitFor(10*time.Second, "─ colours ─", "lines", "ended", "3 of 3 lines", "red plain", "title gone", "bye")
	raw := tm.run("capture-pane", "-p", "-e", "-t", "tui")
	if !regexp.MustCompile(`\x1b\[[0-9;]*\b31m(\x1b\[[0-9;]*m)*red`).MatchString(raw) {
		t.Errorf("the program's red is not on screen: %q", lineOf(raw, "red"))
	}
	if strings.Contains(tm.screen(), "evil") {
		t.Errorf("an OSC title reached the screen:\n%s", tm.screen())
	}
	tm.keys("c")
	eventually(t, 5*time.Second, "the colours to go", func() bool {
		raw := tm.run("capture-pane", "-p", "-e", "-t", "tui")
		return !regexp.MustCompile(`\b31m(\x1b\[[0-9;]*m)*red`).MatchString(raw)
	})
	tm.keys("q")
	tm.waitFor(5*time.Second, "Containers (1)")
	tm.keys("q")
	eventually(t, 5*time.Second, "berth to quit", func() bool { return !tm.alive() })
}
