#!/usr/bin/env bash
# Sets up a fresh machine that has only Node.js (>= 20) and npm: pnpm, then the workspace's dependencies.
set -euo pipefail
cd "$(dirname "$0")/.."

want=12.4.2
if [ "$(pnpm --version 2>/dev/null || true)" != "$want" ]; then
  npm install --global --no-audit --no-fund "pnpm@$want"
fi

# better-sqlite3 compiles against Node's headers. Where the machine ships them (Debian's nodejs, or the
# image's /usr/include/node) use those rather than downloading a headers tarball.
if [ -z "${npm_config_nodedir:-}" ] && [ -f /usr/include/node/node_version.h ]; then
  export npm_config_nodedir=/usr
fi

export TURBO_TELEMETRY_DISABLED=1
pnpm install --frozen-lockfile
