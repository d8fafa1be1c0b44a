import type { ChildProcess } from 'node:child_process';
import { loadConfigOrExit } from '../../platform/config/load-config.js';
import { chooseLogFormat } from '../../platform/config/logger.js';
import { MIGRATIONS_DIR, migrateDeploy } from '../../prisma/migration-runner.js';
import { createPrismaClient } from '../../prisma/client.js';
import { seedDemoProducts } from '../../prisma/demo-products.js';
import { apiConfigSchema } from '../../api/api.config.js';
import { workerConfigSchema } from '../../workers/worker.config.js';
import { stackConfigSchema, parseHostPort } from './config.js';
import { createFullStack } from './full-stack.js';
import { canConnect, waitUntil } from '../support/process-control.js';
import { PROJECT_ROOT, spawnProcess, tsxEntryArgs } from '../support/spawn.js';
import { stackDown, stackUp } from './stack.js';

/** `npm start`: the stack, migrations, demo data, a worker (sagas + relay), the consumers and the API, in the foreground. */
const config = loadConfigOrExit(stackConfigSchema);
const api = loadConfigOrExit(apiConfigSchema);
const worker = loadConfigOrExit(workerConfigSchema);
const stack = createFullStack(config);
const children: ChildProcess[] = [];
let startedComponents: string[] = [];
let stopping = false;

// Log format: the children would each look at their own stdout; decide once, from ours, so a pipe
// (`npm start | tee`) gets JSON from all of them and a terminal pretty lines. LOG_FORMAT still wins.
const childEnv: NodeJS.ProcessEnv = {
  ...process.env,
  LOG_FORMAT: chooseLogFormat(api.LOG_FORMAT, process.stdout.isTTY === true),
};

function run(name: string, script: string): ChildProcess {
  const { process: child } = spawnProcess({
    name,
    command: process.execPath,
    args: tsxEntryArgs(script),
    cwd: PROJECT_ROOT,
    env: childEnv,
    output: 'inherit',
  });
  child.on('exit', (code, signal) => {
    if (!stopping) {
      console.error(`${name} exited (${signal ?? `code ${code}`}); stopping`);
      void shutdown(1);
    }
  });
  children.push(child);
  return child;
}

async function shutdown(exitCode: number) {
  if (stopping) return;
  stopping = true;
  console.log('\nstopping…');
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
          setTimeout(() => child.kill('SIGKILL'), 15_000).unref();
        }),
    ),
  );
  await stackDown(stack, startedComponents);
  process.exit(exitCode);
}

process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

try {
  const begun = Date.now();
  startedComponents = await stackUp(stack, config.STACK_START_TIMEOUT_MS);
  const { applied } = await migrateDeploy(config.DATABASE_URL, MIGRATIONS_DIR);
  if (applied.length) console.log(`applied migrations: ${applied.join(', ')}`);
  const prisma = createPrismaClient({ url: config.DATABASE_URL, poolMax: 2 });
  await seedDemoProducts(prisma).finally(() => prisma.$disconnect());

  run('worker', 'workers/saga-worker.ts');
  run('consumers', 'workers/consumer-worker.ts');
  run('api', 'api/server.ts');
  await waitUntil('api', () => canConnect(api.API_HOST, api.API_PORT), { timeoutMs: 60_000 });

  const ui = `http://${parseHostPort(config.TEMPORAL_ADDRESS).host}:${config.TEMPORAL_UI_PORT}`;
  const base = `http://${api.API_HOST}:${api.API_PORT}`;
  console.log(`
durable-sagas is ready in ${((Date.now() - begun) / 1000).toFixed(1)} s
  API              ${base}          (try: curl ${base}/products)
  API docs         ${base}/docs
  Event log        ${base}/event-log?after=0  outbox/relay status: ${base}/admin/outbox
  Metrics          ${base}/metrics     (worker: ${worker.WORKER_METRICS_PORT > 0 ? `http://${worker.WORKER_METRICS_HOST}:${worker.WORKER_METRICS_PORT}/metrics` : 'off'})
  Temporal Web UI  ${ui}
  Payment gateway  ${config.PAYMENT_GATEWAY_URL}
Ctrl-C stops everything this command started.
`);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  await shutdown(1);
}
