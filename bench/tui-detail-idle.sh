#!/usr/bin/env bash
# Idle cost of the detail area: N running `sleep` containers in a scratch
# root, berth in a private tmux server on the Containers pane. After a
# warm-up, its CPU time (utime+stime) and wake-ups (context switches of all
# its threads) are measured over SECS seconds in each state:
#   closed   120x30, the list only (the details open over it when asked)
#   stats    120x30, v 2: the Stats tab open (one reading a second)
#   closed'  120x30, back to the list (Escape): nothing left reading
#   docked+s 200x60, the area docked beside the list, on the tab shown
#            last: Stats
#   docked+l 200x60, [ : the docked area on its Logs tab (a quiet log)
# Cleans up everything it made. As root:
#   bash bench/tui-detail-idle.sh        N=10 SECS=15 WARM=5 by default
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=$PATH:/usr/local/go/bin
N=${N:-10}
SECS=${SECS:-15}
WARM=${WARM:-5}
out=$(mktemp -d /tmp/berth-detailidle.XXXXXX)
B="$out/bin/berth --root $out/root --run-root $out/run"
SOCK="berth-detailidle-$$"
regpid=""
cleanup() {
  tmux -L "$SOCK" kill-server 2>/dev/null || true
  [ -n "$regpid" ] && kill "$regpid" 2>/dev/null || true
  ids=$($B ps -aq 2>/dev/null || true)
  [ -n "$ids" ] && $B rm -f $ids >/dev/null 2>&1 || true
  br=$($B network inspect -f '{{index .Options "com.docker.network.bridge.name"}}' bridge 2>/dev/null || true)
  rm -rf "$out"
  [ -n "$br" ] && ip link del "$br" 2>/dev/null || true
}
trap cleanup EXIT
go build -tags seccomp -o "$out/bin/berth" . && go build -o "$out/bin/testreg" ./internal/testreg

port=$((20000 + $$ % 20000))
"$out/bin/testreg" -addr "127.0.0.1:$port" -big-layers 0 -pidfile "$out/reg.pid" >/dev/null 2>&1 &
regpid=$!
for _ in $(seq 50); do [ -s "$out/reg.pid" ] && break; sleep 0.1; done
$B pull -q "127.0.0.1:$port/busybox" >/dev/null
kill "$regpid"; wait "$regpid" 2>/dev/null || true; regpid=""
for _ in $(seq "$N"); do $B run -d --network none "127.0.0.1:$port/busybox" sleep 3600 >/dev/null; done

T() { tmux -L "$SOCK" "$@"; }
waitscreen() { # TEXT: until the screen shows it (20 s at most)
  for _ in $(seq 200); do T capture-pane -p | grep -qF -- "$1" && return; sleep 0.1; done
  echo "timeout waiting for $1:"; T capture-pane -p; exit 1
}
T -f /dev/null new-session -d -x 120 -y 30 "exec $B"
pid=$(T list-panes -F '#{pane_pid}')
waitscreen "Containers ($N)"
hz=$(getconf CLK_TCK)
cpu() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
switches() { cat /proc/"$pid"/task/*/status | awk '/ctxt_switches/{s += $2} END {print s}'; }
measure() { # NAME
  sleep "$WARM"
  local c0 w0 t0 c1 w1 t1
  c0=$(cpu); w0=$(switches); t0=$(date +%s.%N)
  sleep "$SECS"
  c1=$(cpu); w1=$(switches); t1=$(date +%s.%N)
  awk -v n="$1" -v c0="$c0" -v c1="$c1" -v hz="$hz" -v t0="$t0" -v t1="$t1" -v w0="$w0" -v w1="$w1" 'BEGIN {
    d = t1 - t0
    printf "%-9s cpu %5.2f%% of one core   wake-ups %6.1f/s   (%.1f s)\n", n, (c1 - c0) / hz / d * 100, (w1 - w0) / d, d
  }'
}
echo "# berth TUI, detail area idle, $N running containers, $(nproc) cores, $(date -u +%FT%TZ), source $(git rev-parse --short HEAD)$(git diff --quiet HEAD || echo '+changes')"
measure closed
T send-keys v; waitscreen "1 Logs  2 Stats"
T send-keys 2; waitscreen "readings"
measure stats
T send-keys Escape; waitscreen "Containers ($N)"
measure "closed'"
T resize-window -x 200 -y 60; waitscreen "readings"
measure docked+s
T send-keys "["; waitscreen "0 lines"
measure docked+l
