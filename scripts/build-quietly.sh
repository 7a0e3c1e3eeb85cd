#!/usr/bin/env bash
# The build step of `pnpm demo`: turbo's banner, task summary and first-run telemetry notice would open
# the demo, which is the first thing a newcomer sees. Say nothing on success; on failure print all of
# turbo's output.
set -euo pipefail
cd "$(dirname "$0")/.."
export TURBO_TELEMETRY_DISABLED=1
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! pnpm exec turbo run build --output-logs=errors-only >"$log" 2>&1; then
  cat "$log" >&2
  echo "pnpm demo: the build failed (turbo's output above)" >&2
  exit 1
fi
