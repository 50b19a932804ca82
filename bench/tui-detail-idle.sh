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
. bench/tuilib.sh
tui_setup detailidle
for _ in $(seq "$N"); do $B run -d --network none "$IMG" sleep 3600 >/dev/null; done

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
