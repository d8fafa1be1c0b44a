/**
 * Outbox relay: drain throughput beside raw kafkajs, commit → Kafka latency, and recovery from a
 * Kafka outage, on a scratch database (the stack's Postgres) and a private Kafka broker.
 *
 *   npm run bench:relay -- [--events 100000] [--batch-size 1000] [--concurrency 2] [--rate 200]
 *                          [--outage-seconds 30] [--phases ceiling,drain,latency,outage] [--json f]
 *   (npm run bench:relay -- --help lists every option)
 *
 * The relay runs in this process, built as workers/outbox-relay.ts builds it (createOutboxRelay,
 * runRelayLoop with LISTEN/NOTIFY wakeups); each phase publishes to its own topics. The scratch
 * database and the broker are removed at the end, also after a failure or Ctrl-C.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { pino } from 'pino';
import { z } from 'zod';
import { createKafka } from '../../../activities/outbox/kafka.publisher.js';
import { loadConfig } from '../../../platform/config/load-config.js';
import { databaseSettings, kafkaSettings, relaySettings } from '../../../platform/config/settings.js';
import { createPrismaClient, type PrismaClient } from '../../../prisma/client.js';
import { createScratchDatabase, type ScratchDatabase } from '../../support/scratch-database.js';
import { startKafkaBroker, type KafkaBroker } from '../../support/private-kafka.js';
import { benchArgs } from '../support/cli-args.js';
import { cpuSnapshot, type KnownPids } from '../support/cpu.js';
import { perBatch } from './relay-profile.js';
import { prefillOutbox, prefillPublishedLog } from './outbox-load.js';
import {
  Interrupted,
  runCeiling,
  runDrain,
  runLatency,
  runOutage,
  type PhaseContext,
} from './relay-phases.js';
import {
  relayChecks,
  throughputSummary,
  relayReport,
  type RelayResults,
  type RelayTargets,
} from './relay-report.js';
import { errorText } from '../../../platform/config/error-text.js';

const TARGETS: RelayTargets = { ratio: 0.8, p99Ms: 100, recoveryMs: 30_000 };
const PHASES = ['ceiling', 'drain', 'latency', 'outage'] as const;
type Phase = (typeof PHASES)[number];

const USAGE = `usage: npm run bench:relay -- [options]
  --events <n>            events for the ceiling and the drain (default 100000)
  --log-size <n>          published events in the log before anything else (default 0): a live
                          system's table, whose statistics a backlog of a few percent does not change
  --rounds <n>            prefill → ceiling → drain rounds; the ratio is the median of the rounds'
                          ratios (default 3)
  --per-aggregate <n>     events per aggregate in the prefill (default 10)
  --in-flight <n>         aggregates whose events interleave in the outbox, like sagas running at
                          the same time (default 250)
  --batch-size <n>        events per relay batch, and per sendBatch in the ceiling (default 1000)
  --concurrency <n>       relay lanes, and concurrent sendBatch calls in the ceiling
                          (default RELAY_CONCURRENCY, 2)
  --rate <n>              latency phase: single-event transactions per second (default 200)
  --latency-seconds <s>   latency phase: measured duration (default 15)
  --outage-rate <n>       outage phase: appendToOutbox transactions per second (default 100)
  --outage-seconds <s>    outage phase: how long the broker stays down (default 30)
  --phases <list>         comma list of ${PHASES.join(', ')} (default all)
  --json <file>           also write the results as JSON
  --help                  this text
Durations: 15, 15s, 1500ms, 1m.
Targets: relay drain ≥ ${TARGETS.ratio} × raw kafkajs; commit → consumed p99 < ${TARGETS.p99Ms} ms;
backlog drained < ${TARGETS.recoveryMs / 1000} s after Kafka is healthy again.
Needs the stack's Postgres (DATABASE_URL; a scratch database is created and dropped there) and Kafka
provisioned (a private broker on free ports is started and removed). KAFKA_TOPIC_PARTITIONS,
RELAY_POLL_INTERVAL_MS and RELAY_MAX_BACKOFF_MS apply as they do to the relay.
Exit status: 0 when every check passes, 1 when one fails (or the run could not be done), 2 on bad
options, 130 when interrupted.`;

// ── arguments and configuration ─────────────────────────────────────────────
const configSchema = z.object({ ...databaseSettings, ...kafkaSettings, ...relaySettings });
let config: z.infer<typeof configSchema>;
try {
  config = loadConfig(configSchema);
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(2);
}

const cli = benchArgs(USAGE, {
  events: { type: 'string', default: '100000' },
  rounds: { type: 'string', default: '3' },
  'log-size': { type: 'string', default: '0' },
  'per-aggregate': { type: 'string', default: '10' },
  'in-flight': { type: 'string', default: '250' },
  'batch-size': { type: 'string', default: '1000' },
  concurrency: { type: 'string', default: String(config.RELAY_CONCURRENCY) },
  rate: { type: 'string', default: '200' },
  'latency-seconds': { type: 'string', default: '15' },
  'outage-rate': { type: 'string', default: '100' },
  'outage-seconds': { type: 'string', default: '30' },
  phases: { type: 'string', default: PHASES.join(',') },
  json: { type: 'string' },
  help: { type: 'boolean', default: false },
});
const args = cli.values;
const options = {
  events: cli.integer('events', args.events, 1, 5_000_000),
  rounds: cli.integer('rounds', args.rounds, 1, 20),
  logSize: cli.integer('log-size', args['log-size'], 0, 50_000_000),
  perAggregate: cli.integer('per-aggregate', args['per-aggregate'], 1, 1_000),
  inFlight: cli.integer('in-flight', args['in-flight'], 1, 1_000_000),
  batchSize: cli.integer('batch-size', args['batch-size'], 1, 10_000),
  concurrency: cli.integer('concurrency', args.concurrency, 1, 16),
  rate: cli.integer('rate', args.rate, 1, 10_000),
  latencyMs: cli.durationMs('latency-seconds', args['latency-seconds']),
  outageRate: cli.integer('outage-rate', args['outage-rate'], 1, 10_000),
  outageMs: cli.durationMs('outage-seconds', args['outage-seconds']),
};
if (options.latencyMs < 1_000 || options.latencyMs > 600_000)
  cli.fail('--latency-seconds: from 1 s to 10 min');
if (options.outageMs < 1_000 || options.outageMs > 600_000)
  cli.fail('--outage-seconds: from 1 s to 10 min');
const phases = new Set(args.phases.split(',').map((p) => p.trim()));
for (const phase of phases)
  if (!PHASES.includes(phase as Phase)) cli.fail(`--phases: ${PHASES.join(', ')}; got "${phase}"`);
const runs = (phase: Phase) => phases.has(phase);
const databaseHost = new URL(config.DATABASE_URL).hostname;
if (!['127.0.0.1', 'localhost', '::1', '[::1]'].includes(databaseHost))
  cli.fail(`DATABASE_URL points at ${databaseHost}: the benchmark only runs against this machine`);

const runId = randomBytes(4).toString('hex');
const logDir = path.join(os.tmpdir(), `durable-sagas-relay-bench-${runId}`);
fs.mkdirSync(logDir, { recursive: true });
const began = performance.now();
const progress = (line: string) =>
  process.stderr.write(
    `[${((performance.now() - began) / 1000).toFixed(1).padStart(6)} s] ${line}\n`,
  );

// ── resources and interruption ──────────────────────────────────────────────
let broker: KafkaBroker | undefined;
let scratch: ScratchDatabase | undefined;
const cleanups: [string, () => Promise<unknown>][] = [];

const abort = new AbortController();
let interruptedAt: number | undefined;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    // npm and tsx relay a terminal's Ctrl-C that reached us already: a repeat within a second is the same one.
    if (interruptedAt !== undefined) {
      if (Date.now() - interruptedAt < 1_000) return;
      if (scratch)
        console.error(
          `forced exit: database ${new URL(scratch.url).pathname.slice(1)} is left behind`,
        );
      process.exit(130); // the exit hook still kills the broker
    }
    interruptedAt = Date.now();
    console.error(`\n${signal}: stopping and cleaning up (again to force)`);
    abort.abort();
  });
}
// Last resort (a forced exit, an uncaught error): the broker we started does not outlive us.
process.once('exit', () => {
  const pid = broker?.pid();
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
});

const known = (): KnownPids => {
  const pids: KnownPids = new Map([[process.pid, 'bench (relay, load, consumers)']]);
  const pid = broker?.pid();
  if (pid !== undefined) pids.set(pid, 'kafka (private broker)');
  return pids;
};

async function setUp(): Promise<PhaseContext> {
  const start = performance.now();
  progress('setup: scratch database and private Kafka broker...');
  const [database, kafkaBroker] = await Promise.allSettled([
    createScratchDatabase(config.DATABASE_URL, 'bench_relay'),
    startKafkaBroker(),
  ]);
  if (database.status === 'fulfilled') {
    scratch = database.value;
    cleanups.push(['drop the scratch database', () => scratch!.drop()]);
  }
  if (kafkaBroker.status === 'fulfilled') {
    broker = kafkaBroker.value;
    cleanups.push(['remove the private broker', () => broker!.destroy()]);
  }
  if (database.status === 'rejected') throw database.reason;
  if (kafkaBroker.status === 'rejected') throw kafkaBroker.reason;
  progress(
    `setup: database ${new URL(scratch!.url).pathname.slice(1)} migrated, broker ${broker!.brokers.join(',')} up, in ${((performance.now() - start) / 1000).toFixed(1)} s`,
  );

  const pool = new pg.Pool({ connectionString: scratch!.url, max: 8 });
  pool.on('error', () => {}); // an idle client dropped with the database at the end
  cleanups.push(['close the bench pool', () => pool.end()]);
  const relayPrisma = trackPrisma(options.concurrency + 2, 'relay');
  const kafka = createKafka(broker!.brokers, 'relay-bench');
  const logFile = path.join(logDir, 'relay.log');
  return {
    pool,
    databaseUrl: scratch!.url,
    relayPrisma,
    broker: broker!,
    kafka,
    partitions: config.KAFKA_TOPIC_PARTITIONS,
    batchSize: options.batchSize,
    concurrency: options.concurrency,
    pollIntervalMs: config.RELAY_POLL_INTERVAL_MS,
    maxBackoffMs: config.RELAY_MAX_BACKOFF_MS,
    signal: abort.signal,
    logger: pino({ level: 'info' }, pino.destination({ dest: logFile, sync: true })),
    progress,
    cpuSnapshot: () => cpuSnapshot(known()),
  };
}

function trackPrisma(poolMax: number, name: string): PrismaClient {
  const prisma = createPrismaClient({ url: scratch!.url, poolMax });
  cleanups.push([`disconnect the ${name} Prisma client`, () => prisma.$disconnect()]);
  return prisma;
}

// ── report ──────────────────────────────────────────────────────────────────
function header(): string {
  const cpus = os.cpus();
  const aggregates = Math.ceil(options.events / options.perAggregate);
  return [
    `durable-sagas outbox relay bench  run ${runId}  ${new Date().toISOString()}`,
    `machine: ${os.availableParallelism()} cores (${cpus[0]?.model.trim() ?? 'unknown CPU'}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}, load average ${os.loadavg()[0]!.toFixed(2)}`,
    `phases: ${[...phases].join(', ')}`,
    `relay: batch size ${options.batchSize}, ${options.concurrency} lane(s), ${config.KAFKA_TOPIC_PARTITIONS} partitions per topic, poll ${config.RELAY_POLL_INTERVAL_MS} ms, max backoff ${config.RELAY_MAX_BACKOFF_MS} ms`,
    `prefill: ${options.events} events over ${aggregates} order/booking aggregates (${options.perAggregate} each, ${options.inFlight} interleaved at a time), ${options.rounds} round(s)${options.logSize > 0 ? `, after a log of ${options.logSize} published events` : ''}`,
    `latency: ${options.rate}/s for ${options.latencyMs / 1000} s; outage: ${options.outageRate}/s, broker down ${options.outageMs / 1000} s; both after VACUUM ANALYZE (as autovacuum leaves the table)`,
    `postgres: ${databaseHost} (scratch database); logs: ${logDir}`,
  ].join('\n');
}

function jsonReport(results: RelayResults, checks: ReturnType<typeof relayChecks>) {
  const cpu = (split: { groups: [string, number][] } | undefined) =>
    split && Object.fromEntries(split.groups);
  return {
    runId,
    machine: { cores: os.availableParallelism(), node: process.version },
    options: { ...options, phases: [...phases], partitions: config.KAFKA_TOPIC_PARTITIONS },
    targets: TARGETS,
    rounds: results.rounds.map(({ ceiling, drain }) => ({
      ceiling: ceiling && {
        ...ceiling,
        raw: { ...ceiling.raw, cpu: cpu(ceiling.raw.cpu) },
        publisher: { ...ceiling.publisher, cpu: cpu(ceiling.publisher.cpu) },
      },
      drain: drain && {
        ...drain,
        cpu: cpu(drain.cpu),
        perBatch: perBatch(drain.profile, drain.ms),
      },
    })),
    throughput: throughputSummary(results),
    latency: results.latency && { ...results.latency, cpu: cpu(results.latency.cpu) },
    outage: results.outage && { ...results.outage, cpu: cpu(results.outage.cpu) },
    checks,
    pass: checks.every((c) => c.ok) && !abort.signal.aborted,
  };
}

// ── run ─────────────────────────────────────────────────────────────────────
async function main(): Promise<boolean> {
  console.log(header());
  const ctx = await setUp();
  const results: RelayResults = { rounds: [] };
  if (options.logSize > 0) {
    const start = performance.now();
    progress(`log: ${options.logSize} published events...`);
    await prefillPublishedLog(ctx.pool, options.logSize);
    await ctx.pool.query('VACUUM ANALYZE outbox_events');
    progress(`log: done in ${((performance.now() - start) / 1000).toFixed(1)} s`);
  }
  for (let round = 1; round <= options.rounds && (runs('ceiling') || runs('drain')); round++) {
    // Each round its own rows (aggregates drain<round>-…) and topics.
    const phase = `drain${round}`;
    const start = performance.now();
    progress(`round ${round}/${options.rounds}: prefill of ${options.events} events...`);
    await prefillOutbox(ctx.pool, phase, options);
    await ctx.pool.query('ANALYZE outbox_events');
    progress(
      `round ${round}: prefill done in ${((performance.now() - start) / 1000).toFixed(1)} s`,
    );
    results.rounds.push({
      ceiling: runs('ceiling') ? await runCeiling(ctx, phase) : undefined,
      drain: runs('drain') ? await runDrain(ctx, phase) : undefined,
    });
    if (!runs('drain'))
      await ctx.pool.query(`DELETE FROM outbox_events WHERE aggregate_id LIKE $1 || '-%'`, [phase]);
  }
  if (runs('latency') || runs('outage')) {
    // Draining leaves every drained row's entries in the partial indexes dead until autovacuum
    // comes by; the latency and outage phases measure the steady state after it.
    await ctx.pool.query('VACUUM ANALYZE outbox_events');
  }
  if (runs('latency'))
    results.latency = await runLatency(ctx, 'latency', options.rate, options.latencyMs);
  if (runs('outage')) {
    const insertPrisma = trackPrisma(10, 'insert');
    results.outage = await runOutage(
      ctx,
      'outage',
      options.outageRate,
      options.outageMs,
      insertPrisma,
    );
  }
  const checks = relayChecks(results, TARGETS);
  console.log(relayReport(results, checks, options));
  const pass = checks.every((c) => c.ok);
  console.log(`\nRESULT: ${pass ? 'PASS' : 'FAIL'}`);
  if (args.json)
    fs.writeFileSync(
      args.json,
      JSON.stringify(
        jsonReport(results, checks),
        (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v),
        2,
      ),
    );
  return pass;
}

let passed = false;
try {
  passed = await main();
} catch (error) {
  if (error instanceof Interrupted || abort.signal.aborted)
    console.log('\nRESULT: FAIL (interrupted)');
  else console.error(`\n${errorText(error)}\nRESULT: FAIL`);
} finally {
  for (const [what, cleanup] of cleanups.reverse()) {
    await cleanup().catch((error: unknown) =>
      console.error(`cleanup: could not ${what}: ${errorText(error)}`),
    );
  }
  progress('cleanup: done');
}
process.exit(abort.signal.aborted ? 130 : passed ? 0 : 1);
