#!/usr/bin/env bash
# Serves dist/ and checks, in headless Chromium, that the page shows the verifier log
# core computed for the first example.
set -euo pipefail
cd "$(dirname "$0")/../.."
port=${SMOKE_PORT:-8093}
source tests/scripts/serve-dist.sh
serve_dist "$port"
profile=$(mktemp -d)
dom=$(chromium --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync --user-data-dir="$profile" \
  --virtual-time-budget=5000 --dump-dom "http://127.0.0.1:$port/" 2>/dev/null)
rm -rf "$profile"
if grep -q '<p id="verdict" class="ok">accepted</p>' <<<"$dom" && grep -q '0: (bf) r6 = r1' <<<"$dom"; then
  echo "smoke: the built app shows core's verifier log for the first example"
else
  echo "smoke: FAILED, the page did not show the expected result. DOM was:" >&2
  echo "$dom" | head -c 4000 >&2
  exit 1
fi
