#!/usr/bin/env bash
# npm start: install what is missing, then run the stack, a worker and the API in the foreground.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
exec node --import tsx harness/stack/start.ts
