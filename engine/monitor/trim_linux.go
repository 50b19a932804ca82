package monitor

import (
	"bufio"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// trimMappedFiles lowers the monitor's resident set to the pages it uses.
//
// The monitor runs from the engine's binary, which is large; the kernel maps
// file pages around each fault (fault-around, and whole large folios of the
// page cache), so after start-up nearly all of the binary's text and
// read-only data counts in the monitor's RSS although it runs a small part
// of it. For each read-only mapping of a file that holds no private
// (copied-on-write) page, this asks for page-by-page faults from now on
// (MADV_RANDOM) and drops the mapping's pages from the page tables
// (MADV_DONTNEED): they stay in the page cache, shared with every other
// process of the same binary, and the pages still in use come back at the
// cost of a minor fault. Mappings with private pages (relocations: RELRO)
// are left alone, since dropping those would lose data.
func trimMappedFiles() {
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		return
	}
	defer f.Close()
	type mapping struct {
		start, end uintptr
		ok         bool
	}
	var cur mapping
	flush := func() {
		if cur.ok && cur.end > cur.start {
			unix.Syscall(unix.SYS_MADVISE, cur.start, cur.end-cur.start, unix.MADV_RANDOM)
			unix.Syscall(unix.SYS_MADVISE, cur.start, cur.end-cur.start, unix.MADV_DONTNEED)
		}
		cur = mapping{}
	}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		if key := fields[0]; strings.HasSuffix(key, ":") {
			// A counter of the current mapping: any private or anonymous
			// page rules it out.
			if (key == "Private_Dirty:" || key == "Anonymous:") && len(fields) > 1 && fields[1] != "0" {
				cur.ok = false
			}
			continue
		}
		flush()
		// "start-end perms offset dev inode path"
		if len(fields) < 6 || !strings.HasPrefix(fields[5], "/") || strings.Contains(fields[1], "w") {
			continue
		}
		lo, hi, found := strings.Cut(fields[0], "-")
		s, err1 := strconv.ParseUint(lo, 16, 64)
		e, err2 := strconv.ParseUint(hi, 16, 64)
		if !found || err1 != nil || err2 != nil {
			continue
		}
		cur = mapping{start: uintptr(s), end: uintptr(e), ok: true}
	}
	flush()
}
