package e2e

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestNetworkEventsFromOtherProcesses: `berth events` shows, as Docker's
// does, a network's create and destroy and each container's connect and
// disconnect, made by other berth processes, in order; the default
// network, made on first use, is not announced; container events carry
// the image as the user named it.
func TestNetworkEventsFromOtherProcesses(t *testing.T) {
	b, bb := withNetworks(t)
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, berthBin, "events")
	cmd.Env = b.env()
	var out syncBuffer
	cmd.Stdout = &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cancel(); cmd.Wait() }()
	// Events are those stored after it started: mark the start with
	// volumes until one shows.
	marks := 0
	eventually(t, 10*time.Second, "berth events to listen", func() bool {
		if strings.Contains(out.String(), " volume create ") {
			return true
		}
		b.ok("volume", "create", fmt.Sprintf("evmark%d", marks))
		marks++
		return false
	})

	netID := strings.TrimSpace(b.ok("network", "create", "--subnet", testSubnet(t), "evnet"))
	cid := strings.TrimSpace(b.ok("run", "-d", "--name", "evc", "--network", "evnet", bb, "sleep", "300"))
	b.ok("network", "connect", "bridge", "evc")
	bridgeID := strings.TrimSpace(b.ok("network", "inspect", "-f", "{{.Id}}", "bridge"))
	b.ok("network", "disconnect", "evnet", "evc")
	b.ok("rm", "-f", "evc")
	b.ok("network", "rm", "evnet")

	on := func(name string) string { return fmt.Sprintf("(container=%s, name=%s, type=bridge)", cid, name) }
	want := []string{
		"network create " + netID + " (name=evnet, type=bridge)",
		"container create " + cid + " (image=" + bb + ", name=evc)",
		"network connect " + netID + " " + on("evnet"),
		"container start " + cid + " (image=" + bb + ", name=evc)",
		"network connect " + bridgeID + " " + on("bridge"),
		"network disconnect " + netID + " " + on("evnet"),
		"network disconnect " + bridgeID + " " + on("bridge"),
		"container destroy " + cid + " (image=" + bb + ", name=evc)",
		"network destroy " + netID + " (name=evnet, type=bridge)",
	}
	var got []string
	eventually(t, 10*time.Second, "the network's destroy", func() bool {
		got = got[:0]
		for _, line := range strings.Split(out.String(), "\n") {
			// time type action actor (attrs): drop the time.
			if _, rest, ok := strings.Cut(line, " "); ok && !strings.HasPrefix(rest, "volume ") {
				got = append(got, rest)
			}
		}
		return len(got) > 0 && strings.HasPrefix(got[len(got)-1], "network destroy ")
	})
	// Between them come the container's kill, die (and stop) events: the
	// wanted lines must appear in this order.
	i := 0
	for _, line := range got {
		if i < len(want) && line == want[i] {
			i++
		}
		if strings.HasPrefix(line, "container ") && !strings.Contains(line, "image="+bb+",") {
			t.Errorf("container event without its image: %s", line)
		}
		if strings.HasPrefix(line, "network create ") && strings.Contains(line, "name=bridge") {
			t.Errorf("the default network's making was announced: %s", line)
		}
	}
	if i < len(want) {
		t.Errorf("missing or out of order from %q on; got:\n%s", want[i], strings.Join(got, "\n"))
	}
}
