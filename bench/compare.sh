#!/usr/bin/env bash
# The same container benchmarks for two builds of berth, side by side in one
# run: run --rm true, and ps / ps -a with 100 running containers. As root:
#   bash bench/compare.sh OLD_REV [NEW_REV]   (NEW_REV: the work tree)
# RUNS=20 by default (each build; runs alternate between the builds). Uses
# the loopback test registry (internal/testreg).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=$PATH:/usr/local/go/bin
OLD=${1:?usage: bench/compare.sh OLD_REV [NEW_REV]}
NEW=${2:-}
RUNS=${RUNS:-20}
out=$(mktemp -d /tmp/berth-compare.XXXXXX)
regpid=""
cleanup() {
  for v in old new; do
    B="$out/bin/$v --root $out/$v-root --run-root $out/$v-run"
    ids=$($B ps -aq 2>/dev/null || true)
    [ -n "$ids" ] && $B rm -f $ids >/dev/null 2>&1 || true
  done
  [ -n "$regpid" ] && kill "$regpid" 2>/dev/null || true
  git worktree remove --force "$out/old-src" 2>/dev/null || true
  [ -n "$NEW" ] && git worktree remove --force "$out/new-src" 2>/dev/null || true
  rm -rf "$out"
}
trap cleanup EXIT
build() { # name rev
  if [ -z "$2" ]; then
    go build -tags seccomp -o "$out/bin/$1" .
  else
    git worktree add -q --detach "$out/$1-src" "$2"
    (cd "$out/$1-src" && go build -tags seccomp -o "$out/bin/$1" .)
  fi
}
build old "$OLD"
build new "$NEW"
go build -o "$out/bin/testreg" ./internal/testreg
"$out/bin/testreg" -addr 127.0.0.1:5066 -big-layers 1 >/dev/null &
regpid=$!
for _ in $(seq 50); do curl -fs http://127.0.0.1:5066/v2/busybox/manifests/latest -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' >/dev/null 2>&1 && break; sleep 0.2; done
IMG=127.0.0.1:5066/busybox
b() { echo "$out/bin/$1 --root $out/$1-root --run-root $out/$1-run"; }
for v in old new; do $(b $v) pull -q $IMG >/dev/null; done

hf() { # label cmd-old cmd-new: runs alternate (old, new, new, old, ...) so drift hits both alike
  python3 - "$1" "$2" "$3" "$RUNS" <<'PY'
import shlex, statistics, subprocess, sys, time
label, old, new, runs = sys.argv[1], shlex.split(sys.argv[2]), shlex.split(sys.argv[3]), int(sys.argv[4])
t = {"old": [], "new": []}
for i in range(runs + 3):
    for name, cmd in ((("old", old), ("new", new)) if i % 2 == 0 else (("new", new), ("old", old))):
        s = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        if i >= 3:  # warm-up
            t[name].append((time.perf_counter() - s) * 1000)
for name in ("old", "new"):
    q = statistics.quantiles(t[name], n=4)
    print(f"| {label} | {name} | {min(t[name]):.1f} | {q[0]:.1f} | {statistics.median(t[name]):.1f} | {q[2]:.1f} |")
PY
}
echo "# berth $OLD (old) vs ${NEW:-work tree} (new), $(nproc) cores, $(date -u +%FT%TZ), $RUNS runs each (ms)"
echo
echo "| benchmark | build | min | p25 | median | p75 |"
echo "|---|---|---|---|---|---|"
hf "run --rm true" "$(b old) run --rm --network none $IMG true" "$(b new) run --rm --network none $IMG true"
for v in old new; do for _ in $(seq 100); do $(b $v) run -d --network none $IMG sleep 600 >/dev/null; done; done
hf "ps, 100 running" "$(b old) ps" "$(b new) ps"
hf "ps -a, 100 containers" "$(b old) ps -a" "$(b new) ps -a"
