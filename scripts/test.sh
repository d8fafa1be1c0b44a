#!/usr/bin/env bash
# npm test: install what is missing, typecheck, lint, then unit, replay and integration tests
# (the integration setup provisions and starts the real stack, and stops what it started).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
echo "[test] typecheck"
npx tsc -p .
echo "[test] lint"
npx eslint --max-warnings=0 .
exec npx vitest run "$@"
