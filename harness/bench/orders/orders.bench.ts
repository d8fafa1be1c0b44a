/**
 * Order saga throughput and latency against the real local stack, beside Temporal's own ceiling.
 *
 *   npm run bench:orders -- [--duration 20] [--warmup 5] [--concurrency 50] [--skip-ceiling]
 *                           [--scenarios rest,client,ceiling,...] [--workers 1] [--saga-worker real|...]
 *   (npm run bench:orders -- --help lists every option)
 *
 * Spawns the real API (api/server.ts) and worker (workers/saga-worker.ts) with `node --import tsx`,
 * passing the environment through (WORKER_MAX_CONCURRENT_*, DATABASE_POOL_MAX, LOG_LEVEL, ...), and a
 * no-op worker (bench/bench-worker.ts) for the ceiling. Each scenario runs a closed loop of
 * `concurrency` clients: warm-up, then a measured phase; one scenario at a time.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection, type WorkflowStartOptions } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { pino } from 'pino';
import { createTemporalOrderCommands } from '../../../api/orders/temporal-order.commands.js';
import { loadConfigOrExit } from '../../../platform/config/load-config.js';
import { createPrismaClient } from '../../../prisma/client.js';
import { ORDER_TASK_QUEUE, orderWorkflowId } from '../../../workflows/contracts/names.js';
import {
  CustomerIdAttribute,
  OrderStatusAttribute,
} from '../../../workflows/contracts/search-attributes.js';
import type { OrderSagaInput, OrderSagaResult } from '../../../workflows/orders/order.types.js';
import type { NoopSagaInput } from '../workflows/noop/workflows.js';
import { benchOrderPrefix, createBenchProduct, deleteRunData } from '../support/bench-data.js';
import {
  createBenchWorker,
  type BenchWorker,
  type BenchWorkerKind,
} from '../support/bench-workers.js';
import {
  freePort,
  spawnChild,
  stopAllChildren,
  waitForChild,
  type Child,
} from '../../support/children.js';
import {
  cpuSnapshot,
  cpuSplit,
  isOutside,
  machineBusy,
  type CpuSnapshot,
  type KnownPids,
} from '../support/cpu.js';
import { runClosedLoop, summarize, type Outcome } from '../support/load.js';
import {
  cpuTable,
  errorLines,
  rate,
  resultsTable,
  targetLines,
  type ScenarioResult,
  type Targets,
} from '../support/report.js';
import {
  BENCH_ONLY_SETTINGS,
  WORKER_SETTINGS,
  benchWorkerConfigSchema,
} from '../support/worker-tuning.js';
import { isAlive } from '../../support/process-control.js';
import { benchArgs } from '../support/cli-args.js';
import { errorText } from '../../../platform/config/error-text.js';

const TARGETS: Targets = { throughput: 300, p99Ms: 500, ratio: 0.7 };
const REFERENCE =
  'DBOS (Postgres-only durable workflows, embedded Postgres): ~310 sagas/s, p99 ≈ 425 ms at concurrency 50';
const REQUEST_TIMEOUT_MS = 45_000; // above the API's default wait (ORDER_WAIT_TIMEOUT_MS, 30 s)
const RESULT_TIMEOUT_MS = 45_000;
const READY_TIMEOUT_MS = 90_000; // a worker bundles its workflows at start: seconds on 2 busy cores
const SETTLE_MS = 2_000; // between scenarios
const WORKFLOW_TASK_QUEUE_TYPE = 1; // temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW

const USAGE = `usage: npm run bench:orders -- [options]
  --duration <s>        measured phase per scenario (default 20)
  --warmup <s>          warm-up before each measured phase (default 5)
  --concurrency <n>     closed-loop clients (default 50)
  --skip-ceiling        leave out the no-op ceiling
  --scenarios <list>    comma list, default rest,client,ceiling; also: ceiling-sa, ceiling-local,
                        ceiling-eager, ceiling-local-eager, saga-local, saga-eager, saga-local-eager
  --workers <n>         worker processes per task queue (default 1)
  --saga-worker <kind>  what serves the order queue:
                          real          workers/saga-worker.ts (default)
                          bench         bench/bench-worker.ts, which also takes WORKER_WORKFLOW_POLLERS,
                                        WORKER_ACTIVITY_POLLERS, WORKER_MAX_EAGER_ACTIVITIES and
                                        WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES
                          bench-local   the same, running orderSaga with local activities
                          in-api        no worker process: bench/api-with-worker.ts replaces the API and
                                        runs the worker inside it, starts eager (BENCH_EAGER_START);
                                        --workers N runs N of them, the REST clients spread over them
                          in-api-local  the same with local activities
  --json <file>         also write the results as JSON
  --keep-data           keep this run's product and orders (by default they are deleted at the end;
                        the payment gateway's ledger and Temporal's histories always stay)
Worker settings come from the environment, as for the real processes (see workers/config.ts).`;

// ── arguments and configuration ─────────────────────────────────────────────
const cli = benchArgs(USAGE, {
  duration: { type: 'string', default: '20' },
  warmup: { type: 'string', default: '5' },
  concurrency: { type: 'string', default: '50' },
  'skip-ceiling': { type: 'boolean', default: false },
  scenarios: { type: 'string', default: 'rest,client,ceiling' },
  workers: { type: 'string', default: '1' },
  'saga-worker': { type: 'string', default: 'real' },
  json: { type: 'string' },
  'keep-data': { type: 'boolean', default: false },
  help: { type: 'boolean', default: false },
});
const args = cli.values;
const { fail } = cli;
const durationMs = cli.durationMs('duration', args.duration);
const warmupMs = cli.durationMs('warmup', args.warmup);
const concurrency = cli.integer('concurrency', args.concurrency, 1, 1_000);
const workerCount = cli.integer('workers', args.workers, 1, 8);
if (durationMs < 1_000 || durationMs > 600_000) fail('--duration: from 1 s to 10 min');
if (warmupMs > 300_000) fail('--warmup: at most 5 min');
const SAGA_WORKERS = ['real', 'bench', 'bench-local', 'in-api', 'in-api-local'] as const;
const sagaWorker = args['saga-worker'] as (typeof SAGA_WORKERS)[number];
if (!SAGA_WORKERS.includes(sagaWorker))
  fail(`--saga-worker: one of ${SAGA_WORKERS.join(', ')}, got "${sagaWorker}"`);
const workerInApi = sagaWorker === 'in-api' || sagaWorker === 'in-api-local';
const sagaKind: BenchWorkerKind = sagaWorker.endsWith('-local') ? 'saga-local' : 'saga';

const config = loadConfigOrExit(benchWorkerConfigSchema);
// All traffic stays on this machine.
const hosts = {
  DATABASE_URL: new URL(config.DATABASE_URL).hostname,
  TEMPORAL_ADDRESS: config.TEMPORAL_ADDRESS.slice(0, config.TEMPORAL_ADDRESS.lastIndexOf(':')),
  PAYMENT_GATEWAY_URL: new URL(config.PAYMENT_GATEWAY_URL).hostname,
};
for (const [name, host] of Object.entries(hosts)) {
  if (!['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host))
    fail(`${name} points at ${host}: the benchmark only runs against 127.0.0.1`);
}

const runId = randomBytes(4).toString('hex');
const logDir = path.join(os.tmpdir(), `durable-sagas-bench-${runId}`);
fs.mkdirSync(logDir, { recursive: true });
const queues = {
  noop: `bench-noop-${runId}`,
  sagaLocal: `bench-saga-${runId}`,
  eagerNoop: `bench-eager-noop-${runId}`,
  eagerSaga: `bench-eager-saga-${runId}`,
};

// In-process workers (eager start) log through the core runtime: warnings only, on our stderr.
Runtime.install({ logger: new DefaultLogger('WARN') });

const abort = new AbortController();
let interruptedAt: number | undefined;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    // npm and tsx relay a terminal's Ctrl-C that reached us already: a repeat within a second is the same one.
    if (interruptedAt !== undefined) {
      if (Date.now() - interruptedAt > 1_000) process.exit(130); // the exit hook still kills our children
      return;
    }
    interruptedAt = Date.now();
    console.error(`\n${signal}: stopping (again to force)`);
    abort.abort();
  });
}

// ── resources, created the first time a scenario needs them ────────────────
const once = <T>(create: () => Promise<T>) => {
  let value: Promise<T> | undefined;
  return () => (value ??= create());
};

const known: KnownPids = new Map([[process.pid, 'bench (load + client)']]);
const cleanups: (() => Promise<unknown>)[] = [];

const prisma = createPrismaClient({ url: config.DATABASE_URL, poolMax: 2 });
cleanups.push(() => prisma.$disconnect());

const benchProduct = once(() => createBenchProduct(prisma, runId));

/** Like the API's: a @temporalio/client (grpc-js) connection. */
const grpcClient = once(async () => {
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  cleanups.push(() => connection.close());
  return new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
});

/** Eager workflow start needs the client on the NativeConnection of a worker in this process. */
const nativeClient = once(async () => {
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  cleanups.push(() => connection.close());
  return { connection, client: new Client({ connection, namespace: config.TEMPORAL_NAMESPACE }) };
});

async function pollerIdentities(
  taskQueue: string,
): Promise<{ identity: string; lastAccess: number }[]> {
  const client = await grpcClient();
  const { pollers } = await client.workflowService.describeTaskQueue({
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: { name: taskQueue },
    taskQueueType: WORKFLOW_TASK_QUEUE_TYPE,
  });
  return (pollers ?? []).map((p) => ({
    identity: p.identity ?? '',
    lastAccess: Number(p.lastAccessTime?.seconds ?? 0) * 1000,
  }));
}

/** A worker process of ours is ready once it polls (the SDK's identity is `<pid>@<hostname>`). */
async function waitUntilPolling(child: Child, taskQueue: string) {
  const identity = `${child.pid}@${os.hostname()}`;
  await waitForChild(
    child,
    `polling ${taskQueue}`,
    async () => (await pollerIdentities(taskQueue)).some((p) => p.identity === identity),
    READY_TIMEOUT_MS,
  );
}

/** Another live worker on the order queue would take part of the load and skew the numbers. */
async function warnAboutForeignWorkers(taskQueue: string, ours: Set<number>) {
  for (const { identity, lastAccess } of await pollerIdentities(taskQueue)) {
    const [pid, host] = identity.split('@');
    const alive =
      host === os.hostname()
        ? isAlive(Number(pid)) && !ours.has(Number(pid))
        : Date.now() - lastAccess < 90_000;
    if (alive)
      console.warn(
        `warning: another worker (${identity}) polls ${taskQueue}: it takes part of the load`,
      );
  }
}

async function spawnWorkers(
  group: string,
  taskQueue: string,
  kind: 'real' | BenchWorkerKind,
): Promise<Child[]> {
  const children = Array.from({ length: workerCount }, (_, i) => {
    const name = `${group}-${i + 1}`;
    const child =
      kind === 'real'
        ? spawnChild(name, 'workers/saga-worker.ts', {}, path.join(logDir, `${name}.log`))
        : spawnChild(
            name,
            'harness/bench/bench-worker.ts',
            { BENCH_WORKER_KIND: kind, BENCH_TASK_QUEUE: taskQueue },
            path.join(logDir, `${name}.log`),
          );
    known.set(child.pid, group);
    return child;
  });
  await Promise.all(children.map((child) => waitUntilPolling(child, taskQueue)));
  return children;
}

const sagaWorkers = once(async () => {
  await warnAboutForeignWorkers(ORDER_TASK_QUEUE, new Set());
  const children = workerInApi
    ? (await api()).children
    : await spawnWorkers(
        'order worker',
        ORDER_TASK_QUEUE,
        sagaWorker === 'real' ? 'real' : sagaKind,
      );
  await warnAboutForeignWorkers(ORDER_TASK_QUEUE, new Set(children.map((c) => c.pid)));
  return children;
});
const noopWorkers = once(() => spawnWorkers('no-op worker', queues.noop, 'noop'));
const localSagaWorkers = once(() => spawnWorkers('bench saga worker', queues.sagaLocal, 'saga'));

/** The API; with the worker inside it (`in-api*`), one process per `--workers`, requests spread over them. */
const api = once(async () => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  cleanups.push(async () => agent.destroy());
  const start = async (i: number) => {
    const port = await freePort();
    const name = workerInApi && workerCount > 1 ? `api-${i + 1}` : 'api';
    const env = { API_HOST: '127.0.0.1', API_PORT: String(port) };
    const child = workerInApi
      ? spawnChild(
          name,
          'harness/bench/api-with-worker.ts',
          { ...env, BENCH_WORKER_KIND: sagaKind },
          path.join(logDir, `${name}.log`),
        )
      : spawnChild(name, 'api/server.ts', env, path.join(logDir, `${name}.log`));
    known.set(child.pid, workerInApi ? 'api + order worker' : 'api');
    await waitForChild(
      child,
      'answering',
      async () => (await request(agent, port, 'GET', '/products')).status === 200,
      READY_TIMEOUT_MS,
    );
    if (workerInApi) await waitUntilPolling(child, ORDER_TASK_QUEUE);
    return { port, child };
  };
  const instances = await Promise.all(
    Array.from({ length: workerInApi ? workerCount : 1 }, (_, i) => start(i)),
  );
  return { agent, ports: instances.map((i) => i.port), children: instances.map((i) => i.child) };
});

const inProcessWorkers: { bench: BenchWorker; running: Promise<void> }[] = [];
const inProcessWorker = (kind: BenchWorkerKind, taskQueue: string) =>
  once(async () => {
    const { connection } = await nativeClient();
    const logger = pino(
      { name: `bench-in-process-${kind}`, level: config.LOG_LEVEL },
      pino.destination(path.join(logDir, `in-process-${kind}.log`)),
    );
    const bench = await createBenchWorker({ kind, connection, taskQueue, config, logger });
    const running = bench.worker.run().catch((error: unknown) => {
      console.error(`in-process ${kind} worker failed: ${errorText(error)}`);
      abort.abort();
    });
    inProcessWorkers.push({ bench, running });
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (bench.worker.getState() !== 'RUNNING') {
      if (Date.now() > deadline || abort.signal.aborted)
        throw new Error(`in-process ${kind} worker: not running (${bench.worker.getState()})`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });
const eagerNoopWorker = inProcessWorker('noop', queues.eagerNoop);
const eagerSagaWorker = inProcessWorker('saga', queues.eagerSaga);

// ── requests ────────────────────────────────────────────────────────────────
function request(
  agent: http.Agent,
  port: number,
  method: string,
  route: string,
  headers: Record<string, string> = {},
  body?: string,
) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method, path: route, agent, headers },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        res.on('error', reject);
      },
    );
    req.setTimeout(REQUEST_TIMEOUT_MS, () =>
      req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS / 1000} s`)),
    );
    req.on('error', reject);
    req.end(body);
  });
}

const orderKey = (scenario: string, seq: number) => `${benchOrderPrefix(runId)}${scenario}-${seq}`;

async function orderInput(orderId: string, seq: number): Promise<OrderSagaInput> {
  return {
    orderId,
    customerId: `bench-customer-${seq % 100}`,
    items: [{ sku: await benchProduct(), quantity: 1 }],
    paymentToken: 'tok_visa',
    paymentDeadlineSeconds: 60,
  };
}

/** The start options the API uses (api/temporal-order-commands.ts), for a given queue and workflow type. */
function orderStartOptions(
  input: OrderSagaInput,
  workflowId: string,
  taskQueue: string,
  eager: boolean,
): WorkflowStartOptions {
  return {
    taskQueue,
    workflowId,
    args: [input],
    workflowIdReusePolicy: 'REJECT_DUPLICATE',
    typedSearchAttributes: [
      { key: OrderStatusAttribute, value: 'PENDING' },
      { key: CustomerIdAttribute, value: input.customerId },
    ],
    memo: {
      requestFingerprint: createHash('sha256').update(workflowId).digest('hex'),
      customerId: input.customerId,
      items: input.items,
    },
    staticSummary: `Order ${input.orderId}: 1 unit(s) of 1 SKU(s) for ${input.customerId}`,
    requestEagerStart: eager,
  };
}

async function startAndAwait(
  client: Client,
  workflowType: string,
  options: WorkflowStartOptions,
): Promise<Outcome> {
  try {
    const handle = await client.workflow.start(workflowType, options);
    const result = (await client.withAbortSignal(AbortSignal.timeout(RESULT_TIMEOUT_MS), () =>
      handle.result(),
    )) as OrderSagaResult;
    return result.status === 'CONFIRMED'
      ? { ok: true, eager: handle.eagerlyStarted }
      : { ok: false, error: `ended ${result.status}` };
  } catch (error) {
    return { ok: false, error: errorText(error) };
  }
}

interface Scenario {
  name: string;
  label: string;
  /** Brings up what the scenario needs; returns one request of it. */
  prepare(): Promise<(seq: number) => Promise<Outcome>>;
}

const noopScenario = (
  name: string,
  label: string,
  options: { local?: boolean; searchAttributes?: boolean; eager?: boolean },
): Scenario => ({
  name,
  label,
  async prepare() {
    const taskQueue = options.eager ? queues.eagerNoop : queues.noop;
    const client = options.eager ? (await nativeClient()).client : await grpcClient();
    await (options.eager ? eagerNoopWorker() : noopWorkers());
    const sku = await benchProduct();
    return async (seq) => {
      const orderId = orderKey(name, seq);
      const input: NoopSagaInput = {
        ...(await orderInput(orderId, seq)),
        items: [{ sku, quantity: 1 }],
        local: options.local,
        searchAttributes: options.searchAttributes,
      };
      const start: WorkflowStartOptions = options.searchAttributes
        ? orderStartOptions(input, `noop:${orderId}`, taskQueue, options.eager ?? false)
        : {
            taskQueue,
            workflowId: `noop:${orderId}`,
            args: [input],
            requestEagerStart: options.eager ?? false,
          };
      return startAndAwait(client, 'noopSaga', start);
    };
  },
});

const sagaVariant = (
  name: string,
  label: string,
  workflowType: 'orderSaga' | 'orderSagaLocal',
  eager: boolean,
): Scenario => ({
  name,
  label,
  async prepare() {
    const taskQueue = eager ? queues.eagerSaga : queues.sagaLocal;
    const client = eager ? (await nativeClient()).client : await grpcClient();
    await (eager ? eagerSagaWorker() : localSagaWorkers());
    await benchProduct();
    return async (seq) => {
      const orderId = orderKey(name, seq);
      return startAndAwait(
        client,
        workflowType,
        orderStartOptions(
          await orderInput(orderId, seq),
          orderWorkflowId(orderId),
          taskQueue,
          eager,
        ),
      );
    };
  },
});

const SCENARIOS: Scenario[] = [
  {
    name: 'rest',
    label: 'order saga via REST',
    async prepare() {
      await sagaWorkers();
      const { ports, agent } = await api();
      await benchProduct();
      return async (seq) => {
        const orderId = orderKey('rest', seq);
        const { customerId, items, paymentToken } = await orderInput(orderId, seq);
        try {
          const reply = await request(
            agent,
            ports[seq % ports.length]!,
            'POST',
            '/orders?wait=true',
            { 'content-type': 'application/json', 'idempotency-key': orderId },
            JSON.stringify({ customerId, items, paymentToken }),
          );
          if (reply.status !== 200)
            return { ok: false, error: `HTTP ${reply.status} ${reply.body.slice(0, 80)}` };
          const { status } = JSON.parse(reply.body) as { status: string };
          return status === 'CONFIRMED' ? { ok: true } : { ok: false, error: `order ${status}` };
        } catch (error) {
          return { ok: false, error: errorText(error) };
        }
      };
    },
  },
  {
    name: 'client',
    label: 'order saga via client (no HTTP)',
    async prepare() {
      await sagaWorkers();
      const client = await grpcClient();
      const commands = createTemporalOrderCommands(client);
      await benchProduct();
      return async (seq) => {
        const orderId = orderKey('client', seq);
        try {
          // The API's own start (same options), then the result instead of the API's wait + read.
          const outcome = await commands.placeOrder(
            await orderInput(orderId, seq),
            createHash('sha256').update(orderId).digest('hex'),
          );
          if (outcome.kind !== 'started') return { ok: false, error: `start: ${outcome.kind}` };
          const handle = client.workflow.getHandle(orderWorkflowId(orderId));
          const result = (await client.withAbortSignal(AbortSignal.timeout(RESULT_TIMEOUT_MS), () =>
            handle.result(),
          )) as OrderSagaResult;
          return result.status === 'CONFIRMED'
            ? { ok: true }
            : { ok: false, error: `ended ${result.status}` };
        } catch (error) {
          return { ok: false, error: errorText(error) };
        }
      };
    },
  },
  noopScenario('ceiling', 'no-op ceiling (5 activities)', {}),
  noopScenario('ceiling-sa', 'no-op + search attributes/memo', { searchAttributes: true }),
  noopScenario('ceiling-local', 'no-op, local activities', { local: true }),
  noopScenario('ceiling-eager', 'no-op, eager start (in-process)', { eager: true }),
  noopScenario('ceiling-local-eager', 'no-op, local + eager start', { local: true, eager: true }),
  sagaVariant('saga-local', 'order saga, local activities', 'orderSagaLocal', false),
  sagaVariant('saga-eager', 'order saga, eager start (in-proc)', 'orderSaga', true),
  sagaVariant('saga-local-eager', 'order saga, local + eager start', 'orderSagaLocal', true),
];

// ── run ─────────────────────────────────────────────────────────────────────
const requested = args.scenarios
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);
const unknown = requested.filter((name) => !SCENARIOS.some((s) => s.name === name));
if (unknown.length > 0) fail(`--scenarios: unknown ${unknown.join(', ')}`);
const selected = SCENARIOS.filter(
  (s) => requested.includes(s.name) && !(args['skip-ceiling'] && s.name.startsWith('ceiling')),
);
if (selected.length === 0) fail('--scenarios: nothing to run');

const progress = (line: string, final: boolean) => {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[2K${line}${final ? '\n' : ''}`);
  else process.stderr.write(`${line}\n`);
};

const SAGA_WORKER_TEXT: Record<(typeof SAGA_WORKERS)[number], string> = {
  real: 'workers/saga-worker.ts',
  bench: 'harness/bench/bench-worker.ts (orderSaga)',
  'bench-local': 'harness/bench/bench-worker.ts (orderSaga with local activities)',
  'in-api': `the API process (bench/api-with-worker.ts, eager start ${process.env.BENCH_EAGER_START ?? 'true'})`,
  'in-api-local': `the API process (bench/api-with-worker.ts, local activities, eager start ${process.env.BENCH_EAGER_START ?? 'true'})`,
};

function header(): string {
  const settings = WORKER_SETTINGS.filter((name) => process.env[name] !== undefined).map(
    (name) => `${name}=${process.env[name]}`,
  );
  return [
    `durable-sagas order benchmark  run ${runId}  ${new Date().toISOString()}`,
    `machine: ${os.availableParallelism()} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`,
    `temporal ${config.TEMPORAL_ADDRESS} (namespace ${config.TEMPORAL_NAMESPACE}), postgres ${hosts.DATABASE_URL}, payment gateway ${config.PAYMENT_GATEWAY_URL}`,
    `load: ${concurrency} closed-loop clients, warm-up ${warmupMs / 1000} s, measured ${durationMs / 1000} s per scenario`,
    `workers: ${workerCount} process(es) per queue; order queue served by ${SAGA_WORKER_TEXT[sagaWorker]}`,
    `settings: ${settings.length > 0 ? settings.join(' ') : '(defaults)'}`,
    `logs: ${logDir}`,
  ].join('\n');
}

async function runScenario(scenario: Scenario): Promise<ScenarioResult> {
  process.stderr.write(`${scenario.label}: starting what it needs...\n`);
  const runOne = await scenario.prepare();
  let before: CpuSnapshot | undefined;
  let cpu: ScenarioResult['cpu'];
  const load = await runClosedLoop({
    label: scenario.label,
    concurrency,
    warmupMs,
    durationMs,
    runOne,
    signal: abort.signal,
    onMeasureStart: () => (before = cpuSnapshot(known)),
    onMeasureEnd: () => (cpu = before && cpuSplit(before, cpuSnapshot(known))),
    progress,
  });
  return { name: scenario.name, label: scenario.label, load, cpu };
}

async function main() {
  console.log(header());
  const unused = BENCH_ONLY_SETTINGS.filter((name) => process.env[name] !== undefined);
  if (unused.length > 0 && sagaWorker === 'real') {
    console.warn(
      `note: ${unused.join(', ')} reach only the bench's workers (ceiling, variants, --saga-worker bench), not workers/saga-worker.ts`,
    );
  }
  const idle = await machineBusy(1_000);
  if (idle > 30)
    console.warn(
      `warning: the machine is already ${idle.toFixed(0)}% busy (of ${os.availableParallelism() * 100}%) before the benchmark: expect lower numbers`,
    );
  const results: ScenarioResult[] = [];
  for (const scenario of selected) {
    if (abort.signal.aborted) break;
    if (results.length > 0) await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    results.push(await runScenario(scenario));
  }
  printReport(results);
  if (args.json) fs.writeFileSync(args.json, JSON.stringify(jsonReport(results), null, 2));
}

function printReport(results: ScenarioResult[]) {
  if (results.length === 0) return;
  const byName = (name: string) => results.find((r) => r.name === name && !r.load.aborted);
  const rest = byName('rest');
  const client = byName('client');
  const ceiling = byName('ceiling');
  const lines = ['', resultsTable(results), ''];
  if (ceiling && rate(ceiling) > 0) {
    const ratios = [
      rest && `REST / ceiling = ${(rate(rest) / rate(ceiling)).toFixed(2)}`,
      client && `client / ceiling = ${(rate(client) / rate(ceiling)).toFixed(2)}`,
    ];
    lines.push(`ratio to the no-op ceiling: ${ratios.filter(Boolean).join('   ') || '-'}`);
  }
  if (rest && client && rate(client) > 0) {
    const apiCpu = rest.cpu?.groups.find(([group]) => group === 'api')?.[1];
    const perOrder =
      apiCpu !== undefined && rate(rest) > 0
        ? `; the api process used ${((10 * apiCpu) / rate(rest)).toFixed(1)} ms CPU per order`
        : '';
    lines.push(
      `HTTP/API cost: REST / client throughput = ${(rate(rest) / rate(client)).toFixed(2)}${perOrder}`,
    );
  }
  lines.push(
    '',
    `targets (order saga via REST, concurrency ${concurrency}):`,
    ...targetLines(rest, ceiling, TARGETS),
  );
  lines.push(`  for scale: ${REFERENCE}`);
  const errors = errorLines(results);
  if (errors.length > 0) lines.push('', 'errors (measured phase):', ...errors);
  if (results.some((r) => r.cpu)) {
    lines.push(
      '',
      `CPU during each measured phase (% of one core; ${os.availableParallelism()} cores = ${os.availableParallelism() * 100}%):`,
    );
    lines.push(cpuTable(results, os.availableParallelism()));
  }
  for (const r of results) {
    const outside = (r.cpu?.groups ?? [])
      .filter(([group]) => isOutside(group))
      .reduce((sum, [, percent]) => sum + percent, 0);
    if (outside >= 20)
      lines.push(
        `warning: ${outside.toFixed(0)}% CPU went to processes outside the benchmark and the stack during "${r.label}": its numbers are low`,
      );
  }
  if (results.some((r) => r.load.aborted)) lines.push('', '(interrupted: partial results)');
  console.log(lines.join('\n'));
}

function jsonReport(results: ScenarioResult[]) {
  return {
    runId,
    concurrency,
    durationMs,
    warmupMs,
    workers: workerCount,
    sagaWorker,
    settings: Object.fromEntries(
      WORKER_SETTINGS.filter((n) => process.env[n] !== undefined).map((n) => [n, process.env[n]]),
    ),
    results: results.map((r) => ({
      name: r.name,
      label: r.label,
      completed: r.load.completed,
      perSecond: rate(r),
      latencyMs: summarize(r.load.latenciesMs),
      errors: Object.fromEntries(r.load.errors),
      eager: r.load.eager,
      cpuPercent: r.cpu && Object.fromEntries(r.cpu.groups),
      machineBusyPercent: r.cpu?.machineBusyPercent,
    })),
  };
}

async function shutdown() {
  for (const { bench } of inProcessWorkers) {
    try {
      bench.worker.shutdown();
    } catch {
      /* already stopping */
    }
  }
  await Promise.allSettled(
    inProcessWorkers.map(async ({ bench, running }) => {
      await running;
      await bench.close();
    }),
  );
  await stopAllChildren();
  // Only once nothing of ours writes any more (the workers are gone).
  if (!args['keep-data']) {
    const orders = await deleteRunData(prisma, runId).catch((error: unknown) => {
      console.error(`could not delete this run's data: ${errorText(error)}`);
      return undefined;
    });
    if (orders !== undefined)
      console.error(`deleted this run's product and ${orders} order(s) (--keep-data keeps them)`);
  }
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
}

try {
  await main();
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
} finally {
  await shutdown();
}
process.exit(); // nothing of ours should keep the loop alive; the exit hook kills any straggler
