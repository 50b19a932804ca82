package store

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Owner names a live process across pid reuse: "pid:starttime".
type Owner string

// Self is the owner name of this process.
func Self() Owner { return ownerOf(os.Getpid()) }

func ownerOf(pid int) Owner {
	return Owner(fmt.Sprintf("%d:%s", pid, startTime(pid)))
}

// startTime is field 22 of /proc/<pid>/stat ("" if the process is gone).
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
	if len(f) < 20 {
		return ""
	}
	return f[19]
}

// Alive reports whether the process o names still runs.
func (o Owner) Alive() bool {
	pidStr, _, ok := strings.Cut(string(o), ":")
	pid, err := strconv.Atoi(pidStr)
	if !ok || err != nil {
		return false
	}
	return ownerOf(pid) == o
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

// LiveLeases returns the leased digests whose owners still run, and drops
// the leases of owners that are gone.
func (tx *Tx) LiveLeases() (map[string]bool, error) {
	rows, err := tx.tx.QueryContext(tx.ctx, `SELECT owner, digest FROM leases`)
	if err != nil {
		return nil, err
	}
	live := map[string]bool{}
	dead := map[string]bool{}
	alive := map[string]bool{}
	for rows.Next() {
		var o, d string
		if err := rows.Scan(&o, &d); err != nil {
			rows.Close()
			return nil, err
		}
		a, seen := alive[o]
		if !seen {
			a = Owner(o).Alive()
			alive[o] = a
		}
		if a {
			live[d] = true
		} else {
			dead[o] = true
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for o := range dead {
		if err := tx.DeleteLeases(Owner(o)); err != nil {
			return nil, err
		}
	}
	return live, nil
}
