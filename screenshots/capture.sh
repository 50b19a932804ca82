#!/usr/bin/env bash
# Regenerates the screenshots README.md shows, from the real TUI: berth runs
# in tmux against a loopback test registry (internal/testreg) with a few real
# containers, the script types what a user would and waits for the text it
# expects on screen; capture-pane -e takes the screen with its colours, aha
# turns it into HTML and headless Chromium into PNG. Run as root from the
# repository:
#   bash screenshots/capture.sh            # every screen
#   SHOTS_ADDR=127.0.0.1:5056 bash screenshots/capture.sh   # another port
# Everything it starts (registry, containers, network, volumes, tmux server)
# goes when it ends, also when it fails.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=/usr/local/go/bin:$PATH
for p in tmux aha chromium fonts-dejavu-core busybox-static libseccomp-dev; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need="${need:-} $p"
done
if [ -n "${need:-}" ]; then apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $need; fi

work=$(mktemp -d /tmp/berth-shots.XXXXXX)
addr=${SHOTS_ADDR:-127.0.0.1:5055}
sock=berth-shots-$$
out=$PWD/screenshots
export BERTH_ROOT=$work/root BERTH_RUN_ROOT=$work/run
b() { "$work/berth" "$@"; }

cleanup() {
  tmux -L "$sock" kill-server 2>/dev/null || true
  rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$sock"
  if [ -x "$work/berth" ]; then
    ids=$(b ps -aq 2>/dev/null || true)
    [ -n "$ids" ] && b rm -f -v $ids >/dev/null 2>&1 || true
    b network rm shop >/dev/null 2>&1 || true
    b volume prune -f >/dev/null 2>&1 || true
    b volume rm pgdata cache logs >/dev/null 2>&1 || true
  fi
  [ -f "$work/reg.pid" ] && kill "$(cat "$work/reg.pid")" 2>/dev/null || true
  # Nothing of the store may stay mounted before its directory goes.
  grep -o " $work/[^ ]*" /proc/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

go build -tags seccomp -o "$work/berth" .
go build -o "$work/testreg" ./internal/testreg
# 25 MB/s per layer: slow enough to watch the bars of big's 40 MB layers.
"$work/testreg" -addr "$addr" -pidfile "$work/reg.pid" -rate 25000000 >"$work/reg.log" 2>&1 &
for _ in $(seq 150); do grep -q serving "$work/reg.log" 2>/dev/null && break; sleep 0.2; done
grep -q serving "$work/reg.log" || { cat "$work/reg.log" >&2; echo "capture.sh: the test registry did not start" >&2; exit 1; }

b pull -q $addr/busybox >/dev/null
b pull -q $addr/app:1 >/dev/null
b tag $addr/busybox busybox:stable
b pull -q $addr/tool:1 >/dev/null
b network create shop --subnet 10.93.0.0/24 >/dev/null
b volume create pgdata >/dev/null
b volume create cache >/dev/null
b volume create logs >/dev/null

# web writes an access log (its 5xx in red), worker works in bursts (CPU,
# memory, block I/O), migrate has exited, db publishes a port, queue is
# paused, backup was created and never started.
b run -d --name web --network shop --network-alias www -p 127.0.0.1::80 -e MODE=production \
  --memory 64m $addr/busybox sh -c '
  while true; do
    case $((RANDOM % 6)) in
      0) r="GET /api/users 200";; 1) r="POST /api/login 401";; 2) r="GET /static/app.js 304";;
      3) r="GET /health 200";; 4) r="GET /api/orders?page=$((RANDOM % 9)) 500";; *) r="GET / 200";;
    esac
    line="10.93.0.$((RANDOM % 250 + 2)) \"$r\" $((RANDOM % 900))ms"
    case $r in *500) printf "\033[31m%s\033[0m\n" "$line";; *) echo "$line";; esac
    sleep 0.3
  done' >/dev/null
b run -d --name worker --network shop --cpus 0.5 --memory 128m -v cache:/cache $addr/app:1 sh -c '
  while true; do
    dd if=/dev/urandom of=/cache/chunk bs=64k count=$((RANDOM % 64 + 16)) oflag=direct 2>/dev/null
    dd if=/cache/chunk of=/dev/null bs=64k iflag=direct 2>/dev/null
    i=0; n=$((RANDOM % 40000 + 5000)); while [ $i -lt $n ]; do i=$((i + 1)); done
    sleep $((RANDOM % 2))
  done' >/dev/null
b run --name migrate $addr/busybox sh -c 'echo migrating; exit 3' >/dev/null || true
b run -d --name db --network shop -p 127.0.0.1::5432 -v pgdata:/var/lib/db $addr/busybox \
  sh -c 'while true; do sleep 1; done' >/dev/null
b run -d --name queue $addr/busybox sleep 1d >/dev/null
b pause queue >/dev/null
b create --name backup -v pgdata:/data:ro $addr/busybox tar czf /tmp/db.tgz /data >/dev/null

T() { tmux -L "$sock" "$@"; }
keys() { T send-keys -t shots "$@"; }
typ() { T send-keys -t shots -l "$1"; }
screen() { T capture-pane -p -t shots; }
# wait_for TEXT [SECONDS]: until TEXT is on screen; fails the run (showing
# the screen) when it is not there in time.
wait_for() {
  local i
  for i in $(seq $((${2:-10} * 5))); do
    screen | grep -qF -- "$1" && return 0
    sleep 0.2
  done
  echo "capture.sh: \"$1\" did not appear; the screen:" >&2
  screen >&2
  exit 1
}
# wait_gone TEXT [SECONDS]: until TEXT is no longer on screen.
wait_gone() {
  local i
  for i in $(seq $((${2:-10} * 5))); do
    screen | grep -qF -- "$1" || return 0
    sleep 0.2
  done
  echo "capture.sh: \"$1\" stayed on screen" >&2
  screen >&2
  exit 1
}
# esc: Escape alone (an Escape and a key sent together read as alt+key).
esc() { keys Escape; sleep 0.4; }
cols=0 rows=0
size() { # COLS ROWS: the terminal's size, which berth follows
  cols=$1 rows=$2
  T resize-window -t shots -x "$cols" -y "$rows"
  sleep 0.5
}

# shot NAME [light]: the screen as screenshots/NAME.png. The page is the
# terminal's size: DejaVu Sans Mono at 15px is 9.03px a cell, 18px a line.
shot() {
  local bg=#000 fg=#ddd black=--black
  if [ "${2:-}" = light ]; then bg=#fff fg=#222 black=; fi
  sleep 0.4 # the frame after the one awaited, if it was on its way
  T capture-pane -e -p -t shots >"$work/$1.ansi"
  aha $black --no-header <"$work/$1.ansi" >"$work/$1.body"
  {
    echo "<html><head><meta charset=\"utf-8\"><style>body{margin:0;background:$bg}"
    echo "pre{margin:0;padding:8px;font:15px/18px \"DejaVu Sans Mono\",monospace;color:$fg}</style></head><body><pre>"
    cat "$work/$1.body"
    echo '</pre></body></html>'
  } >"$work/$1.html"
  local w=$(((cols * 903 + 99) / 100 + 16)) h=$((rows * 18 + 16))
  timeout 60 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$work/chrome" --hide-scrollbars --window-size=$w,$h \
    --screenshot="$out/$1.png" "file://$work/$1.html" >/dev/null 2>&1
  [ -s "$out/$1.png" ] || { echo "capture.sh: chromium wrote no $1.png" >&2; exit 1; }
  echo "wrote screenshots/$1.png (${cols}x$rows)"
}

T new-session -d -s shots -x 200 -y 50 \
  "env BERTH_ROOT=$BERTH_ROOT BERTH_RUN_ROOT=$BERTH_RUN_ROOT TERM=xterm-256color COLORTERM=truecolor $work/berth"
cols=200 rows=50
wait_for "Containers (6)" 20
# Some events while berth watches: the Events pane shows what came since.
b stop -t 1 web >/dev/null
b start web >/dev/null
b run --rm --network shop $addr/busybox wget -qO- http://www/ >/dev/null 2>&1 || true
b volume create scratch >/dev/null
b volume rm scratch >/dev/null
b tag $addr/app:1 app:prod

# Containers, newest first (web, the oldest, last), the detail area docked
# beside the list: web's Logs.
keys G
wait_for "─ web ─"
wait_for "GET"
sleep 3 # a few CPU readings for the sparklines
shot tui-containers

# Stats of the busy worker: CPU, memory, network and block I/O graphs.
keys k
wait_for "─ worker ─"
keys ']'
wait_for "readings"
sleep 30 # half a minute of readings
shot tui-stats

# Inspect: the coloured JSON, searched.
keys ']'
wait_for '"Config"'
keys v
sleep 0.4
keys /; typ Memory; keys Enter
wait_for "match 1/"
shot tui-inspect
esc # the search
esc # the list
keys '[' '['
wait_for "─ worker ─"

# A shell in worker, in a split pane beside the lists: top.
keys e
wait_for "shell worker"
wait_for "/ #"
typ top; keys Enter
wait_for "Mem:"
shot tui-shell
keys q
wait_for "/ #"
typ exit; keys Enter
wait_for "exit 0"
keys x
wait_gone "shell worker"

# Logs of web in full, a search highlighted.
size 120 36
keys G
sleep 0.5
keys l
wait_for "─ web ─"
wait_for "following"
keys /; typ orders; keys Enter
wait_for "/orders:"
shot tui-logs
esc # the search
esc # the list
wait_for "Containers (6)"

# The command line, completing a container's name.
size 120 36
keys :; typ 'stop w'; keys Tab
wait_for "worker"
shot tui-cmdline
esc

# The help overlay of the Containers pane.
keys '?'
wait_for "esc or ? to close"
shot tui-help
esc
wait_gone "esc or ? to close"

# Networks and Volumes, the containers using the selected one docked.
size 200 50
keys 3
wait_for "Networks ("
keys G
wait_for '"Name": "shop"'
keys ']'
wait_for "IPV4 ADDRESS"
shot tui-networks
keys 4
wait_for "Volumes ("
keys G
wait_for '"Name": "pgdata"'
keys ']'
wait_for "CONTAINER"
wait_for "backup"
shot tui-volumes

# Events since berth started.
size 120 36
keys 5
wait_for "Events ("
wait_for "volume"
shot tui-events

# Images: pull big, one bar per layer.
keys 1
wait_for "Images ("
keys p
wait_for "Pull image"
typ "$addr/big"; keys Enter
wait_for "Downloading" 20
sleep 2
shot tui-pull
wait_for "Downloaded newer image" 120

# The layer browser on an image whose last layer deletes an archive.
size 160 40
keys /; typ tool; keys Enter
sleep 0.5
keys L
wait_for "Changes of layer" 20
shot tui-layers
esc
esc
esc # the filter

# The light theme: Containers with worker's Stats docked.
size 200 50
keys :; typ 'theme light'; keys Enter
sleep 0.5
keys 2
wait_for "Containers (6)"
keys G k
wait_for "─ worker ─"
keys ']'
wait_for "readings"
sleep 15 # the tab samples while it is open
shot tui-light light
keys :; typ q; keys Enter
sleep 0.5
