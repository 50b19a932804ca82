#!/usr/bin/env bash
# A published port against the container's own address: many small HTTP
# requests to each (median added by the port; the goal is under 0.2 ms),
# and bulk TCP through each on loopback (the goal: at least 1 GB/s). As
# root: bash bench/ports.sh. N=2000 small requests, BULK=20 fetches of a
# 48 MiB file by default. Uses the loopback test registry (internal/testreg)
# and a root of its own, removed at the end (its default bridge with it).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=$PATH:/usr/local/go/bin
N=${N:-2000}
BULK=${BULK:-20}
out=$(mktemp -d /tmp/berth-portbench.XXXXXX)
regpid=""
B="$out/berth --root $out/root --run-root $out/run"
cleanup() {
  br=$($B network inspect -f '{{index .Options "com.docker.network.bridge.name"}}' bridge 2>/dev/null || true)
  ids=$($B ps -aq 2>/dev/null || true)
  [ -n "$ids" ] && $B rm -f $ids >/dev/null 2>&1 || true
  [ -n "$regpid" ] && kill "$regpid" 2>/dev/null || true
  rm -rf "$out"
  [ -n "$br" ] && ip link del "$br" 2>/dev/null || true
  [ -n "$br" ] && for t in filter:BERTH-FORWARD nat:BERTH-POSTROUTING; do
    iptables -w -t "${t%%:*}" -S "${t#*:}" 2>/dev/null | grep -- " $br\b" | sed 's/^-A //' | while read -r r; do eval iptables -w -t "${t%%:*}" -D $r; done
  done
}
trap cleanup EXIT
go build -tags seccomp -o "$out/berth" .
go build -o "$out/testreg" ./internal/testreg
go build -o "$out/portbench" ./bench/portbench
"$out/testreg" -addr 127.0.0.1:5068 -big-layers 1 >/dev/null 2>&1 &
regpid=$!
for _ in $(seq 50); do curl -fs http://127.0.0.1:5068/v2/busybox/manifests/latest -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' >/dev/null 2>&1 && break; sleep 0.2; done
IMG=127.0.0.1:5068/busybox
$B pull -q $IMG >/dev/null
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("0.0.0.0",0)); print(s.getsockname()[1])')
# The large file lives in the container's /dev/shm (memory), so the disk
# is not what is measured.
$B run -d --name web -p "$PORT:80" $IMG sh -c 'mkdir -p /www && echo hello > /www/index.html &&
  dd if=/dev/zero of=/dev/shm/big bs=1M count=48 2>/dev/null && ln -s /dev/shm/big /www/big && exec httpd -f -p 80 -h /www' >/dev/null
IP=$($B inspect -f '{{.NetworkSettings.IPAddress}}' web)
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$PORT/index.html" >/dev/null && break; sleep 0.1; done
echo "berth $(git rev-parse --short HEAD), $(nproc) CPUs, published 127.0.0.1:$PORT -> $IP:80"
"$out/portbench" -published "127.0.0.1:$PORT" -direct "$IP:80" -n "$N" -bulk /big -bulk-count "$BULK"
# What publishing costs a start: run -d with and without -p (a free port
# each time), alternating, median of RUNS (10 by default).
python3 - "$B" "$IMG" "${RUNS:-10}" <<'PY'
import shlex, statistics, subprocess, sys, time
b, img, runs = shlex.split(sys.argv[1]), sys.argv[2], int(sys.argv[3])
t = {"-p": [], "none": []}
for i in range(runs + 2):
    for k in (("-p", "none") if i % 2 == 0 else ("none", "-p")):
        args = b + ["run", "-d"] + (["-p", "80"] if k == "-p" else []) + [img, "sleep", "60"]
        s = time.perf_counter()
        cid = subprocess.run(args, capture_output=True, text=True, check=True).stdout.strip()
        if i >= 2:
            t[k].append((time.perf_counter() - s) * 1000)
        subprocess.run(b + ["rm", "-f", cid], stdout=subprocess.DEVNULL, check=True)
print("| run -d sleep 60 | median ms |")
print("|---|---|")
for k in ("none", "-p"):
    print(f"| {'with -p 80' if k == '-p' else 'no ports'} | {statistics.median(t[k]):.1f} |")
PY
