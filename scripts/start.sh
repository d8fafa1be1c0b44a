#!/usr/bin/env bash
# npm start [-- --workers N]: install what is missing, then run the stack, the workers and the API in the foreground.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
exec node --import tsx harness/stack/start.ts "$@"
