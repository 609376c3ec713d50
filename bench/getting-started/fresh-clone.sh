#!/usr/bin/env bash
# Fresh clone to the first answer, as a new user meets it: clone, npm ci, npm start, first answer.
# Run by hand (it installs from the registry): bench/getting-started/fresh-clone.sh [cold|warm]
#   cold: an empty npm cache (everything downloaded); warm: your usual npm cache.
set -euo pipefail
mode="${1:-warm}"
repo="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d)"
trap 'kill -- "-$start_pid" 2>/dev/null || true; rm -rf "$work"' EXIT
start_pid=""
cache_args=()
[ "$mode" = cold ] && cache_args=(--cache "$work/npm-cache")

t0=$(date +%s.%N)
git clone --quiet "$repo" "$work/nimbus"
cd "$work/nimbus"
npm ci --no-audit --no-fund "${cache_args[@]}" > "$work/install.log" 2>&1
t_installed=$(date +%s.%N)
setsid npm start -- --port 0 > "$work/start.log" 2>&1 &
start_pid=$!
until url=$(grep -so 'is running at http://[0-9.:]*' "$work/start.log" | cut -d' ' -f4) && [ -n "$url" ] && curl -sf "$url/hello/world" > /dev/null; do sleep 0.05; done
t_answer=$(date +%s.%N)
kill -INT -- "-$start_pid" 2>/dev/null || true; while kill -0 "$start_pid" 2>/dev/null; do sleep 0.1; done
printf '%s npm cache: install %.1f s, npm start to the first answer %.1f s, fresh clone to the first answer %.1f s\n' \
  "$mode" "$(echo "$t_installed - $t0" | bc)" "$(echo "$t_answer - $t_installed" | bc)" "$(echo "$t_answer - $t0" | bc)"
