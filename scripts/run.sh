#!/usr/bin/env bash
# Build berth with seccomp support and open the TUI, installing what is
# missing first: sudo bash scripts/run.sh [berth arguments...]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
berth_root
berth_go
berth_packages "${BERTH_BUILD_PACKAGES[@]}"
go build "${BERTH_BUILD_FLAGS[@]}" -o berth .
exec ./berth "$@"
