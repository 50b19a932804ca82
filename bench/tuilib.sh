# Shared set-up of the TUI benchmarks (bench/tui-*.sh), sourced from the
# repository's root: `. bench/tuilib.sh; tui_setup NAME`. It makes a scratch
# root in /tmp/berth-NAME.XXXXXX, builds berth and the test registry there
# (from $SRC, the repository by default), pulls busybox from a registry on
# 127.0.0.1 that it stops again, and cleans everything up on exit: the tmux
# server $SOCK and its socket, the registry, the containers, the root and
# its bridge with its firewall rules. After it: $out, $B (berth on the scratch root), $SOCK, $IMG.

tui_cleanup() {
  tmux -L "$SOCK" kill-server 2>/dev/null || true
  rm -f "/tmp/tmux-$(id -u)/$SOCK"
  [ -n "$regpid" ] && kill "$regpid" 2>/dev/null || true
  ids=$($B ps -aq 2>/dev/null || true)
  [ -n "$ids" ] && $B rm -f $ids >/dev/null 2>&1 || true
  br=$($B network inspect -f '{{index .Options "com.docker.network.bridge.name"}}' bridge 2>/dev/null || true)
  rm -rf "$out"
  [ -n "$br" ] && ip link del "$br" 2>/dev/null || true
  # The bridge's firewall rules: a root removed by hand leaves them.
  [ -n "$br" ] && for t in filter nat; do
    iptables-save -t "$t" | grep -- "$br" | sed 's/^-A /-D /' | while read -r r; do eval iptables -t "$t" "$r"; done
  done || true
}

tui_setup() { # NAME
  out=$(mktemp -d "/tmp/berth-$1.XXXXXX")
  B="$out/bin/berth --root $out/root --run-root $out/run"
  SOCK="berth-$1-$$"
  regpid=""
  trap tui_cleanup EXIT
  (cd "${SRC:-.}" && go build -tags seccomp -o "$out/bin/berth" . && go build -o "$out/bin/testreg" ./internal/testreg)
  local port=$((20000 + $$ % 20000))
  "$out/bin/testreg" -addr "127.0.0.1:$port" -big-layers 0 -pidfile "$out/reg.pid" >/dev/null 2>&1 &
  regpid=$!
  for _ in $(seq 50); do [ -s "$out/reg.pid" ] && break; sleep 0.1; done
  IMG="127.0.0.1:$port/busybox"
  $B pull -q "$IMG" >/dev/null
  kill "$regpid"; wait "$regpid" 2>/dev/null || true; regpid=""
}
