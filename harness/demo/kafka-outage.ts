/**
 * npm run demo:kafka-outage — Kafka goes down while 20 orders are placed, and comes back.
 *
 * Brings the local stack up (reusing what runs), migrates and seeds the demo products, spawns its
 * own saga worker, consumers and API (on a free port), then runs demo/kafka-outage.scenario.ts
 * against them, stopping and starting the stack's own Kafka. Prints each step with its numbers and
 * PASS or FAIL. Exit status: 0 pass, 1 fail (or the demo could not run), 130 interrupted.
 *
 * Runs beside `npm start` too: its worker and consumers share the task queues and consumer groups
 * (same code, same database), so either may do the work. Kafka must be the stack's own: the demo
 * stops it, so one started by something else (or elsewhere) is refused.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import {
  freePort,
  logLinesWith,
  spawnChild,
  stopAllChildren,
  tail,
  waitForChild,
  type Child,
} from '../support/children.js';
import { waitUntilPolling } from '../support/task-queue.js';
import { loadConfig } from '../../platform/config/load-config.js';
import { createPrismaClient, type PrismaClient } from '../../prisma/client.js';
import { seedDemoProducts } from '../../prisma/demo-products.js';
import { MIGRATIONS_DIR, migrateDeploy } from '../../prisma/migration-runner.js';
import { logFile, runningPid, stopComponent } from '../stack/components/component.js';
import { stackConfigSchema } from '../stack/config.js';
import { createFullStack } from '../stack/full-stack.js';
import { waitUntil } from '../support/process-control.js';
import { stackDown, stackUp } from '../stack/stack.js';
import { consumerConfigSchema } from '../../workers/consumer.config.js';
import { ORDER_TASK_QUEUE } from '../../workflows/contracts/names.js';
import {
  runKafkaOutageScenario,
  type KafkaOutageResult,
} from '../scenarios/kafka-outage/scenario.js';
import { handleInterruption } from '../support/interruption.js';

const READY_TIMEOUT_MS = 120_000; // the worker bundles its workflows at start
const begun = performance.now();

let config: ReturnType<typeof stackConfigSchema.parse>;
let consumerConfig: ReturnType<typeof consumerConfigSchema.parse>;
try {
  config = loadConfig(stackConfigSchema);
  consumerConfig = loadConfig(consumerConfigSchema);
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
const stack = createFullStack(config);
const kafka = stack.tiers.flat().find((component) => component.name === 'kafka')!;
let logDir: string | undefined;

/** The demo cannot run here (not a failed check): said as such, exit 1. */
class CannotRun extends Error {}

const say = (line: string) =>
  console.log(`[${((performance.now() - begun) / 1000).toFixed(1).padStart(5)} s] ${line}`);

// ── Kafka, as the stack runs it ─────────────────────────────────────────────
/** Set from the moment a stop begins until a start has finished: what to undo if the demo dies. */
let kafkaDown = false;
let kafkaStopping: Promise<unknown> | undefined;
let kafkaStarting: Promise<void> | undefined;

const startKafka = () =>
  (kafkaStarting ??= (async () => {
    await kafkaStopping?.catch(() => {}); // a stop under way ends first
    if (!(await kafka.isHealthy().catch(() => false))) {
      if (runningPid(stack.paths, kafka.name) === undefined) await kafka.start();
      await waitUntil(kafka.name, kafka.isHealthy, {
        timeoutMs: kafka.startTimeoutMs ?? config.STACK_START_TIMEOUT_MS,
        logFile: logFile(stack.paths, kafka.name),
      });
    }
    kafkaDown = false;
  })().finally(() => (kafkaStarting = undefined)));

const stackKafka = {
  async stop() {
    kafkaDown = true;
    kafkaStopping = stopComponent(stack.paths, kafka);
    if (!(await kafkaStopping))
      throw new Error(`kafka at ${kafka.url} is no longer run by this stack; not stopped`);
  },
  start: startKafka,
};

// ── cleanup, once, however the demo ends ────────────────────────────────────
let startedComponents: string[] = [];
const closers: (() => Promise<unknown>)[] = [];
let stopping = false;
let finishing: Promise<never> | undefined;

function finish(exitCode: number): Promise<never> {
  finishing ??= (async () => {
    stopping = true;
    if (kafkaDown) {
      say('Kafka was left stopped: starting it again');
      await startKafka().catch((error: unknown) =>
        console.error(
          `could not start Kafka again (${error instanceof Error ? error.message : String(error)}); run: npm run stack -- up`,
        ),
      );
    }
    await stopAllChildren();
    for (const close of closers.reverse()) await close().catch(() => {});
    if (startedComponents.length > 0) await stackDown(stack, startedComponents, say);
    process.exit(exitCode); // the exit hook of bench/support/children.ts kills any straggler
  })();
  return finishing;
}

const interruption = handleInterruption({
  cleanUp: () => finish(130),
  beforeForcedExit: () => {
    if (kafkaDown) console.error('Kafka may still be stopped: npm run stack -- up');
  },
});

// ── the processes under test ────────────────────────────────────────────────
async function spawnProcesses(
  client: Client,
  dir: string,
): Promise<{ base: string; children: Child[] }> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const worker = spawnChild('worker', 'workers/saga-worker.ts', {}, path.join(dir, 'worker.log'));
  // Readiness is read from their log, so they log JSON at info whatever LOG_LEVEL/LOG_FORMAT say.
  const consumers = spawnChild(
    'consumers',
    'workers/consumer-worker.ts',
    { LOG_LEVEL: 'info', LOG_FORMAT: 'json' },
    path.join(dir, 'consumers.log'),
  );
  const api = spawnChild(
    'api',
    'api/server.ts',
    { API_HOST: '127.0.0.1', API_PORT: String(port) },
    path.join(dir, 'api.log'),
  );
  const groups = [consumerConfig.LOYALTY_CONSUMER_GROUP, consumerConfig.ORDER_VIEW_CONSUMER_GROUP];
  await Promise.all([
    waitUntilPolling(worker, client, config.TEMPORAL_NAMESPACE, ORDER_TASK_QUEUE, READY_TIMEOUT_MS),
    waitForChild(
      consumers,
      'consuming',
      async () => {
        const running = logLinesWith(consumers.logFile, '"msg":"consumer running"');
        return groups.every((group) =>
          running.some((line) => line.includes(`"consumer":"${group}"`)),
        );
      },
      READY_TIMEOUT_MS,
    ),
    waitForChild(
      api,
      'answering',
      async () => (await fetch(`${base}/openapi.json`)).status === 200,
      READY_TIMEOUT_MS,
    ),
  ]);
  return { base, children: [worker, consumers, api] };
}

/** Rejects when one of the children exits before the demo ends. */
const anyExit = (children: Child[]) =>
  new Promise<never>((_, reject) => {
    for (const child of children) {
      void child.exited.then((how) => {
        if (!stopping)
          reject(
            new Error(`${child.name} exited (${how}) during the demo:\n${tail(child.logFile)}`),
          );
      });
    }
  });

function summary(result: KafkaOutageResult): string {
  const { outage, recovery, audit } = result;
  return [
    '',
    `PASS  ${result.orderIds.length} orders confirmed with Kafka down (in ${(outage.placeOrdersMs / 1000).toFixed(1)} s); ` +
      `${outage.unpublished} events waited in the outbox, relay ${outage.relayState} (attempt ${outage.relayAttempt})`,
    `      Kafka back in ${(recovery.kafkaStartMs / 1000).toFixed(1)} s; then backlog 0 after ${(recovery.drainedMs / 1000).toFixed(1)} s, ` +
      `relay healthy after ${(recovery.relayRecoveredMs / 1000).toFixed(1)} s, read models complete after ${(recovery.readModelsMs / 1000).toFixed(1)} s`,
    `      exactly once: ${result.events} events, processed_events ${Object.values(audit.processedRows).join(' + ')}, ` +
      `${audit.points} == ${result.expectedPoints} points` +
      (audit.kafkaMessages === null ? '' : `, ${audit.kafkaMessages} messages on Kafka`),
  ].join('\n');
}

async function main(): Promise<KafkaOutageResult> {
  if (!kafka.managed)
    throw new CannotRun(
      `Kafka (KAFKA_BROKERS=${kafka.url}) is not a single broker on this machine, so this stack does not ` +
        'manage it; the demo stops and starts Kafka and only does that to the stack’s own.',
    );
  if (
    runningPid(stack.paths, kafka.name) === undefined &&
    (await kafka.isHealthy().catch(() => false))
  )
    throw new CannotRun(
      `Kafka at ${kafka.url} runs, but was not started by this stack (external: no pid in ${stack.paths.pids}); ` +
        'the demo stops and starts Kafka and only does that to the stack’s own. Stop that broker, or point ' +
        'KAFKA_BROKERS elsewhere and let the stack start one.',
    );

  say('bringing the stack up');
  startedComponents = await stackUp(stack, config.STACK_START_TIMEOUT_MS, (line) =>
    say(`  ${line}`),
  );
  if (runningPid(stack.paths, kafka.name) === undefined)
    throw new CannotRun(
      `Kafka at ${kafka.url} is not run by this stack; the demo will not stop it`,
    );
  const { applied } = await migrateDeploy(config.DATABASE_URL, MIGRATIONS_DIR);
  if (applied.length > 0) say(`  applied migrations: ${applied.join(', ')}`);
  const prisma: PrismaClient = createPrismaClient({ url: config.DATABASE_URL, poolMax: 4 });
  closers.push(() => prisma.$disconnect());
  const seeded = await seedDemoProducts(prisma);
  if (seeded > 0) say(`  seeded ${seeded} demo product(s)`);

  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  closers.push(() => connection.close());
  const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'durable-sagas-kafka-outage-'));
  say(`starting a saga worker, the consumers and an API (logs in ${logDir})`);
  const { base, children } = await spawnProcesses(client, logDir);
  say(`ready: API at ${base}`);

  return Promise.race([
    runKafkaOutageScenario({
      api: (route, init) => fetch(`${base}${route}`, init),
      kafka: stackKafka,
      prisma,
      consumerGroups: {
        loyalty: consumerConfig.LOYALTY_CONSUMER_GROUP,
        orderView: consumerConfig.ORDER_VIEW_CONSUMER_GROUP,
      },
      narrate: (line) => {
        if (!interruption.signal.aborted) say(line);
      },
      signal: interruption.signal,
      topics: { brokers: config.KAFKA_BROKERS, prefix: consumerConfig.KAFKA_TOPIC_PREFIX },
    }),
    anyExit(children),
  ]);
}

try {
  const result = await main();
  console.log(summary(result));
  await finish(0);
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof CannotRun) {
    console.error(`demo:kafka-outage cannot run: ${message}`);
  } else if (!interruption.interrupted) {
    console.error(`\nFAIL  ${message}`);
    if (logDir) console.error(`      logs of the worker, consumers and API: ${logDir}`);
  }
  await finish(interruption.interrupted ? 130 : 1);
}
