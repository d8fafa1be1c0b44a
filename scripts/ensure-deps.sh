#!/usr/bin/env bash
# Installs what the project needs from the lockfile, and generates the Prisma client.
# Quick when nothing changed; servers are provisioned on first use by harness/stack/provision.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

node -e 'const [a,b]=process.versions.node.split(".").map(Number); if (a<20||(a===20&&b<19)) { console.error(`Node >= 20.19 is required (found ${process.versions.node})`); process.exit(1); }'

stamp=node_modules/.durable-sagas-lock
lock_hash=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$lock_hash" ]; then
  echo "[deps] npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$lock_hash" > "$stamp"
fi

schema_hash=$(cat prisma/schema.prisma package-lock.json | sha256sum | cut -d' ' -f1)
if [ ! -f generated/prisma/client.ts ] || [ "$(cat generated/.schema-hash 2>/dev/null)" != "$schema_hash" ]; then
  echo "[deps] prisma generate"
  # The schema engine binary cannot be downloaded offline; generating the client does not need it.
  PRISMA_SCHEMA_ENGINE_BINARY=/dev/null npx prisma generate >/dev/null
  echo "$schema_hash" > generated/.schema-hash
fi
