// Command testreg serves berth's test images from a registry on 127.0.0.1,
// for trying berth by hand, the screenshot script and benchmarks:
//
//	go run ./internal/testreg -addr 127.0.0.1:5055 [-pidfile FILE]
//
// It holds busybox (from Debian's busybox-static), big (busybox plus 5 layers
// of 40 MB random data, the benchmark image) and app:1 (busybox plus a small
// layer), in memory. It stops on SIGTERM or SIGINT.
package main

import (
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/google/go-containerregistry/pkg/registry"

	"berth/internal/testimage"
)

// fatal makes testimage's helpers usable outside a test.
type fatal struct{}

func (fatal) Helper()        {}
func (fatal) Cleanup(func()) {}
func (fatal) Fatalf(f string, a ...any) {
	fmt.Fprintf(os.Stderr, "testreg: "+f+"\n", a...)
	os.Exit(1)
}

func main() {
	addr := flag.String("addr", "127.0.0.1:5055", "listen address (loopback only)")
	pidFile := flag.String("pidfile", "", "write the pid here")
	bigLayers := flag.Int("big-layers", 5, "random layers of the big image")
	rate := flag.Int64("rate", 0, "serve blobs at most this many bytes per second per request (0: no limit)")
	flag.Parse()
	host, _, err := net.SplitHostPort(*addr)
	if err != nil || !net.ParseIP(host).IsLoopback() {
		fatal{}.Fatalf("-addr must be a loopback address, got %q", *addr)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fatal{}.Fatalf("%v", err)
	}
	var h http.Handler = registry.New()
	if *rate > 0 {
		h = throttle(h, *rate)
	}
	srv := &http.Server{Handler: h}
	go srv.Serve(ln)

	t := fatal{}
	testimage.Push(t, *addr, "busybox:latest", testimage.Busybox(t))
	testimage.Push(t, *addr, "app:1", testimage.Image(t, testimage.BusyboxConfig,
		testimage.Layer(t, testimage.BusyboxLayer(t)),
		testimage.Layer(t, testimage.RandomTar(42, 3_000_000))))
	testimage.Push(t, *addr, "big:latest", testimage.Big(t, *bigLayers, 40_000_000))
	testimage.Push(t, *addr, "tool:1", testimage.Wasteful(t))
	if *pidFile != "" {
		os.WriteFile(*pidFile, []byte(fmt.Sprintln(os.Getpid())), 0o644)
	}
	fmt.Printf("testreg: serving busybox, app:1, big and tool:1 on %s\n", *addr)

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	<-sig
	srv.Close()
}

// throttle slows every response down to rate bytes per second, so a pull
// lasts long enough to watch (and to capture for the screenshots).
func throttle(h http.Handler, rate int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(&slowWriter{ResponseWriter: w, rate: rate}, r)
	})
}

type slowWriter struct {
	http.ResponseWriter
	rate int64
}

func (s *slowWriter) Write(p []byte) (int, error) {
	const chunk = 32 << 10
	n := 0
	for len(p) > 0 {
		c := min(len(p), chunk)
		m, err := s.ResponseWriter.Write(p[:c])
		n += m
		if err != nil {
			return n, err
		}
		time.Sleep(time.Duration(int64(c) * int64(time.Second) / s.rate))
		p = p[c:]
	}
	return n, nil
}
