// Command keylat measures how long a key typed into a tmux pane takes to
// come back as that pane's output, as the terminal (tmux) receives it: the
// key is sent with send-keys and the pane's output is followed through
// pipe-pane, so no screen polling is counted. bench/terminal.sh runs it on
// a berth pane and on a tmux pane side by side.
//
//	go run ./bench/keylat -L SOCKET -t TARGET [-n 30]
//
// The pane must show a shell prompt that echoes what is typed; every 20
// keys the line is cleared with C-u. It prints the median and the times.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/charmbracelet/x/ansi"
)

func main() {
	sock := flag.String("L", "", "tmux socket name (tmux -L)")
	target := flag.String("t", "", "the pane (tmux -t)")
	n := flag.Int("n", 30, "keys to type, ten a second")
	flag.Parse()
	if err := run(*sock, *target, *n); err != nil {
		fmt.Fprintln(os.Stderr, "keylat:", err)
		os.Exit(1)
	}
}

func run(sock, target string, n int) error {
	tmux := func(args ...string) error {
		out, err := exec.Command("tmux", append([]string{"-L", sock}, args...)...).CombinedOutput()
		if err != nil {
			return fmt.Errorf("tmux %s: %v: %s", strings.Join(args, " "), err, out)
		}
		return nil
	}
	dir, err := os.MkdirTemp("", "keylat")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	fifo := filepath.Join(dir, "out")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		return err
	}
	if err := tmux("pipe-pane", "-O", "-t", target, "cat > "+fifo); err != nil {
		return err
	}
	defer tmux("pipe-pane", "-t", target) // stops the pipe
	f, err := os.Open(fifo)
	if err != nil {
		return err
	}
	defer f.Close()
	out := make(chan []byte, 256)
	go func() {
		defer close(out)
		buf := make([]byte, 64<<10)
		for {
			k, err := f.Read(buf)
			if k > 0 {
				out <- bytes.Clone(buf[:k])
			}
			if err != nil {
				return
			}
		}
	}()

	var lat []time.Duration
	typed := 0
	for i := range n {
		c := string(rune('a' + i%26))
		time.Sleep(100 * time.Millisecond)
		drain(out)
		t0 := time.Now()
		if err := tmux("send-keys", "-t", target, "-l", c); err != nil {
			return err
		}
		var got []byte
		for !strings.Contains(ansi.Strip(string(got)), c) {
			select {
			case b, ok := <-out:
				if !ok {
					return fmt.Errorf("the pane's output ended")
				}
				got = append(got, b...)
			case <-time.After(5 * time.Second):
				return fmt.Errorf("no echo of %q in 5 s", c)
			}
		}
		lat = append(lat, time.Since(t0))
		if typed++; typed == 20 {
			if err := tmux("send-keys", "-t", target, "C-u"); err != nil {
				return err
			}
			typed = 0
		}
	}
	sorted := slices.Clone(lat)
	slices.Sort(sorted)
	fmt.Printf("median %.1f ms (%d keys; min %.1f, max %.1f)\n", ms(sorted[(len(sorted)-1)/2]), len(lat), ms(sorted[0]), ms(sorted[len(sorted)-1]))
	return nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// drain drops the output that came before the key.
func drain(out <-chan []byte) {
	for {
		select {
		case <-out:
		default:
			return
		}
	}
}
