#!/usr/bin/env bash
# The whole test suite on a busy machine: `pnpm test` (turbo's cache bypassed) with two CPU-burning
# processes beside it, RUNS times in a row (default 3); fails on the first failing run. Afterwards no
# gpg-agent of a test's temporary GnuPG home may be left running.
#   bash scripts/check-under-load.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-3}"

burners=()
stop_burners() { for pid in "${burners[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap stop_burners EXIT
for _ in 1 2; do
  node -e 'for (;;) {}' &
  burners+=("$!")
done

for run in $(seq 1 "$runs"); do
  started=$(date +%s)
  echo "=== under load: run $run of $runs"
  pnpm turbo run test --force --output-logs=errors-only
  echo "=== run $run passed in $(( $(date +%s) - started ))s"
done

# A test that started a gpg-agent for its temporary GnuPG home kills it before removing the home: an
# agent whose home is gone was leaked (agents of homes that still exist may belong to a suite running now).
leaked=()
while read -r pid home; do
  [ -d "$home" ] || leaked+=("$pid $home")
done < <(pgrep -a gpg-agent | sed -nE 's#^([0-9]+) .*--homedir (/[^ ]*signet-[^ ]*).*#\1 \2#p')
if [ "${#leaked[@]}" -gt 0 ]; then
  printf 'gpg-agents of removed test homes are still running:\n' >&2
  printf '  %s\n' "${leaked[@]}" >&2
  exit 1
fi
echo "=== $runs runs under load passed; no test left a gpg-agent behind"
