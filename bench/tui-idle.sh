#!/usr/bin/env bash
# Idle cost of the TUI: N running `sleep` containers in a scratch root, berth
# in a private tmux server at 200x60 on the Containers pane, then, after a
# warm-up, its CPU time (utime+stime from /proc/PID/stat), its wake-ups
# (context switches of all its threads) over SECS seconds, and its memory
# (PSS from smaps_rollup). Cleans up everything it made. As root:
#   bash bench/tui-idle.sh              N=100 SECS=30 by default
#   SRC=/path/to/other/checkout bash bench/tui-idle.sh   measure another tree
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=$PATH:/usr/local/go/bin
N=${N:-100}
SECS=${SECS:-30}
WARM=${WARM:-8}
SRC=${SRC:-.}
ENVS=${ENVS:-}   # e.g. ENVS=GOMAXPROCS=1
. bench/tuilib.sh
tui_setup idle
for _ in $(seq "$N"); do $B run -d --network none "$IMG" sleep 3600 >/dev/null; done

tmux -L "$SOCK" -f /dev/null new-session -d -x 200 -y 60 "exec env $ENVS $B"
pid=$(tmux -L "$SOCK" list-panes -F '#{pane_pid}')
for _ in $(seq 100); do
  tmux -L "$SOCK" capture-pane -p | grep -q "Containers ($N)" && break
  sleep 0.1
done
sleep "$WARM"

cpu() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
switches() { cat /proc/"$pid"/task/*/status | awk '/ctxt_switches/{s += $2} END {print s}'; }
c0=$(cpu); w0=$(switches); t0=$(date +%s.%N)
sleep "$SECS"
c1=$(cpu); w1=$(switches); t1=$(date +%s.%N)
hz=$(getconf CLK_TCK)
pss=$(awk '/^Pss:/{print $2}' "/proc/$pid/smaps_rollup")
rss=$(awk '/^VmRSS:/{print $2}' "/proc/$pid/status")
echo "# berth TUI idle, $N running containers, 200x60, $(nproc) cores, $(date -u +%FT%TZ), source $(cd "$SRC" && git rev-parse --short HEAD)$(cd "$SRC" && git diff --quiet HEAD || echo '+changes')"
awk -v c0="$c0" -v c1="$c1" -v hz="$hz" -v t0="$t0" -v t1="$t1" -v w0="$w0" -v w1="$w1" -v pss="$pss" -v rss="$rss" 'BEGIN {
  d = t1 - t0
  printf "cpu: %.2f%% of one core over %.1f s (%d ticks)\n", (c1 - c0) / hz / d * 100, d, c1 - c0
  printf "wake-ups: %.1f a second (context switches of all threads)\n", (w1 - w0) / d
  printf "memory: PSS %.1f MiB, RSS %.1f MiB\n", pss / 1024, rss / 1024
}'
