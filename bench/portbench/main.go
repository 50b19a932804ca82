// Command portbench measures a published port against the container's own
// address: the time of many small HTTP requests to each (alternating, a
// new connection each, as busybox httpd closes it), and the bulk TCP
// throughput of a large file fetched through each. bench/ports.sh starts
// the container and runs it.
//
//	portbench -published 127.0.0.1:18080 -direct 10.210.0.2:80 -n 2000 -bulk /big -bulk-count 20
package main

import (
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"sort"
	"time"
)

func main() {
	published := flag.String("published", "", "host:port of the published port")
	direct := flag.String("direct", "", "the container's address:port")
	n := flag.Int("n", 2000, "small requests to each address")
	small := flag.String("small", "/index.html", "path of the small file")
	bulk := flag.String("bulk", "", "path of the large file (none: no throughput run)")
	bulkCount := flag.Int("bulk-count", 20, "fetches of the large file per address")
	flag.Parse()
	if *published == "" || *direct == "" {
		fmt.Fprintln(os.Stderr, "portbench: -published and -direct are needed")
		os.Exit(2)
	}
	// No keep-alive: each request is a connection of its own through the
	// rules (busybox httpd would close it anyway).
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true,
		DialContext: (&net.Dialer{}).DialContext}}
	buf := make([]byte, 1<<20) // large reads: few system calls per byte
	get := func(addr, path string) (int64, error) {
		resp, err := client.Get("http://" + addr + path)
		if err != nil {
			return 0, err
		}
		defer resp.Body.Close()
		if resp.StatusCode != 200 {
			return 0, fmt.Errorf("GET %s%s: %s", addr, path, resp.Status)
		}
		var n int64
		for {
			k, err := resp.Body.Read(buf)
			n += int64(k)
			if err == io.EOF {
				return n, nil
			}
			if err != nil {
				return n, err
			}
		}
	}
	addrs := []string{*published, *direct}
	times := [2][]time.Duration{}
	for i := 0; i < *n+50; i++ { // the first 50 of each warm up
		for k := range addrs {
			k = (k + i) % 2 // alternate which goes first
			start := time.Now()
			if _, err := get(addrs[k], *small); err != nil {
				fmt.Fprintln(os.Stderr, "portbench:", err)
				os.Exit(1)
			}
			if i >= 50 {
				times[k] = append(times[k], time.Since(start))
			}
		}
	}
	fmt.Println("| small HTTP requests | address | p10 ms | median ms | p90 ms |")
	fmt.Println("|---|---|---|---|---|")
	var med [2]time.Duration
	for k, name := range []string{"published " + *published, "direct " + *direct} {
		t := times[k]
		sort.Slice(t, func(i, j int) bool { return t[i] < t[j] })
		med[k] = t[len(t)/2]
		fmt.Printf("| %d | %s | %.3f | %.3f | %.3f |\n", len(t), name, ms(t[len(t)/10]), ms(med[k]), ms(t[len(t)*9/10]))
	}
	fmt.Printf("added by the published port, medians: %.3f ms\n", ms(med[0]-med[1]))
	if *bulk == "" {
		return
	}
	// Fetches alternate between the two addresses, so that whatever else
	// the machine does weighs on both alike.
	var total [2]int64
	var spent [2]time.Duration
	for i := 0; i < *bulkCount; i++ {
		for k := range addrs {
			k = (k + i) % 2
			start := time.Now()
			got, err := get(addrs[k], *bulk)
			if err != nil {
				fmt.Fprintln(os.Stderr, "portbench:", err)
				os.Exit(1)
			}
			spent[k] += time.Since(start)
			total[k] += got
		}
	}
	fmt.Println("| bulk TCP | address | bytes | GB/s |")
	fmt.Println("|---|---|---|---|")
	for k, name := range []string{"published " + *published, "direct " + *direct} {
		fmt.Printf("| %d fetches | %s | %d | %.2f |\n", *bulkCount, name, total[k], float64(total[k])/spent[k].Seconds()/1e9)
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
