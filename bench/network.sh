#!/usr/bin/env bash
# berth run --rm busybox true on the default bridge against --network none,
# runs alternating between the two, median of RUNS (20 by default). As
# root: bash bench/network.sh. Uses the loopback test registry
# (internal/testreg) and a root of its own, removed at the end (its default
# bridge with it).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=$PATH:/usr/local/go/bin
RUNS=${RUNS:-20}
out=$(mktemp -d /tmp/berth-netbench.XXXXXX)
regpid=""
B="$out/berth --root $out/root --run-root $out/run"
cleanup() {
  ids=$($B ps -aq 2>/dev/null || true)
  [ -n "$ids" ] && $B rm -f $ids >/dev/null 2>&1 || true
  [ -n "$regpid" ] && kill "$regpid" 2>/dev/null || true
  br=$($B network inspect -f '{{index .Options "com.docker.network.bridge.name"}}' bridge 2>/dev/null || true)
  rm -rf "$out"
  # The root is gone: the next berth start anywhere reconciles its bridge
  # away; do it now so that nothing is left.
  [ -n "$br" ] && ip link del "$br" 2>/dev/null || true
  [ -n "$br" ] && for t in filter:BERTH-FORWARD nat:BERTH-POSTROUTING; do
    iptables -w -t "${t%%:*}" -S "${t#*:}" | grep -- " $br\b" | sed 's/^-A //' | while read -r r; do eval iptables -w -t "${t%%:*}" -D $r; done
  done
}
trap cleanup EXIT
go build -tags seccomp -o "$out/berth" .
go build -o "$out/testreg" ./internal/testreg
"$out/testreg" -addr 127.0.0.1:5067 -big-layers 1 >/dev/null &
regpid=$!
for _ in $(seq 50); do curl -fs http://127.0.0.1:5067/v2/busybox/manifests/latest -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' >/dev/null 2>&1 && break; sleep 0.2; done
IMG=127.0.0.1:5067/busybox
$B pull -q $IMG >/dev/null
$B run --rm $IMG true >/dev/null # makes the default bridge
echo "| run --rm true | network | min ms | p25 | median | p75 |"
echo "|---|---|---|---|---|---|"
python3 - "$B" "$IMG" "$RUNS" <<'PY'
import shlex, statistics, subprocess, sys, time
b, img, runs = shlex.split(sys.argv[1]), sys.argv[2], int(sys.argv[3])
cmds = {"none": b + ["run", "--rm", "--network", "none", img, "true"], "bridge": b + ["run", "--rm", img, "true"]}
t = {k: [] for k in cmds}
for i in range(runs + 3):
    order = ("none", "bridge") if i % 2 == 0 else ("bridge", "none")
    for k in order:
        s = time.perf_counter()
        subprocess.run(cmds[k], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        if i >= 3:
            t[k].append((time.perf_counter() - s) * 1000)
for k in ("none", "bridge"):
    q = statistics.quantiles(t[k], n=4)
    print(f"| run --rm true | {k} | {min(t[k]):.1f} | {q[0]:.1f} | {statistics.median(t[k]):.1f} | {q[2]:.1f} |")
print(f"bridge - none, medians: {statistics.median(t['bridge']) - statistics.median(t['none']):.1f} ms")
PY
