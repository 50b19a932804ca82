package store

import (
	"crypto/rand"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Owner names a live process across pid reuse: "pid:starttime", or one
// operation of a process: "pid:starttime/<random>" (see Operation).
type Owner string

// Self is the owner name of this process.
func Self() Owner { return ownerOf(os.Getpid()) }

// Operation names one operation of this process (a pull, a load): Self with
// a unique suffix. Each operation drops only its own leases when it ends, so
// two pulls in one process (the TUI) do not release each other's; all of
// them count as alive while the process runs.
func Operation() Owner { return Self() + Owner("/"+rand.Text()) }

func ownerOf(pid int) Owner {
	return Owner(fmt.Sprintf("%d:%s", pid, startTime(pid)))
}

// OwnerOf is the owner name of process pid ("pid:" if it is gone).
func OwnerOf(pid int) Owner { return ownerOf(pid) }

// startTime is field 22 of /proc/<pid>/stat ("" if the process is gone,
// or has ended and waits to be reaped: a zombie does no more work).
func startTime(pid int) string {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return ""
	}
	s := string(b)
	// The command name may hold spaces and parentheses: fields start after the last ')'.
	if i := strings.LastIndexByte(s, ')'); i >= 0 {
		s = s[i+1:]
	}
	f := strings.Fields(s)
	if len(f) < 20 || f[0] == "Z" || f[0] == "X" {
		return ""
	}
	return f[19]
}

// process is the process part of o: o without an operation's suffix.
func (o Owner) process() Owner {
	p, _, _ := strings.Cut(string(o), "/")
	return Owner(p)
}

// Alive reports whether the process o names (or whose operation it names)
// still runs.
func (o Owner) Alive() bool {
	proc := o.process()
	pidStr, _, ok := strings.Cut(string(proc), ":")
	pid, err := strconv.Atoi(pidStr)
	if !ok || err != nil {
		return false
	}
	return ownerOf(pid) == proc
}

// AddLeases records that owner needs digests (blobs or snapshot diffIDs).
func (tx *Tx) AddLeases(owner Owner, digests ...string) error {
	for _, d := range digests {
		if err := tx.exec(`INSERT INTO leases (owner, digest) VALUES (?, ?)`, string(owner), d); err != nil {
			return err
		}
	}
	return nil
}

// DeleteLeases drops every lease of owner.
func (tx *Tx) DeleteLeases(owner Owner) error {
	return tx.exec(`DELETE FROM leases WHERE owner = ?`, string(owner))
}

// HeldLeases returns the leased digests whose owners still run, and how many
// owners are gone. It changes nothing, so a View may call it.
func (tx *Tx) HeldLeases() (live map[string]bool, dead int, err error) {
	live, gone, err := tx.leases()
	return live, len(gone), err
}

// LiveLeases returns the leased digests whose owners still run, and drops
// the leases of owners that are gone.
func (tx *Tx) LiveLeases() (map[string]bool, error) {
	live, gone, err := tx.leases()
	if err != nil {
		return nil, err
	}
	for _, o := range gone {
		if err := tx.DeleteLeases(o); err != nil {
			return nil, err
		}
	}
	return live, nil
}

// leases reads the lease table: the digests of live owners, and the owners
// that are gone. Liveness is asked once per process, not per row.
func (tx *Tx) leases() (map[string]bool, []Owner, error) {
	rows, err := tx.tx.QueryContext(tx.ctx, `SELECT owner, digest FROM leases`)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	live := map[string]bool{}
	alive := map[Owner]bool{} // by process
	dead := map[Owner]bool{}
	var gone []Owner
	for rows.Next() {
		var o, d string
		if err := rows.Scan(&o, &d); err != nil {
			return nil, nil, err
		}
		proc := Owner(o).process()
		a, seen := alive[proc]
		if !seen {
			a = proc.Alive()
			alive[proc] = a
		}
		switch {
		case a:
			live[d] = true
		case !dead[Owner(o)]:
			dead[Owner(o)] = true
			gone = append(gone, Owner(o))
		}
	}
	return live, gone, rows.Err()
}
