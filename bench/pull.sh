#!/usr/bin/env bash
# Cold pull of the benchmark image `big` (busybox + 5 x 40 MB random layers,
# 201,172,506 bytes of compressed layers and config) from a loopback registry,
# into an empty store, unpacked: berth next to podman and docker, in one run.
# Uses ../shared/peers (registry on 127.0.0.1:5000, podman, dockerd); run as root:
#   bash bench/pull.sh            RUNS=10 by default
set -euo pipefail
cd "$(dirname "$0")/.."
PEERS=${PEERS:-../shared/peers}
RUNS=${RUNS:-10}
bash "$PEERS/setup.sh" >/dev/null
source "$PEERS/env.sh"
export PATH=$PATH:/usr/local/go/bin
out=$(mktemp -d /tmp/berth-bench.XXXXXX)
trap 'rm -rf "$out"' EXIT
go build -tags seccomp -o "$out/berth" .
BYTES=$(crane manifest --insecure "$REG/big" | jq '[.layers[].size] + [.config.size] | add')
B="$out/berth --root $out/root --run-root $out/run"

hyperfine --style none --runs "$RUNS" --warmup 1 --export-json "$out/h.json" \
  -n berth --prepare "rm -rf $out/root $out/run; sync" "$B pull -q $REG/big" \
  -n podman --prepare "podman rmi -f $REG/big $REG/busybox >/dev/null 2>&1 || true; sync" "podman pull -q --tls-verify=false $REG/big" \
  -n docker --prepare "$DOCKER rmi -f $REG/big $REG/busybox >/dev/null 2>&1 || true; sync" "$DOCKER pull -q $REG/big" \
  >"$out/h.txt" 2>&1 || { cat "$out/h.txt"; exit 1; }

maxrss() { # cmd... ; median max RSS in MiB over 5 runs (PREP run before each)
  for _ in 1 2 3 4 5; do sh -c "$PREP"; /usr/bin/time -f '%M' "$@" 2>&1 >/dev/null | tail -1; done |
    sort -n | awk '{a[NR]=$1} END{printf "%.1f", a[3]/1024}'
}
rss_berth=$(PREP="rm -rf $out/root" maxrss $B pull -q "$REG/big")
rss_podman=$(PREP="podman rmi -f $REG/big >/dev/null 2>&1 || true" maxrss podman pull -q --tls-verify=false "$REG/big")

echo "# cold pull of $REG/big ($BYTES bytes), $(nproc) cores, $(date -u +%FT%TZ), $RUNS runs each"
echo
echo "| engine | min | median | max | MB/s at median | max RSS of the pulling process |"
echo "|---|---|---|---|---|---|"
jq -r --argjson b "$BYTES" --arg rb "$rss_berth" --arg rp "$rss_podman" '.results[] |
  "| \(.command) | \(.min*1000|floor) ms | \(.median*1000|floor) ms | \(.max*1000|floor) ms | \($b/.median/1e6|floor) | \(if .command=="berth" then $rb+" MiB" elif .command=="podman" then $rp+" MiB" else "(in dockerd)" end) |"' "$out/h.json"
jq -r '.results as $r | "\nberth is \(($r[1].median/$r[0].median)*100|floor/100)x podman and \(($r[2].median/$r[0].median)*100|floor/100)x docker (median times)"' "$out/h.json"
