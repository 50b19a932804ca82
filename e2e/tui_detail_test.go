package e2e

import (
	"net"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The detail tabs of a real running container: Stats shows the memory it
// uses and the bytes of connections to its published port, Env the variable set with -e, Top its process, Mounts/Ports its
// volume and published port, Inspect finds the variable by search; the
// tabs close when the user goes back to the list.
func TestTUIDetailTabs(t *testing.T) {
	b, bb := withBusybox(t)
	b.ok("run", "-d", "--name", "web", "-e", "GREETING=hello-detail", "-p", "127.0.0.1::80",
		"-v", "webdata:/data", bb, "sleep", "301")
	tm := startTUI(t, b, 120, 30)
	tm.waitFor(10*time.Second, "Containers (1)", "web", "Up ")

	tm.keys("v")
	tm.waitFor(5*time.Second, "1 Logs  2 Stats  3 Inspect  4 Env  5 Top  6 Mounts/Ports")

	// Stats: the memory of the container, read once a second.
	tm.keys("2")
	screen := tm.waitFor(10*time.Second, "CPU", "Memory", "Net received", "Block written", "readings")
	mem := regexp.MustCompile(`Memory ([0-9.]+)(B|KiB|MiB|GiB)`)
	eventually(t, 10*time.Second, "a memory figure above zero", func() bool {
		screen = tm.screen()
		m := mem.FindStringSubmatch(screen)
		if m == nil {
			return false
		}
		v, err := strconv.ParseFloat(m[1], 64)
		return err == nil && v > 0
	})
	// Readings go on while the tab is open.
	readings := regexp.MustCompile(`(\d+) readings?`)
	count := func() int {
		m := readings.FindStringSubmatch(tm.screen())
		if m == nil {
			return -1
		}
		n, _ := strconv.Atoi(m[1])
		return n
	}
	n0 := count()
	eventually(t, 10*time.Second, "more readings", func() bool { return count() >= n0+2 })

	// Network: connections to the published port reach the container
	// (nothing listens: it answers each with a reset), so it receives and
	// sends bytes; the graphs' peaks show them.
	hostPort := strings.TrimSpace(b.ok("port", "web", "80/tcp"))
	for range 20 {
		if c, err := net.DialTimeout("tcp", hostPort, time.Second); err == nil {
			c.Close()
		}
		time.Sleep(50 * time.Millisecond)
	}
	peak := regexp.MustCompile(`Net received [^ ]+ +peak ([0-9.]+)(B|KiB|MiB)/s`)
	eventually(t, 10*time.Second, "bytes received on the container's network", func() bool {
		m := peak.FindStringSubmatch(tm.screen())
		if m == nil {
			return false
		}
		v, _ := strconv.ParseFloat(m[1], 64)
		return v > 0
	})

	// Env: the variable given with -e, sorted among the image's.
	tm.keys("4")
	screen = tm.waitFor(5*time.Second, "GREETING", "hello-detail", "PATH")
	if strings.Index(screen, "GREETING") > strings.Index(screen, "PATH") {
		t.Errorf("env not sorted:\n%s", screen)
	}

	// Top: the container's process.
	tm.keys("5")
	tm.waitFor(10*time.Second, "PID", "PPID", "sleep 301")

	// Mounts/Ports: the named volume and the published port.
	tm.keys("6")
	tm.waitFor(5*time.Second, "volume", "webdata", "/data", "127.0.0.1:", "80/tcp")

	// Inspect: search for the variable.
	tm.keys("3")
	tm.waitFor(5*time.Second, `"Id": `)
	tm.keys("/")
	tm.text("hello-detail")
	tm.keys("Enter")
	tm.waitFor(5*time.Second, "match 1/1", "GREETING=hello-detail")

	// Back to the list: Escape clears the search, then leaves the area; q
	// in the area went back rather than quit.
	tm.keys("Escape")
	time.Sleep(100 * time.Millisecond) // alone: Escape then q at once reads as alt+q
	tm.keys("q")
	tm.waitFor(5*time.Second, "Containers (1)")
	if !tm.alive() {
		t.Fatal("q in the detail area quit berth")
	}
	tm.stop()
}
