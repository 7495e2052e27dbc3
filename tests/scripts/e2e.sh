#!/usr/bin/env bash
# Serves the Trunk build in dist/ and runs the end-to-end test in Debian's Chromium.
set -euo pipefail
cd "$(dirname "$0")/../.."
port=${E2E_PORT:-8095}
source tests/scripts/serve-dist.sh
serve_dist "$port"
mkdir -p target
(cd tests/e2e && E2E_BASE_URL="http://127.0.0.1:$port/" E2E_SHOT="$PWD/../../target/e2e-breakpoint.png" node --test)
