#!/usr/bin/env bash
# Memory of the TUI's log view on a large log: one container in a scratch
# root writes LINES lines (200,000 by default: `seq`, about 15 MB of
# json-file log); berth runs in a private tmux server at 120x40 on the
# Containers pane (the details open over the list only when asked for; at
# 200 columns they are docked and the Logs tab opens by itself). Its PSS
# (smaps_rollup) is read after a warm-up, then after l opens the log at its
# end, after g goes to line 1 and G back, and after / finds the line in the
# middle; with the time from l to the last line on screen, from g to line
# 1 and from Enter to the match on screen (capture-pane polls every 20 ms).
# Cleans up everything it made. As root:
#   bash bench/tui-logs.sh              LINES=200000 WARM=5 by default
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=$PATH:/usr/local/go/bin
LINES=${LINES:-200000}
WARM=${WARM:-5}
. bench/tuilib.sh
tui_setup logsbench
$B run -d --network none --name biglog "$IMG" sh -c "seq 1 $LINES; exec sleep 3600" >/dev/null
for _ in $(seq 600); do
  [ "$($B logs --tail 1 biglog)" = "$LINES" ] && break
  sleep 0.1
done
logbytes=$(du -cb "$out"/root/containers/*/container.log* | tail -1 | cut -f1)

T() { tmux -L "$SOCK" "$@"; }
now() { date +%s%N; }
waitscreen() { # TEXT: until the screen shows it (60 s at most)
  local deadline=$(( $(now) + 60000000000 ))
  until T capture-pane -p | grep -qF -- "$1"; do
    [ "$(now)" -gt $deadline ] && { echo "timeout waiting for $1:"; T capture-pane -p; exit 1; }
    sleep 0.02
  done
}
waitrow() { # TEXT: until a log row is exactly TEXT
  local deadline=$(( $(now) + 60000000000 ))
  until T capture-pane -p | grep -qE -- "│ $1 +│"; do
    [ "$(now)" -gt $deadline ] && { echo "timeout waiting for the row $1:"; T capture-pane -p; exit 1; }
    sleep 0.02
  done
}
T -f /dev/null new-session -d -x 120 -y 40 "exec $B"
pid=$(T list-panes -F '#{pane_pid}')
waitscreen "Containers (1)"
sleep "$WARM"
pss() { awk '/^Pss:/{printf "%.1f", $2 / 1024}' "/proc/$pid/smaps_rollup"; }
rss() { awk '/^VmRSS:/{printf "%.1f", $2 / 1024}' "/proc/$pid/status"; }
p0=$(pss); r0=$(rss)

# l opens the Logs tab over the list.
t0=$(now)
T send-keys l
waitrow "$LINES"
topen=$(( ($(now) - t0) / 1000000 ))
sleep 2
p1=$(pss); r1=$(rss)

t0=$(now)
T send-keys g
waitrow 1
ttop=$(( ($(now) - t0) / 1000000 ))
T send-keys G
waitrow "$LINES"
sleep 2
p2=$(pss); r2=$(rss)

mid=$(( LINES / 2 ))
T send-keys /
waitscreen "/"
T send-keys -l "$mid"
t0=$(now)
T send-keys Enter
waitrow "$mid"
tfind=$(( ($(now) - t0) / 1000000 ))
sleep 2
p3=$(pss); r3=$(rss)

echo "# berth TUI log view, $LINES lines ($(( logbytes / 1024 / 1024 )) MiB of json-file log), 120x40, $(nproc) cores, $(date -u +%FT%TZ), source $(git rev-parse --short HEAD)$(git diff --quiet HEAD || echo '+changes')"
echo "memory (PSS / RSS, MiB): list only $p0 / $r0; log open at its end $p1 / $r1; after g and G $p2 / $r2; after a search $p3 / $r3"
echo "time (ms, tmux capture polled every 20 ms): l to the last line $topen; g to line 1 $ttop; / Enter to line $mid $tfind"
