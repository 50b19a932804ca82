package container

import "testing"

func TestParseNetDev(t *testing.T) {
	const dev = `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:    9000      90    0    0    0     0          0         0     9000      90    0    0    0     0       0          0
  eth0:  123456     321    0    0    0     0          0         0     6543      21    0    0    0     0       0          0
  eth1:    1000      10    0    0    0     0          0         0      500       5    0    0    0     0       0          0
`
	rx, tx := parseNetDev(dev)
	if rx != 124456 || tx != 7043 {
		t.Errorf("rx %d tx %d, want 124456 and 7043 (lo not counted)", rx, tx)
	}
	if rx, tx := parseNetDev(""); rx != 0 || tx != 0 {
		t.Errorf("empty: %d %d", rx, tx)
	}
}
