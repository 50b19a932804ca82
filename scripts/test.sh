#!/usr/bin/env bash
# Run every test, installing what is missing first: sudo bash scripts/test.sh
# The tests need root (layers carry owners and device nodes, containers run
# for real), busybox-static (the base of the test images), tmux (the TUI is
# driven in tmux), util-linux (setpriv), procps (pgrep, for leak checks).
# Then each fuzzer runs briefly (FUZZTIME, default 10s; 0 skips them).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
berth_root
berth_go
berth_packages "${BERTH_BUILD_PACKAGES[@]}" busybox-static tmux util-linux procps iproute2
go test "${BERTH_BUILD_FLAGS[@]}" -count=1 ./...
if [ "${FUZZTIME:-10s}" != 0 ]; then
	bash scripts/fuzz.sh "${FUZZTIME:-10s}"
fi
