#!/usr/bin/env bash
# Time from starting the TUI to its first full frame, with the real engine:
# C containers (created, not started) and I image tags in a scratch root,
# berth started in a window of a private tmux server (already running) at
# 200x60, the screen polled every 5 ms until the Containers pane shows all
# of them. The poll (a tmux client per look, a few ms, and up to 5 ms
# between looks) is part of the figure: an upper bound. POLL=0 polls
# without a pause, which takes one of this machine's two cores from berth
# and tmux: a harsher measure. RUNS runs, median. Cleans up everything it
# made. As root:
#   bash bench/tui-start.sh            C=200 I=100 RUNS=7 by default
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=$PATH:/usr/local/go/bin
C=${C:-200}
I=${I:-100}
RUNS=${RUNS:-7}
POLL=${POLL:-0.005}
. bench/tuilib.sh
tui_setup start
for i in $(seq "$I"); do $B tag "$IMG" "bench/img$i:1.$i"; done
for _ in $(seq "$C"); do $B create --network none "$IMG" true >/dev/null; done

tmux -L "$SOCK" -f /dev/null new-session -d -x 200 -y 60 -s bench "sleep 3600"
times=()
for r in $(seq "$RUNS"); do
  t0=$(date +%s%N)
  tmux -L "$SOCK" new-window -t bench -n tui "exec $B"
  until tmux -L "$SOCK" capture-pane -p -t bench:tui 2>/dev/null | grep -q "Containers ($C)"; do sleep "$POLL"; done
  t1=$(date +%s%N)
  times+=($(( (t1 - t0) / 1000000 )))
  tmux -L "$SOCK" send-keys -t bench:tui q
  while tmux -L "$SOCK" list-windows -t bench 2>/dev/null | grep -q tui; do sleep 0.05; done
done
sorted=$(printf '%s\n' "${times[@]}" | sort -n | tr '\n' ' ')
median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
echo "# berth TUI start to first full frame, $C containers, $I image tags, 200x60, poll every ${POLL}s, $(nproc) cores, $(date -u +%FT%TZ), $(cd "${SRC:-.}" && git rev-parse --short HEAD)"
echo "runs (ms): $sorted"
echo "median: $median ms"
