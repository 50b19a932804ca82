#!/usr/bin/env bash
# berth's terminal panes against tmux, side by side in one run, both drawn
# inside an outer tmux of the same size (COLS x ROWS, 120x40 by default):
#   bash bench/terminal.sh          (as root; RUNS=3 by default)
# - throughput: `seq 1 1000000` in a host shell pane of berth (zoomed) and
#   in a pane of an inner tmux; the time from Enter to the outer screen
#   showing the final screen (1000000 and the marker after it);
# - latency: a key typed into the shell until the outer screen shows its
#   echo (RUNS*10 keys each, ten a second; capture-pane polls, a few ms a
#   round, in both arms); then the same keys timed to the moment the outer
#   tmux receives the echo (bench/keylat: pipe-pane, no polling);
# - memory: berth's RSS with no session, then with one idle host shell that
#   printed 20,000 lines (its 10,000 lines of scrollback kept).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=$PATH:/usr/local/go/bin
RUNS=${RUNS:-3}
COLS=${COLS:-120}
ROWS=${ROWS:-40}
out=$(mktemp -d /tmp/berth-termbench.XXXXXX)
sock=berth-termbench-$$
T() { tmux -L "$sock" "$@"; }
cleanup() {
  T kill-server 2>/dev/null || true
  tmux -L "$sock-inner" kill-server 2>/dev/null || true
  rm -rf "$out"
}
trap cleanup EXIT INT TERM
go build -tags seccomp -o "$out/berth" .
export BERTH_ROOT=$out/root BERTH_RUN_ROOT=$out/run
now() { date +%s%N; }
# waitscreen WINDOW TEXT...: until the window's screen shows every TEXT.
waitscreen() {
  local w=$1; shift
  local deadline=$(( $(now) + 120000000000 ))
  while :; do
    local s; s=$(T capture-pane -p -t "$w")
    local ok=1
    for x in "$@"; do [[ $s == *"$x"* ]] || { ok=0; break; }; done
    [ $ok = 1 ] && return 0
    [ "$(now)" -gt $deadline ] && { echo "timeout waiting for $* in $w:"; echo "$s"; exit 1; }
  done
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# The two arms: berth with a zoomed host shell, an inner tmux with a shell.
T new-session -d -s bench -x "$COLS" -y "$ROWS" -n berth "env PS1='$ ' TERM=xterm-256color SHELL=/bin/bash $out/berth"
T new-window -t bench -n tmux "env PS1='$ ' tmux -L $sock-inner -f /dev/null new-session bash --norc"
T set-option -t bench -g status off
waitscreen bench:berth "Containers"
T send-keys -t bench:berth H
waitscreen bench:berth "host"
T send-keys -t bench:berth C-] z
sleep 0.5
for w in berth tmux; do
  T send-keys -t bench:$w "export PS1='$ '; clear" Enter
done
sleep 1

echo "throughput: seq 1 1000000, ${COLS}x${ROWS}, ms to the final screen"
for i in $(seq "$RUNS"); do
  for w in berth tmux; do
    T send-keys -t bench:$w "clear" Enter; sleep 0.3
    t0=$(now)
    T send-keys -t bench:$w "seq 1 1000000; echo end\$((1000+$i))" Enter
    waitscreen bench:$w "1000000" "end$((1000+i))"
    echo "$w $(( ($(now) - t0) / 1000000 ))" | tee -a "$out/tput"
  done
done

echo "latency: key to echo, ms"
for w in berth tmux; do
  T send-keys -t bench:$w "clear" Enter; sleep 0.5
  typed=""
  for i in $(seq $(( RUNS * 10 ))); do
    c=$(printf "\\x$(printf %x $(( 97 + i % 26 )))")
    typed+=$c
    sleep 0.1 # typing speed: ten keys a second
    t0=$(now)
    T send-keys -t bench:$w -l "$c"
    until [[ $(T capture-pane -p -t bench:$w) == *"\$ $typed"* ]]; do :; done
    echo $(( ($(now) - t0) / 100000 )) >> "$out/lat-$w"
    if [ ${#typed} -ge 20 ]; then T send-keys -t bench:$w C-u; typed=""; sleep 0.2; fi
  done
  m=$(median < "$out/lat-$w")
  printf '%s median %s.%s ms (%s keys)\n' "$w" $(( m / 10 )) $(( m % 10 )) "$(wc -l < "$out/lat-$w")"
done

echo "latency: key to echo as the outer terminal receives it (pipe-pane, no polling), ms"
go build -o "$out/keylat" ./bench/keylat
for w in berth tmux; do
  T send-keys -t bench:$w "clear" Enter; sleep 0.5
  printf '%s ' "$w"; "$out/keylat" -L "$sock" -t bench:$w -n $(( RUNS * 10 ))
done

echo "memory: berth's RSS"
rss() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
T kill-window -t bench:berth
T new-window -t bench -n berth2 "env PS1='$ ' TERM=xterm-256color SHELL=/bin/bash $out/berth"
waitscreen bench:berth2 "Containers"
sleep 2
p=$(pgrep -f "^$out/berth\$" | head -1)
before=$(rss "$p")
T send-keys -t bench:berth2 H
waitscreen bench:berth2 "host"
T send-keys -t bench:berth2 "seq 1 20000 | sed 's/\$/ a line of scrollback, about sixty characters long/'; echo mem\$((6*7))" Enter
waitscreen bench:berth2 "mem42"
sleep 10 # idle: the Go runtime gives freed memory back over seconds
after=$(rss "$p")
echo "no session ${before} KiB; one idle session, 10,000 lines of scrollback: ${after} KiB (+$(( (after - before) / 1024 )) MiB)"
for w in berth tmux; do
  printf '%s throughput median %s ms\n' "$w" "$(grep "^$w " "$out/tput" | awk '{print $2}' | median)"
done
