#!/usr/bin/env bash
# npm test: install what is missing, typecheck, lint, check formatting, then unit, replay and integration tests
# (the integration setup provisions and starts the real stack, and stops what it started).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
echo "[test] typecheck"
npx tsc -p .
echo "[test] lint"
npx eslint --max-warnings=0 .
echo "[test] format"
# Lists each file Prettier would change and fails; `npx prettier --write .` fixes them.
npx prettier --check --log-level warn .
exec npx vitest run "$@"
