#!/usr/bin/env bash
# Regenerates the screenshots README.md shows, from the real TUI:
# berth runs in tmux against a loopback test registry (internal/testreg),
# capture-pane -e takes the screen with its colours, aha turns it into HTML
# and headless Chromium into PNG. Run as root from the repository:
#   bash screenshots/capture.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=/usr/local/go/bin:$PATH
for p in tmux aha chromium fonts-dejavu-core busybox-static libseccomp-dev; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need="${need:-} $p"
done
if [ -n "${need:-}" ]; then apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $need; fi

work=$(mktemp -d /tmp/berth-shots.XXXXXX)
addr=127.0.0.1:5055
sock=berth-shots-$$
cleanup() {
  tmux -L "$sock" kill-server 2>/dev/null || true
  ids=$("$work/berth" ps -aq 2>/dev/null || true)
  [ -n "$ids" ] && "$work/berth" rm -f $ids >/dev/null 2>&1 || true
  [ -f "$work/reg.pid" ] && kill "$(cat "$work/reg.pid")" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

go build -tags seccomp -o "$work/berth" .
go build -o "$work/testreg" ./internal/testreg
# 60 MB/s per layer: slow enough to watch the bars.
"$work/testreg" -addr "$addr" -pidfile "$work/reg.pid" -rate 60000000 >"$work/reg.log" 2>&1 &
for _ in $(seq 100); do grep -q serving "$work/reg.log" 2>/dev/null && break; sleep 0.2; done

export BERTH_ROOT=$work/root BERTH_RUN_ROOT=$work/run
"$work/berth" pull -q $addr/busybox >/dev/null
"$work/berth" pull -q $addr/app:1 >/dev/null
"$work/berth" tag $addr/busybox busybox:stable
"$work/berth" pull -q $addr/tool:1 >/dev/null

shot() { # name
  tmux -L "$sock" capture-pane -e -p -t shots >"$work/$1.ansi"
  aha --black --no-header <"$work/$1.ansi" >"$work/$1.body"
  {
    echo '<html><head><meta charset="utf-8"><style>body{margin:0;background:#000}'
    echo 'pre{margin:0;padding:8px;font:15px/1.2 "DejaVu Sans Mono",monospace;color:#ddd}</style></head><body><pre>'
    cat "$work/$1.body"
    echo '</pre></body></html>'
  } >"$work/$1.html"
  chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$work/chrome" --hide-scrollbars --window-size=1010,640 \
    --screenshot="$PWD/screenshots/$1.png" "file://$work/$1.html" >/dev/null 2>&1
  echo "wrote screenshots/$1.png"
}

"$work/berth" run -d --name web --memory 64m $addr/busybox sh -c 'while true; do echo "GET / 200 $RANDOM"; sleep 0.5; done' >/dev/null
"$work/berth" run -d --name worker --cpus 0.5 $addr/app:1 sh -c 'while true; do :; done' >/dev/null
"$work/berth" run --name migrate $addr/busybox sh -c 'echo migrating; exit 3' >/dev/null || true

tmux -L "$sock" new-session -d -s shots -x 110 -y 34 \
  "env BERTH_ROOT=$BERTH_ROOT BERTH_RUN_ROOT=$BERTH_RUN_ROOT TERM=xterm-256color $work/berth"
sleep 5 # two stats readings, for CPU %
shot tui-containers
tmux -L "$sock" send-keys -t shots j j l
sleep 2
shot tui-logs
tmux -L "$sock" send-keys -t shots Escape
sleep 0.3
tmux -L "$sock" send-keys -t shots 1
sleep 0.3
tmux -L "$sock" send-keys -t shots p
sleep 0.3
tmux -L "$sock" send-keys -t shots -l "$addr/big"
tmux -L "$sock" send-keys -t shots Enter
sleep 1.2
shot tui-pull
for _ in $(seq 100); do
  tmux -L "$sock" capture-pane -p -t shots | grep -q "Downloaded newer image" && break; sleep 0.2
done
# The layer browser on an image whose last layer deletes an archive.
tmux -L "$sock" send-keys -t shots /
sleep 0.3
tmux -L "$sock" send-keys -t shots -l tool
tmux -L "$sock" send-keys -t shots Enter
sleep 0.5
tmux -L "$sock" send-keys -t shots L
for _ in $(seq 50); do
  tmux -L "$sock" capture-pane -p -t shots | grep -q "Changes of layer 3" && break; sleep 0.2
done
shot tui-layers
tmux -L "$sock" send-keys -t shots Escape
sleep 0.5
tmux -L "$sock" send-keys -t shots q
sleep 0.5
