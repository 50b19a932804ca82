#!/usr/bin/env bash
# Container start-to-exit latency and footprint: berth next to podman,
# docker and bare runc, in one run on this machine. Uses ../shared/peers
# (loopback registry with busybox, podman, dockerd, a runc bundle). As root:
#   bash bench/run.sh            RUNS=20 by default
set -euo pipefail
cd "$(dirname "$0")/.."
PEERS=${PEERS:-../shared/peers}
RUNS=${RUNS:-20}
bash "$PEERS/setup.sh" >/dev/null
source "$PEERS/env.sh"
export PATH=$PATH:/usr/local/go/bin
out=$(mktemp -d /tmp/berth-bench.XXXXXX)
# The binary's directory must not hold the root: runc seals /proc/self/exe
# with an overlay of that directory, which overlayfs refuses when it holds
# a live container's layers (runc then copies the 24 MB binary instead).
B="$out/bin/berth --root $out/root --run-root $out/run"
cleanup() {
  ids=$($B ps -aq 2>/dev/null || true)
  [ -n "$ids" ] && $B rm -f $ids >/dev/null 2>&1 || true
  # The root's default bridge goes with the root (berth keeps it, as docker0).
  br=$($B network inspect -f '{{index .Options "com.docker.network.bridge.name"}}' bridge 2>/dev/null || true)
  rm -rf "$out"
  [ -n "$br" ] && ip link del "$br" 2>/dev/null || true
}
trap cleanup EXIT
go build -tags seccomp -o "$out/bin/berth" .
IMG=$REG/busybox
$B pull -q "$IMG" >/dev/null
$DOCKER image inspect "$IMG" >/dev/null 2>&1 || $DOCKER pull -q "$IMG" >/dev/null
podman image exists "$IMG" || podman pull -q --tls-verify=false "$IMG" >/dev/null

hf() { # name cmd
  hyperfine -N --style none --warmup 3 --runs "$RUNS" --export-json "$out/$1.json" "$2" >"$out/$1.txt" 2>&1 ||
    { echo "$1 failed:"; cat "$out/$1.txt"; exit 1; }
  jq -r --arg l "$1" '.results[0] | "| \($l) | \(.min*1000|floor) | \(.median*1000|floor) | \(.max*1000|floor) |"' "$out/$1.json"
}

echo "# container start-to-exit of \`true\`, $(nproc) cores, $(date -u +%FT%TZ), $RUNS runs each (ms)"
echo
echo "| command | min | median | max |"
echo "|---|---|---|---|"
hf "berth run --rm --network none" "$B run --rm --network none $IMG true"
hf "berth run --rm (default bridge)" "$B run --rm $IMG true"
hf "podman run --rm (default network, runc)" "podman run --rm --runtime runc $IMG true"
hf "docker run --rm (default bridge)" "$DOCKER run --rm $IMG true"
hf "podman run --rm --network=none (runc)" "podman run --rm --runtime runc --network=none $IMG true"
hf "docker run --rm --network=none" "$DOCKER run --rm --network=none $IMG true"
hf "runc run (bare bundle)" "runc run --bundle $P/bundle berth-bench"
hf "berth run -d (returns when running)" "$B run -d --network none $IMG sleep 600"
ids=$($B ps -aq); $B rm -f $ids >/dev/null

# ps with 100 containers (running sleepers)
for _ in $(seq 100); do $B run -d $IMG sleep 600 >/dev/null; done
hf "berth ps, 100 running containers" "$B ps"
hf "berth ps -a, 100 containers" "$B ps -a"

# footprint of one idle monitor (the first of the 100)
mon=$($B inspect --format '{{.State.MonitorPid}}' "$($B ps -q | head -1)")
rss=$(awk '/^VmRSS:/{print $2}' /proc/$mon/status)
anon=$(awk '/^RssAnon:/{print $2}' /proc/$mon/status)
pss=$(awk '/^Pss:/{print $2}' /proc/$mon/smaps_rollup)
echo
echo "idle monitor: VmRSS $((rss/1024)).$(( (rss%1024)*10/1024 )) MiB, RssAnon $((anon/1024)).$(( (anon%1024)*10/1024 )) MiB, Pss $((pss/1024)).$(( (pss%1024)*10/1024 )) MiB (100 monitors running)"
