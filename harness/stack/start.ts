import { loadConfigOrExit } from '../../platform/config/load-config.js';
import { chooseLogFormat } from '../../platform/config/logger.js';
import { MIGRATIONS_DIR, migrateDeploy } from '../../prisma/migration-runner.js';
import { createPrismaClient } from '../../prisma/client.js';
import { seedDemoProducts } from '../../prisma/demo-products.js';
import { apiConfigSchema } from '../../api/api.config.js';
import { workerConfigSchema } from '../../workers/worker.config.js';
import { availableMetricsPort } from '../../workers/temporal/metrics-port.js';
import { stackConfigSchema, parseHostPort } from './config.js';
import { createFullStack } from './full-stack.js';
import { canConnect, waitUntil } from '../support/process-control.js';
import { stackDown, stackUp } from './stack.js';
import { appProcesses, parseStartArgs, sagaWorkerSlots } from './app-processes.js';
import { createSupervisor } from './supervisor.js';

/**
 * `npm start [-- --workers N]`: the stack, migrations, demo data, N saga workers (sagas + relay),
 * the consumers and the API, in the foreground. A process that dies is restarted (supervisor.ts).
 */
const options = parseOptionsOrExit();
const config = loadConfigOrExit(stackConfigSchema);
const api = loadConfigOrExit(apiConfigSchema);
const worker = loadConfigOrExit(workerConfigSchema);
const stack = createFullStack(config);
const supervisor = createSupervisor({ onCrashLoop: () => void shutdown(1) });
let startedComponents: string[] = [];
let stopping = false;

function parseOptionsOrExit() {
  try {
    return parseStartArgs(process.argv.slice(2));
  } catch (error) {
    console.error(`npm start: ${(error as Error).message}`);
    process.exit(2);
  }
}

async function shutdown(exitCode: number) {
  if (stopping) return;
  stopping = true;
  console.log('\nstopping…');
  await supervisor.stop();
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

  // Worker i's metrics on the base port + i - 1, or on a free one if another process holds that.
  const workers = await Promise.all(
    sagaWorkerSlots(options.workers, worker.WORKER_METRICS_PORT).map(async (slot) => ({
      ...slot,
      metricsPort: await availableMetricsPort(worker.WORKER_METRICS_HOST, slot.metricsPort),
    })),
  );
  // Log format: the children would each look at their own stdout; decide once, from ours, so a pipe
  // (`npm start | tee`) gets JSON from all of them and a terminal pretty lines. LOG_FORMAT still wins.
  const logFormat = chooseLogFormat(api.LOG_FORMAT, process.stdout.isTTY === true);
  for (const spec of appProcesses(workers, { LOG_FORMAT: logFormat })) supervisor.run(spec);
  await waitUntil('api', () => canConnect(api.API_HOST, api.API_PORT), { timeoutMs: 60_000 });

  const ui = `http://${parseHostPort(config.TEMPORAL_ADDRESS).host}:${config.TEMPORAL_UI_PORT}`;
  const base = `http://${api.API_HOST}:${api.API_PORT}`;
  const workerMetrics =
    worker.WORKER_METRICS_PORT > 0
      ? workers
          .map(({ metricsPort }) => `http://${worker.WORKER_METRICS_HOST}:${metricsPort}/metrics`)
          .join(', ')
      : 'off';
  const workerPids = workers.map(({ name }) => `${name} (pid ${supervisor.pidOf(name) ?? '-'})`);
  console.log(`
durable-sagas is ready in ${((Date.now() - begun) / 1000).toFixed(1)} s
  API              ${base}          (try: curl ${base}/products)
  API docs         ${base}/docs
  Event log        ${base}/event-log?after=0  outbox/relay status: ${base}/admin/outbox
  Metrics          ${base}/metrics     (${workers.length > 1 ? 'workers' : 'worker'}: ${workerMetrics})
  Saga workers     ${workerPids.join(', ')}: one that dies is restarted
  Temporal Web UI  ${ui}
  Payment gateway  ${config.PAYMENT_GATEWAY_URL}
Ctrl-C stops everything this command started.
`);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  await shutdown(1);
}
