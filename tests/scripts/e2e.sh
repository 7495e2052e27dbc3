#!/usr/bin/env bash
# Serves the Trunk build in dist/ and runs the end-to-end test in Debian's Chromium.
set -euo pipefail
cd "$(dirname "$0")/../.."
port=${E2E_PORT:-8095}
python3 -m http.server "$port" --bind 127.0.0.1 -d dist >/dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do curl -fs -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
mkdir -p target
(cd tests/e2e && E2E_BASE_URL="http://127.0.0.1:$port/" E2E_SHOT="$PWD/../../target/e2e-breakpoint.png" node --test)
