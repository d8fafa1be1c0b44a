import os from 'node:os';
import { BOOKING_TASK_QUEUE } from '../../../workflows/contracts/names.js';
import { seconds } from '../../support/polling.js';
import { checkLines, type Check } from '../support/checks.js';
import { outsideShare } from '../support/cpu.js';
import { summarize, type LatencySummary } from '../support/load.js';
import { machineLine } from '../support/machine.js';
import { ms, table } from '../support/report.js';
import { ours, type ConsistencyResult, type SeatBook } from './checks.js';
import { BOOK, PAY, PAYMENT_TOKEN, isHttpStatus } from './flows.js';
import type { StormRun } from './resources.js';
import type { StormResult } from './storm.js';

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

const SETTINGS = [
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

export function header(run: StormRun, foreign: string[], faults: string): string {
  const { options } = run;
  const { config, clients, expectedConfirmed } = options;
  const shown = SETTINGS.map(
    (name) => `${name}=${String(config[name])}${process.env[name] !== undefined ? ' (env)' : ''}`,
  );
  return [
    `durable-sagas booking storm  run ${run.runId}  ${new Date().toISOString()}`,
    machineLine(),
    `storm: ${clients} clients at once, each books ${options.seatsPerBooking} seat(s) and pays (${PAYMENT_TOKEN}); event with ${options.totalSeats} seats at ${options.priceCents} cents, starting in ${seconds(options.startsInMs)}`,
    `  expected: ${expectedConfirmed} confirmed, ${clients - expectedConfirmed} sold out; connections ${options.warmConnections ? 'opened before the storm (--warm-connections)' : 'opened by each client'}; request timeout ${seconds(options.timeoutMs)}`,
    `processes: ${options.apis} api (api/server.ts), ${options.workers} worker(s) (workers/saga-worker.ts)${foreign.length > 0 ? `, plus ${foreign.length} foreign worker(s) on ${BOOKING_TASK_QUEUE}` : ''}`,
    `settings of the spawned processes: ${shown.join(' ')}`,
    `stack: temporal ${config.TEMPORAL_ADDRESS} (namespace ${config.TEMPORAL_NAMESPACE}), postgres ${options.hosts.DATABASE_URL}, redis ${config.REDIS_URL}, payment gateway ${config.PAYMENT_GATEWAY_URL} (faults: ${faults})`,
    `logs: ${run.logDir}`,
  ].join('\n');
}

function statusRows(storm: StormResult): string[][] {
  return [...storm.statuses]
    .sort((a, b) => a[0].localeCompare(b[0]))
    .map(([key, n]) => {
      const at = key.lastIndexOf(' ');
      const kind = key.slice(at + 1);
      const meaning = isHttpStatus(kind)
        ? (MEANING[key] ?? (Number(kind) >= 500 ? 'server error' : ''))
        : 'no answer';
      return [key.slice(0, at), kind, meaning, String(n)];
    });
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

function stormLines(run: StormRun, storm: StormResult): string[] {
  return [
    '',
    `storm done in ${seconds(storm.wallMs)} (${((run.options.clients * 1000) / storm.wallMs).toFixed(0)} flows/s)${storm.aborted ? '  INTERRUPTED: partial results' : ''}`,
    '',
    'outcomes per client:',
    ...[...storm.outcomes]
      .sort((a, b) => b[1] - a[1])
      .map(([outcome, n]) => `  ${String(n).padStart(6)}  ${outcome}`),
    '',
    'HTTP status by endpoint:',
    table(['endpoint', 'status', 'meaning', 'count'], statusRows(storm), 3),
    '',
    'latency (ms):',
    table(['request', 'n', 'p50', 'p95', 'p99', 'max'], latencyRows(storm)),
  ];
}

function postgresLines(
  run: StormRun,
  eventId: string,
  storm: StormResult,
  seats: SeatBook,
  { report, attempts }: ConsistencyResult,
): string[] {
  const lines = [
    '',
    `Postgres, event ${eventId}:`,
    `  bookings: ${[...seats.byStatus].map(([status, b]) => `${status} ${b.bookings} (${b.seats} seat(s))`).join(', ') || 'none'}`,
    `  seats: total ${seats.totalSeats}, confirmed ${seats.confirmedSeats} + held ${seats.heldSeats} = ${seats.confirmedSeats + seats.heldSeats} taken, available ${seats.availableSeats} (lowest of ${storm.samples} samples during the storm: ${storm.lowestAvailable ?? '-'})`,
    `  overbooked seats: ${seats.overbooked}`,
    `consistency: ${report.ok ? 'ok' : 'INCONSISTENT'} (checked ${report.checked.events} event(s), ${report.checked.bookings} booking(s), ${report.checked.charges} charge(s)${attempts > 1 ? `; ${attempts} attempts` : ''})`,
  ];
  if (!report.ok) {
    const mine = report.offenders.filter((o) => ours(run, o, eventId));
    lines.push(
      `  ${mine.length} of ${report.offenders.length} offender(s) concern this run's event or bookings`,
    );
    for (const offender of report.offenders.slice(0, 10))
      lines.push(`  ${JSON.stringify(offender)}`);
    if (report.offenders.length > 10) lines.push(`  ... ${report.offenders.length - 10} more`);
  }
  return lines;
}

function clientLines(storm: StormResult): string[] {
  const connect = summarize(storm.connections.connectMs);
  const { opened, peakOpen } = storm.connections;
  const lines = [
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
  ];
  if (!storm.cpu) return lines;
  const groups = storm.cpu.groups.map(([group, percent]) => `${group} ${percent.toFixed(0)}%`);
  lines.push(
    '',
    `CPU during the storm (% of one core; ${storm.cpu.cores} cores = ${storm.cpu.cores * 100}%, machine busy ${storm.cpu.machineBusyPercent.toFixed(0)}%):`,
    `  ${groups.join(', ')}`,
  );
  const outside = outsideShare(storm.cpu);
  if (outside >= 20)
    lines.push(
      `  warning: ${outside.toFixed(0)}% went to processes outside the benchmark and the stack: latencies are higher than this system alone would give`,
    );
  return lines;
}

export function printReport(
  run: StormRun,
  eventId: string,
  storm: StormResult,
  seats: SeatBook,
  consistencyResult: ConsistencyResult,
  checks: Check[],
) {
  const lines = [
    ...stormLines(run, storm),
    ...postgresLines(run, eventId, storm, seats, consistencyResult),
    ...clientLines(storm),
    '',
    'checks:',
    ...checkLines(checks, 60),
    '',
    `RESULT: ${checks.every((c) => c.ok) && !storm.aborted ? 'PASS' : 'FAIL'}${storm.aborted ? ' (interrupted)' : ''}`,
  ];
  console.log(lines.join('\n'));
}

export function jsonReport(
  run: StormRun,
  eventId: string,
  storm: StormResult,
  seats: SeatBook,
  { report }: ConsistencyResult,
  checks: Check[],
) {
  const { options } = run;
  return {
    runId: run.runId,
    eventId,
    machine: {
      cores: os.availableParallelism(),
      memoryGiB: os.totalmem() / 2 ** 30,
      node: process.version,
    },
    options: {
      clients: options.clients,
      totalSeats: options.totalSeats,
      seatsPerBooking: options.seatsPerBooking,
      priceCents: options.priceCents,
      startsInMs: options.startsInMs,
      workers: options.workers,
      apis: options.apis,
      timeoutMs: options.timeoutMs,
      warmConnections: options.warmConnections,
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
