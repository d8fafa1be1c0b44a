/**
 * Booking storm: many clients at once try to book (and pay for) seats of one event with few seats,
 * through the real API and the real saga worker, against the local stack.
 *
 *   npm run bench:booking-storm -- [--clients 1000] [--seats 100] [--seats-per-booking 1] [--workers 1]
 *   (npm run bench:booking-storm -- --help lists every option)
 *
 * Creates an event through the API, then fires every client at once: POST /bookings with its own
 * Idempotency-Key and, when that holds seats (201), POST /bookings/:id/pay. Afterwards it reads the
 * bookings from Postgres and runs the consistency check, and prints PASS/FAIL for: exactly as many
 * confirmed bookings as there are seats (for 1 seat per booking), no overbooked seat, availability
 * never negative, no 5xx, every request answered, and a consistent database. Exits 1 on any FAIL.
 *
 * Spawns api/server.ts and workers/saga-worker.ts with `node --import tsx`, passing the environment
 * through unchanged (their own defaults otherwise: the storm is bound by the Temporal server and the
 * CPU, not by pool sizes or worker slots). Every id carries the run id; the event and its bookings
 * stay (the consistency check covers every event, so they must stay consistent).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Client, Connection } from '@temporalio/client';
import { apiConfigSchema } from '../../../api/api.config.js';
import { loadConfig } from '../../../platform/config/load-config.js';
import {
  checkConsistency,
  type ConsistencyReport,
  type Offender,
} from '../../../activities/ops/consistency.check.js';
import { httpLedgerSource } from '../../../activities/payments/payment.ledger.js';
import { createPrismaClient } from '../../../prisma/client.js';
import { stackConfigSchema } from '../../stack/config.js';
import { createFullStack } from '../../stack/full-stack.js';
import { stackStatus } from '../../stack/stack.js';
import { workerConfigSchema } from '../../../workers/worker.config.js';
import { BOOKING_TASK_QUEUE } from '../../../workflows/contracts/names.js';
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
  type CpuSplit,
  type KnownPids,
} from '../support/cpu.js';
import {
  connectionStats,
  httpRequest,
  jsonBody,
  stormAgent,
  transportErrorKind,
  type HttpReply,
  type HttpTarget,
} from '../support/http-client.js';
import { summarize, type LatencySummary } from '../support/load.js';
import { ms, table } from '../support/report.js';
import { backlog, foreignPollers, waitUntilPolling } from '../support/task-queue.js';
import { benchArgs } from '../support/cli-args.js';
import { errorText } from '../../../platform/config/error-text.js';

const READY_TIMEOUT_MS = 120_000; // a worker bundles its workflows at start: tens of seconds on 2 busy cores
const BACKLOG_WAIT_MS = 180_000;
const PROGRESS_TTY_MS = 500;
const PROGRESS_PLAIN_MS = 1_000;
const SEAT_SAMPLE_MS = 100;
const CONSISTENCY_ATTEMPTS = 5; // the check is meant for a quiet system: someone else's saga between steps shows up
const PAYMENT_TOKEN = 'tok_visa';

const USAGE = `usage: npm run bench:booking-storm -- [options]
  --clients <n>            concurrent clients, all fired at once; each books, then pays if it got seats
                           (default 1000)
  --seats <n>              seats of the event (default 100)
  --seats-per-booking <n>  seats each client asks for, 1 to 10 (default 1)
  --price-cents <n>        price of a seat (default 2500)
  --starts-in <duration>   the event starts this long after the run begins (default 10m, at least 1m);
                           a confirmed booking's saga stays open (cancellable) until then
  --workers <n>            saga-worker processes to spawn (default 1)
  --apis <n>               API processes to spawn; clients are spread over them (default 1)
  --timeout <duration>     limit per request (default 120s); a request without an answer by then
                           counts as TIMEOUT
  --warm-connections       open every client's keep-alive connection before the storm, so the storm
                           measures the API without TCP connection setup (default: each client
                           connects as part of its first request, like real clients)
  --json <file>            also write the results as JSON
  --help                   this text
Durations: 90, 90s, 1500ms, 10m.
The environment configures the spawned API and workers as it does the real ones (DATABASE_URL,
TEMPORAL_ADDRESS, REDIS_URL, PAYMENT_GATEWAY_URL, DATABASE_POOL_MAX, WORKER_MAX_CONCURRENT_ACTIVITIES,
WORKER_MAX_CONCURRENT_WORKFLOW_TASKS, WORKER_MAX_CACHED_WORKFLOWS, BOOKING_HOLD_SECONDS,
BOOKING_PAYMENT_DEADLINE_SECONDS, LOG_LEVEL, ...).
Needs the local stack: npm run stack -- up && npm run db:migrate.
Ctrl-C ends the requests in flight and reports what there is; sagas already started finish on the
next worker that polls ${BOOKING_TASK_QUEUE} (held seats go back when their hold expires).
Exit status: 0 when every check passes, 1 when one fails (or the run could not be done), 2 on bad
options, 130 when interrupted.`;

// ── arguments and configuration ─────────────────────────────────────────────
const cli = benchArgs(USAGE, {
  clients: { type: 'string', default: '1000' },
  seats: { type: 'string', default: '100' },
  'seats-per-booking': { type: 'string', default: '1' },
  'price-cents': { type: 'string', default: '2500' },
  'starts-in': { type: 'string', default: '10m' },
  workers: { type: 'string', default: '1' },
  apis: { type: 'string', default: '1' },
  timeout: { type: 'string', default: '120s' },
  'warm-connections': { type: 'boolean', default: false },
  json: { type: 'string' },
  help: { type: 'boolean', default: false },
});
const args = cli.values;
const { fail } = cli;
const clients = cli.integer('clients', args.clients, 1, 20_000);
const totalSeats = cli.integer('seats', args.seats, 1, 100_000);
const seatsPerBooking = cli.integer('seats-per-booking', args['seats-per-booking'], 1, 10);
const priceCents = cli.integer('price-cents', args['price-cents'], 0, 10_000_000);
const startsInMs = cli.durationMs('starts-in', args['starts-in']);
const workerCount = cli.integer('workers', args.workers, 1, 16);
const apiCount = cli.integer('apis', args.apis, 1, 16);
const timeoutMs = cli.durationMs('timeout', args.timeout);
if (startsInMs < 60_000 || startsInMs > 30 * 86_400_000) fail('--starts-in: from 1m to 30 days');
if (timeoutMs < 1_000 || timeoutMs > 3_600_000) fail('--timeout: from 1 s to 1 h');

// The settings of both kinds of child, validated here so that a bad one stops the bench before it spawns anything.
const configSchema = workerConfigSchema.extend(apiConfigSchema.shape);
let config: ReturnType<typeof configSchema.parse>;
let stackConfig: ReturnType<typeof stackConfigSchema.parse>;
try {
  config = loadConfig(configSchema);
  stackConfig = loadConfig(stackConfigSchema);
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(2);
}
// All traffic stays on this machine: the numbers describe it.
const hosts = {
  DATABASE_URL: new URL(config.DATABASE_URL).hostname,
  TEMPORAL_ADDRESS: config.TEMPORAL_ADDRESS.slice(0, config.TEMPORAL_ADDRESS.lastIndexOf(':')),
  PAYMENT_GATEWAY_URL: new URL(config.PAYMENT_GATEWAY_URL).hostname,
};
for (const [name, host] of Object.entries(hosts)) {
  if (!['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host))
    fail(`${name} points at ${host}: the benchmark only runs against this machine`);
}
const expectedConfirmed = Math.min(clients, Math.floor(totalSeats / seatsPerBooking));

const runId = randomBytes(4).toString('hex');
const bookingPrefix = `storm-${runId}-`;
const logDir = path.join(os.tmpdir(), `durable-sagas-booking-storm-${runId}`);
fs.mkdirSync(logDir, { recursive: true });

const now = () => performance.now();
const seconds = (msValue: number) => `${(msValue / 1000).toFixed(1)} s`;

// ── interruption ────────────────────────────────────────────────────────────
let interrupted = false;
let interruptedAt = 0;
const agent = stormAgent(clients + 8);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    // npm and tsx relay a terminal's Ctrl-C that reached us already: a repeat within a second is the same one.
    if (interrupted) {
      if (Date.now() - interruptedAt > 1_000) process.exit(130); // the exit hook still kills our children
      return;
    }
    interrupted = true;
    interruptedAt = Date.now();
    console.error(`\n${signal}: stopping (again to force)`);
    agent.destroy(); // every request in flight ends now, as ABORTED
  });
}

// ── resources ───────────────────────────────────────────────────────────────
const known: KnownPids = new Map([[process.pid, 'bench (clients)']]);
const cleanups: (() => Promise<unknown>)[] = [];
const prisma = createPrismaClient({ url: config.DATABASE_URL, poolMax: 3 });
cleanups.push(() => prisma.$disconnect());

async function temporalClient(): Promise<Client> {
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  cleanups.push(() => connection.close());
  return new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
}

/** Fails with what to do when a server the storm needs is down or the schema is missing. */
async function preflight(): Promise<void> {
  const needed = ['postgres', 'temporal', 'redis', 'payment-gateway'];
  const down = (await stackStatus(createFullStack(stackConfig))).filter(
    (s) => needed.includes(s.name) && !s.healthy,
  );
  if (down.length > 0)
    throw new Error(
      `not running: ${down.map((s) => `${s.name} (${s.url})`).join(', ')}\n` +
        'start the local stack first: npm run stack -- up && npm run db:migrate',
    );
  try {
    await prisma.$queryRaw`SELECT 1 FROM events LIMIT 1`;
  } catch (error) {
    throw new Error(
      `the database has no events table (${errorText(error)}): run npm run db:migrate`,
    );
  }
}

async function gatewayFaults(): Promise<string> {
  try {
    const response = await fetch(`${config.PAYMENT_GATEWAY_URL}/admin/faults`);
    const faults = (await response.json()) as Record<string, unknown>;
    const active = ['errorRate', 'latencyMs', 'dropResponseRate'].filter(
      (name) => typeof faults[name] === 'number' && faults[name] !== 0,
    );
    return active.length === 0
      ? 'none'
      : active.map((name) => `${name}=${String(faults[name])}`).join(' ');
  } catch (error) {
    return `unknown (${errorText(error)})`;
  }
}

async function spawnWorkers(client: Client): Promise<Child[]> {
  const children = Array.from({ length: workerCount }, (_, i) => {
    const name = `worker-${i + 1}`;
    const child = spawnChild(name, 'workers/saga-worker.ts', {}, path.join(logDir, `${name}.log`));
    known.set(child.pid, 'worker');
    return child;
  });
  await Promise.all(
    children.map((child) =>
      waitUntilPolling(
        child,
        client,
        config.TEMPORAL_NAMESPACE,
        BOOKING_TASK_QUEUE,
        READY_TIMEOUT_MS,
      ),
    ),
  );
  return children;
}

async function spawnApis(): Promise<HttpTarget[]> {
  return Promise.all(
    Array.from({ length: apiCount }, async (_, i) => {
      const port = await freePort();
      const name = apiCount > 1 ? `api-${i + 1}` : 'api';
      const child = spawnChild(
        name,
        'api/server.ts',
        { API_HOST: '127.0.0.1', API_PORT: String(port) },
        path.join(logDir, `${name}.log`),
      );
      known.set(child.pid, 'api');
      const target = { host: '127.0.0.1', port };
      await waitForChild(
        child,
        'answering',
        async () =>
          (await httpRequest(agent, target, 'GET', '/openapi.json', { timeoutMs: 5_000 }))
            .status === 200,
        READY_TIMEOUT_MS,
      );
      return target;
    }),
  );
}

/**
 * Waits (bounded) until the booking queue has no backlog, so that the storm does not queue behind
 * tasks left by an interrupted run or someone else's load.
 */
async function drainBacklog(client: Client): Promise<void> {
  const waiting = () => backlog(client, config.TEMPORAL_NAMESPACE, BOOKING_TASK_QUEUE);
  let left = await waiting();
  if (left === 0) return;
  process.stderr.write(
    `${BOOKING_TASK_QUEUE} has a backlog of ${left} task(s) (sagas of an interrupted run, or someone else's load): waiting for it to drain...\n`,
  );
  const started = Date.now();
  const deadline = started + BACKLOG_WAIT_MS;
  while (left > 0 && Date.now() < deadline && !interrupted) {
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    left = await waiting();
  }
  if (left > 0)
    console.warn(
      `warning: ${left} task(s) still wait on ${BOOKING_TASK_QUEUE} after ${BACKLOG_WAIT_MS / 1000} s: the storm queues behind them`,
    );
  else process.stderr.write(`backlog drained in ${seconds(Date.now() - started)}\n`);
}

async function createEvent(target: HttpTarget, startsAt: Date): Promise<string> {
  const reply = await httpRequest(agent, target, 'POST', '/events', {
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      title: `Booking storm ${runId}`,
      startsAt: startsAt.toISOString(),
      totalSeats,
      priceCents,
    }),
    timeoutMs: 30_000,
  });
  const event = jsonBody<{ id?: string }>(reply);
  if (reply.status !== 201 || !event?.id)
    throw new Error(`POST /events answered ${reply.status}: ${reply.body.slice(0, 200)}`);
  return event.id;
}

// ── the storm ───────────────────────────────────────────────────────────────
const BOOK = 'POST /bookings';
const PAY = 'POST /bookings/:id/pay';
type Endpoint = typeof BOOK | typeof PAY;

/** What a status means on each endpoint, for the histogram. */
const MEANING: Record<string, string> = {
  [`${BOOK} 201`]: 'seats held',
  [`${BOOK} 200`]: 'replayed key (unexpected: every key is new)',
  [`${BOOK} 409`]: 'sold out (or the event started)',
  [`${BOOK} 400`]: 'invalid request',
  [`${BOOK} 422`]: 'key reused with another body',
  [`${PAY} 200`]: 'confirmed',
  [`${PAY} 402`]: 'payment failed, seats released',
  [`${PAY} 404`]: 'no such booking',
  [`${PAY} 409`]: 'not payable (hold expired, cancelled, failed)',
};

interface StormResult {
  wallMs: number;
  /** `${endpoint} ${status or error kind}` → count. */
  statuses: Map<string, number>;
  /** Row label → latencies (ms). */
  latencies: Map<string, number[]>;
  /** How each client's flow ended → count. */
  outcomes: Map<string, number>;
  /** Pay answers of 200 with status CONFIRMED. */
  apiConfirmed: number;
  /** Sampled from Postgres during the storm. */
  lowestAvailable: number | undefined;
  samples: number;
  cpu: CpuSplit | undefined;
  loopDelay: { p99: number; max: number };
  /** The client's connections during the storm. */
  connections: { opened: number; peakOpen: number; connectMs: number[] };
  /** Connection attempts this machine dropped because a listen queue was full (all processes). */
  listenOverflows: number | undefined;
  aborted: boolean;
}

const bump = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);
const record = (map: Map<string, number[]>, key: string, value: number) => {
  let list = map.get(key);
  if (!list) map.set(key, (list = []));
  list.push(value);
};
const isHttpStatus = (kind: string) => /^\d{3}$/.test(kind);

/** TcpExt ListenOverflows from /proc/net/netstat: SYNs dropped because an accept queue was full. */
function listenOverflows(): number | undefined {
  try {
    const lines = fs.readFileSync('/proc/net/netstat', 'utf8').split('\n');
    const at = lines.findIndex((line) => line.startsWith('TcpExt:'));
    const names = lines[at]?.split(/\s+/) ?? [];
    const values = lines[at + 1]?.split(/\s+/) ?? [];
    const value = Number(values[names.indexOf('ListenOverflows')]);
    return Number.isFinite(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function progressWriter() {
  const tty = process.stderr.isTTY === true;
  return {
    intervalMs: tty ? PROGRESS_TTY_MS : PROGRESS_PLAIN_MS,
    write(line: string, final: boolean) {
      if (tty) {
        const width = process.stderr.columns || 160;
        process.stderr.write(`\r\x1b[2K${line.slice(0, width - 1)}${final ? '\n' : ''}`);
      } else {
        process.stderr.write(`${line}\n`);
      }
    },
  };
}

async function runStorm(targets: HttpTarget[], eventId: string): Promise<StormResult> {
  const statuses = new Map<string, number>();
  const latencies = new Map<string, number[]>();
  const outcomes = new Map<string, number>();
  let apiConfirmed = 0;
  const inFlight: Record<Endpoint, number> = { [BOOK]: 0, [PAY]: 0 };
  let flowsDone = 0;
  let serverErrors = 0;
  let transportErrors = 0;

  /** One request: its status (or why there was none) counted, its latency recorded by status. */
  const call = async (
    endpoint: Endpoint,
    target: HttpTarget,
    route: string,
    headers: Record<string, string>,
    body: unknown,
  ): Promise<{ kind: string; reply?: HttpReply }> => {
    inFlight[endpoint]++;
    const t0 = now();
    let kind: string;
    let reply: HttpReply | undefined;
    try {
      reply = await httpRequest(agent, target, 'POST', route, {
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
        timeoutMs,
      });
      kind = String(reply.status);
      if (reply.status >= 500) serverErrors++;
      record(latencies, `${endpoint} → ${kind}`, now() - t0);
      record(latencies, `${endpoint} (every answer)`, now() - t0);
    } catch (error) {
      kind = interrupted ? 'ABORTED' : transportErrorKind(error);
      transportErrors++;
    }
    inFlight[endpoint]--;
    bump(statuses, `${endpoint} ${kind}`);
    return { kind, reply };
  };

  const flow = async (i: number): Promise<void> => {
    const bookingId = `${bookingPrefix}${i}`;
    const target = targets[i % targets.length]!;
    const t0 = now();
    const book = await call(
      BOOK,
      target,
      '/bookings',
      { 'idempotency-key': bookingId },
      { eventId, customerId: `storm-customer-${i}`, seats: seatsPerBooking },
    );
    let outcome: string;
    if (book.kind === '201') {
      const pay = await call(
        PAY,
        target,
        `/bookings/${bookingId}/pay`,
        {},
        { paymentToken: PAYMENT_TOKEN },
      );
      const status = pay.reply && jsonBody<{ status?: string }>(pay.reply)?.status;
      if (pay.kind === '200' && status === 'CONFIRMED') {
        apiConfirmed++;
        outcome = 'confirmed (201 held, then 200 paid)';
        record(latencies, 'book + pay, confirmed', now() - t0);
      } else if (pay.kind === '200') {
        outcome = `held, then pay 200 with status ${status ?? '(unreadable body)'}`;
      } else {
        outcome = `held, then pay ${isHttpStatus(pay.kind) ? `HTTP ${pay.kind}` : pay.kind}`;
      }
    } else if (book.kind === '409') {
      const sold = book.reply && jsonBody<{ availableSeats?: number }>(book.reply);
      outcome =
        sold?.availableSeats !== undefined ? 'sold out (409)' : 'book 409 (not sold out: see logs)';
    } else {
      outcome = `book ${isHttpStatus(book.kind) ? `HTTP ${book.kind}` : book.kind}`;
    }
    bump(outcomes, outcome);
    record(latencies, 'whole flow, every client', now() - t0);
    flowsDone++;
  };

  // Availability as Postgres has it, sampled while the storm runs (never negative, or something is badly wrong).
  let lowestAvailable: number | undefined;
  let currentAvailable: number | undefined;
  let samples = 0;
  let sampling = false;
  const sample = async () => {
    if (sampling) return;
    sampling = true;
    try {
      const rows = await prisma.$queryRaw<{ available_seats: number }[]>`
        SELECT available_seats FROM events WHERE id = ${eventId}`;
      currentAvailable = rows[0]?.available_seats;
      if (currentAvailable !== undefined) {
        samples++;
        lowestAvailable = Math.min(lowestAvailable ?? Infinity, currentAvailable);
      }
    } catch {
      /* a missed sample is no finding */
    } finally {
      sampling = false;
    }
  };
  const sampler = setInterval(() => void sample(), SEAT_SAMPLE_MS);

  const loop = monitorEventLoopDelay({ resolution: 10 });
  const cpuBefore: CpuSnapshot = cpuSnapshot(known);
  const stats = connectionStats(agent)!;
  const overflowsBefore = listenOverflows();
  const [openedBefore, connectsBefore] = [stats.opened, stats.connectMs.length];
  stats.peakOpen = stats.open;

  const begin = now();
  const progress = progressWriter();
  const report = (final: boolean) => {
    const count = (key: string) => statuses.get(key) ?? 0;
    const booksDone = [...statuses]
      .filter(([k]) => k.startsWith(`${BOOK} `))
      .reduce((s, [, n]) => s + n, 0);
    const paysDone = [...statuses]
      .filter(([k]) => k.startsWith(`${PAY} `))
      .reduce((s, [, n]) => s + n, 0);
    const otherBooks = booksDone - count(`${BOOK} 201`) - count(`${BOOK} 409`);
    const otherPays = paysDone - count(`${PAY} 200`);
    progress.write(
      `[${seconds(now() - begin).padStart(7)}] flows ${String(flowsDone).padStart(String(clients).length)}/${clients}` +
        `  in flight: book ${inFlight[BOOK]}, pay ${inFlight[PAY]}` +
        `  | book 201×${count(`${BOOK} 201`)} 409×${count(`${BOOK} 409`)}${otherBooks ? ` other×${otherBooks}` : ''}` +
        `  pay 200×${count(`${PAY} 200`)}${otherPays ? ` other×${otherPays}` : ''}` +
        `  | 5xx ${serverErrors}  no answer ${transportErrors}` +
        `  | seats left ${currentAvailable ?? '?'}/${totalSeats}`,
      final,
    );
  };
  const ticker = setInterval(() => report(false), progress.intervalMs);

  loop.enable();
  // Every client at once: each request is handed to its own socket in this same tick.
  await Promise.all(Array.from({ length: clients }, (_, i) => flow(i)));
  const wallMs = now() - begin;
  loop.disable();
  const overflowsAfter = listenOverflows();
  const cpu = cpuSplit(cpuBefore, cpuSnapshot(known));
  clearInterval(ticker);
  clearInterval(sampler);
  while (sampling) await new Promise((resolve) => setTimeout(resolve, 10));
  await sample();
  report(true);
  return {
    wallMs,
    statuses,
    latencies,
    outcomes,
    apiConfirmed,
    lowestAvailable,
    samples,
    cpu,
    loopDelay: { p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 },
    connections: {
      opened: stats.opened - openedBefore,
      peakOpen: stats.peakOpen,
      connectMs: stats.connectMs.slice(connectsBefore),
    },
    listenOverflows:
      overflowsBefore !== undefined && overflowsAfter !== undefined
        ? overflowsAfter - overflowsBefore
        : undefined,
    aborted: interrupted,
  };
}

/** Opens one keep-alive connection per client (spread like the clients), right before the storm. */
async function warmConnections(targets: HttpTarget[]): Promise<number> {
  const replies = await Promise.allSettled(
    Array.from({ length: clients }, (_, i) =>
      httpRequest(agent, targets[i % targets.length]!, 'GET', '/openapi.json', { timeoutMs }),
    ),
  );
  return replies.filter((r) => r.status === 'fulfilled').length;
}

// ── after the storm ─────────────────────────────────────────────────────────
interface SeatBook {
  totalSeats: number;
  availableSeats: number;
  /** Status → bookings and their seats, this run's event only. */
  byStatus: Map<string, { bookings: number; seats: number }>;
  confirmed: number;
  confirmedSeats: number;
  held: number;
  heldSeats: number;
  overbooked: number;
}

async function seatBook(eventId: string): Promise<SeatBook> {
  const [event] = await prisma.$queryRaw<{ total_seats: number; available_seats: number }[]>`
    SELECT total_seats, available_seats FROM events WHERE id = ${eventId}`;
  if (!event) throw new Error(`event ${eventId} is gone`);
  const rows = await prisma.$queryRaw<{ status: string; bookings: number; seats: number }[]>`
    SELECT status::text AS status, count(*)::int AS bookings, COALESCE(sum(seats), 0)::int AS seats
    FROM bookings WHERE event_id = ${eventId} GROUP BY status ORDER BY status`;
  const byStatus = new Map(rows.map((r) => [r.status, { bookings: r.bookings, seats: r.seats }]));
  const of = (status: string) => byStatus.get(status) ?? { bookings: 0, seats: 0 };
  const confirmed = of('CONFIRMED');
  const held = of('HELD');
  return {
    totalSeats: event.total_seats,
    availableSeats: event.available_seats,
    byStatus,
    confirmed: confirmed.bookings,
    confirmedSeats: confirmed.seats,
    held: held.bookings,
    heldSeats: held.seats,
    overbooked: Math.max(0, confirmed.seats + held.seats - event.total_seats),
  };
}

/** The consistency check, repeated a few times while it finds offenders (someone else's saga may be mid-step). */
async function consistency(): Promise<{ report: ConsistencyReport; attempts: number }> {
  const ledger = httpLedgerSource(config.PAYMENT_GATEWAY_URL);
  let report = await checkConsistency(prisma, ledger);
  let attempts = 1;
  while (!report.ok && attempts < CONSISTENCY_ATTEMPTS && !interrupted) {
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    report = await checkConsistency(prisma, ledger);
    attempts++;
  }
  return { report, attempts };
}

const ours = (offender: Offender, eventId: string) =>
  'eventId' in offender
    ? offender.eventId === eventId
    : offender.bookingId.startsWith(bookingPrefix);

interface Check {
  name: string;
  value: string;
  ok: boolean;
}

function checksOf(storm: StormResult, seats: SeatBook, report: ConsistencyReport): Check[] {
  const count = (predicate: (kind: string) => boolean) =>
    [...storm.statuses]
      .filter(([key]) => predicate(key.slice(key.lastIndexOf(' ') + 1)))
      .reduce((sum, [, n]) => sum + n, 0);
  const serverErrors = count((kind) => isHttpStatus(kind) && Number(kind) >= 500);
  const unanswered = count((kind) => !isHttpStatus(kind));
  const expected =
    seatsPerBooking === 1 && clients >= totalSeats
      ? `== ${expectedConfirmed} (every seat)`
      : `== ${expectedConfirmed} (min(clients, ⌊${totalSeats} seats / ${seatsPerBooking}⌋))`;
  return [
    {
      name: `confirmed bookings ${expected}`,
      value: String(seats.confirmed),
      ok: seats.confirmed === expectedConfirmed,
    },
    { name: 'overbooked seats == 0', value: String(seats.overbooked), ok: seats.overbooked === 0 },
    {
      name: 'available seats never negative',
      value: `now ${seats.availableSeats}, lowest sampled ${storm.lowestAvailable ?? '-'}`,
      ok: seats.availableSeats >= 0 && (storm.lowestAvailable ?? 0) >= 0,
    },
    { name: 'no 5xx', value: String(serverErrors), ok: serverErrors === 0 },
    {
      name: 'every request answered (no connection error or timeout)',
      value: String(unanswered),
      ok: unanswered === 0,
    },
    {
      name: 'pay answered 200 CONFIRMED == CONFIRMED in Postgres',
      value: `${storm.apiConfirmed} / ${seats.confirmed}`,
      ok: storm.apiConfirmed === seats.confirmed,
    },
    {
      name: 'consistency check (seats and charges add up, all events)',
      value: report.ok ? 'ok' : `${report.offenders.length} offender(s)`,
      ok: report.ok,
    },
  ];
}

// ── report ──────────────────────────────────────────────────────────────────
function header(foreign: string[], faults: string): string {
  const settings = [
    'DATABASE_POOL_MAX',
    'WORKER_MAX_CONCURRENT_ACTIVITIES',
    'WORKER_MAX_CONCURRENT_WORKFLOW_TASKS',
    'WORKER_MAX_CACHED_WORKFLOWS',
    'BOOKING_HOLD_SECONDS',
    'BOOKING_PAYMENT_DEADLINE_SECONDS',
    'PAYMENT_GATEWAY_TIMEOUT_MS',
    'EVENT_CACHE_TTL_SECONDS',
    'LOG_LEVEL',
  ] as const;
  const shown = settings.map(
    (name) => `${name}=${String(config[name])}${process.env[name] !== undefined ? ' (env)' : ''}`,
  );
  const cpus = os.cpus();
  return [
    `durable-sagas booking storm  run ${runId}  ${new Date().toISOString()}`,
    `machine: ${os.availableParallelism()} cores (${cpus[0]?.model.trim() ?? 'unknown CPU'}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}, load average ${os.loadavg()[0]!.toFixed(2)}`,
    `storm: ${clients} clients at once, each books ${seatsPerBooking} seat(s) and pays (${PAYMENT_TOKEN}); event with ${totalSeats} seats at ${priceCents} cents, starting in ${seconds(startsInMs)}`,
    `  expected: ${expectedConfirmed} confirmed, ${clients - expectedConfirmed} sold out; connections ${args['warm-connections'] ? 'opened before the storm (--warm-connections)' : 'opened by each client'}; request timeout ${seconds(timeoutMs)}`,
    `processes: ${apiCount} api (api/server.ts), ${workerCount} worker(s) (workers/saga-worker.ts)${foreign.length > 0 ? `, plus ${foreign.length} foreign worker(s) on ${BOOKING_TASK_QUEUE}` : ''}`,
    `settings of the spawned processes: ${shown.join(' ')}`,
    `stack: temporal ${config.TEMPORAL_ADDRESS} (namespace ${config.TEMPORAL_NAMESPACE}), postgres ${hosts.DATABASE_URL}, redis ${config.REDIS_URL}, payment gateway ${config.PAYMENT_GATEWAY_URL} (faults: ${faults})`,
    `logs: ${logDir}`,
  ].join('\n');
}

function latencyRows(storm: StormResult): string[][] {
  const order = (label: string) => (label.startsWith(PAY) ? 1 : label.startsWith(BOOK) ? 0 : 2);
  return [...storm.latencies]
    .sort((a, b) => order(a[0]) - order(b[0]) || a[0].localeCompare(b[0]))
    .map(([label, values]) => {
      const s: LatencySummary | undefined = summarize(values);
      return [label, String(values.length), ms(s?.p50), ms(s?.p95), ms(s?.p99), ms(s?.max)];
    });
}

function printReport(
  eventId: string,
  storm: StormResult,
  seats: SeatBook,
  consistencyResult: { report: ConsistencyReport; attempts: number },
  checks: Check[],
) {
  const { report, attempts } = consistencyResult;
  const statusRows = [...storm.statuses]
    .sort((a, b) => a[0].localeCompare(b[0]))
    .map(([key, n]) => {
      const at = key.lastIndexOf(' ');
      const kind = key.slice(at + 1);
      const meaning = isHttpStatus(kind)
        ? (MEANING[key] ?? (Number(kind) >= 500 ? 'server error' : ''))
        : 'no answer';
      return [key.slice(0, at), kind, meaning, String(n)];
    });
  const lines = [
    '',
    `storm done in ${seconds(storm.wallMs)} (${((clients * 1000) / storm.wallMs).toFixed(0)} flows/s)${storm.aborted ? '  INTERRUPTED: partial results' : ''}`,
    '',
    'outcomes per client:',
    ...[...storm.outcomes]
      .sort((a, b) => b[1] - a[1])
      .map(([outcome, n]) => `  ${String(n).padStart(6)}  ${outcome}`),
    '',
    'HTTP status by endpoint:',
    table(['endpoint', 'status', 'meaning', 'count'], statusRows, 3),
    '',
    'latency (ms):',
    table(['request', 'n', 'p50', 'p95', 'p99', 'max'], latencyRows(storm)),
    '',
    `Postgres, event ${eventId}:`,
    `  bookings: ${[...seats.byStatus].map(([status, b]) => `${status} ${b.bookings} (${b.seats} seat(s))`).join(', ') || 'none'}`,
    `  seats: total ${seats.totalSeats}, confirmed ${seats.confirmedSeats} + held ${seats.heldSeats} = ${seats.confirmedSeats + seats.heldSeats} taken, available ${seats.availableSeats} (lowest of ${storm.samples} samples during the storm: ${storm.lowestAvailable ?? '-'})`,
    `  overbooked seats: ${seats.overbooked}`,
    `consistency: ${report.ok ? 'ok' : 'INCONSISTENT'} (checked ${report.checked.events} event(s), ${report.checked.bookings} booking(s), ${report.checked.charges} charge(s)${attempts > 1 ? `; ${attempts} attempts` : ''})`,
  ];
  if (!report.ok) {
    const mine = report.offenders.filter((o) => ours(o, eventId));
    lines.push(
      `  ${mine.length} of ${report.offenders.length} offender(s) concern this run's event or bookings`,
    );
    for (const offender of report.offenders.slice(0, 10))
      lines.push(`  ${JSON.stringify(offender)}`);
    if (report.offenders.length > 10) lines.push(`  ... ${report.offenders.length - 10} more`);
  }
  const connect = summarize(storm.connections.connectMs);
  const { opened, peakOpen } = storm.connections;
  lines.push(
    '',
    'client (is it the bottleneck?):',
    `  connections: ${opened} opened during the storm, up to ${peakOpen} open at once; ` +
      (connect
        ? `TCP connect p50 ${ms(connect.p50)} ms, p99 ${ms(connect.p99)} ms, max ${ms(connect.max)} ms`
        : 'all of them opened before the storm'),
    ...(storm.listenOverflows
      ? [
          `  listen queue overflows on this machine: ${storm.listenOverflows} (connection attempts dropped by a full accept queue; the client retries them after 1 s, 3 s, ...)`,
        ]
      : []),
    `  event loop delay: p99 ${storm.loopDelay.p99.toFixed(0)} ms, max ${storm.loopDelay.max.toFixed(0)} ms`,
  );
  if (storm.cpu) {
    const groups = storm.cpu.groups.map(([group, percent]) => `${group} ${percent.toFixed(0)}%`);
    lines.push(
      '',
      `CPU during the storm (% of one core; ${storm.cpu.cores} cores = ${storm.cpu.cores * 100}%, machine busy ${storm.cpu.machineBusyPercent.toFixed(0)}%):`,
      `  ${groups.join(', ')}`,
    );
    const outside = storm.cpu.groups
      .filter(([group]) => isOutside(group))
      .reduce((sum, [, percent]) => sum + percent, 0);
    if (outside >= 20)
      lines.push(
        `  warning: ${outside.toFixed(0)}% went to processes outside the benchmark and the stack: latencies are higher than this system alone would give`,
      );
  }
  lines.push(
    '',
    'checks:',
    ...checks.map((c) => `  ${c.ok ? 'PASS' : 'FAIL'}  ${c.name.padEnd(60)} ${c.value}`),
    '',
    `RESULT: ${checks.every((c) => c.ok) && !storm.aborted ? 'PASS' : 'FAIL'}${storm.aborted ? ' (interrupted)' : ''}`,
  );
  console.log(lines.join('\n'));
}

function jsonReport(
  eventId: string,
  storm: StormResult,
  seats: SeatBook,
  report: ConsistencyReport,
  checks: Check[],
) {
  return {
    runId,
    eventId,
    machine: {
      cores: os.availableParallelism(),
      memoryGiB: os.totalmem() / 2 ** 30,
      node: process.version,
    },
    options: {
      clients,
      totalSeats,
      seatsPerBooking,
      priceCents,
      startsInMs,
      workers: workerCount,
      apis: apiCount,
      timeoutMs,
      warmConnections: args['warm-connections'],
    },
    wallMs: storm.wallMs,
    statuses: Object.fromEntries(storm.statuses),
    outcomes: Object.fromEntries(storm.outcomes),
    latencyMs: Object.fromEntries(
      [...storm.latencies].map(([label, values]) => [label, summarize(values)]),
    ),
    seats: { ...seats, byStatus: Object.fromEntries(seats.byStatus) },
    lowestAvailableSampled: storm.lowestAvailable,
    consistency: report,
    cpuPercent: storm.cpu && Object.fromEntries(storm.cpu.groups),
    client: {
      connectionsOpened: storm.connections.opened,
      peakOpenConnections: storm.connections.peakOpen,
      tcpConnectMs: summarize(storm.connections.connectMs),
      listenOverflows: storm.listenOverflows,
      eventLoopDelayMs: storm.loopDelay,
    },
    checks,
    pass: checks.every((c) => c.ok) && !storm.aborted,
  };
}

// ── run ─────────────────────────────────────────────────────────────────────
async function main(): Promise<boolean> {
  await preflight();
  const client = await temporalClient();
  const [faults, foreignBefore] = await Promise.all([
    gatewayFaults(),
    foreignPollers(client, config.TEMPORAL_NAMESPACE, BOOKING_TASK_QUEUE, new Set()),
  ]);
  console.log(header(foreignBefore, faults));
  for (const identity of foreignBefore)
    console.warn(
      `warning: another worker (${identity}) polls ${BOOKING_TASK_QUEUE}: it takes part of the load`,
    );
  if (faults !== 'none')
    console.warn(`warning: the payment gateway injects faults (${faults}): payments may fail`);

  const idle = await machineBusy(1_000);
  if (idle > 30)
    console.warn(
      `warning: the machine is already ${idle.toFixed(0)}% busy (of ${os.availableParallelism() * 100}%) before the storm: expect higher latencies`,
    );
  process.stderr.write(`starting ${apiCount} api and ${workerCount} worker process(es)...\n`);
  const [targets] = await Promise.all([spawnApis(), spawnWorkers(client)]);
  await drainBacklog(client);
  const eventId = await createEvent(targets[0]!, new Date(Date.now() + startsInMs));
  process.stderr.write(`event ${eventId}: ${totalSeats} seats\n`);
  if (args['warm-connections']) {
    const opened = await warmConnections(targets);
    process.stderr.write(`warmed ${opened} keep-alive connection(s)\n`);
  }
  if (interrupted) return false;

  const storm = await runStorm(targets, eventId);
  const seats = await seatBook(eventId);
  process.stderr.write('running the consistency check...\n');
  const consistencyResult = await consistency();
  const checks = checksOf(storm, seats, consistencyResult.report);
  printReport(eventId, storm, seats, consistencyResult, checks);
  if (args.json)
    fs.writeFileSync(
      args.json,
      JSON.stringify(jsonReport(eventId, storm, seats, consistencyResult.report, checks), null, 2),
    );
  return checks.every((c) => c.ok) && !storm.aborted;
}

let passed = false;
try {
  passed = await main();
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
} finally {
  agent.destroy();
  await stopAllChildren();
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
}
process.exit(interrupted ? 130 : passed ? 0 : 1); // the exit hook kills any straggler of ours
