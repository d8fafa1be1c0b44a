import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { pino } from 'pino';
import { createKafka } from '../../../activities/outbox/kafka.publisher.js';
import { errorText } from '../../../platform/config/error-text.js';
import { createPrismaClient, type PrismaClient } from '../../../prisma/client.js';
import { handleInterruption } from '../../support/interruption.js';
import { startKafkaBroker, type KafkaBroker } from '../../support/private-kafka.js';
import { createScratchDatabase, type ScratchDatabase } from '../../support/scratch-database.js';
import { cpuSnapshot, type KnownPids } from '../support/cpu.js';
import type { RelayOptions } from './options.js';
import type { PhaseContext } from './phase-context.js';

/** One run of the relay bench: the scratch database and broker it made, and how to remove them. */
export interface RelayRun {
  options: RelayOptions;
  runId: string;
  logDir: string;
  /** Aborted on Ctrl-C: the phase in progress stops, the cleanup runs. */
  signal: AbortSignal;
  /** `[ s] line` on stderr, seconds since the run began. */
  progress: (line: string) => void;
  broker?: KafkaBroker;
  scratch?: ScratchDatabase;
  /** What to undo at the end, last first, each with what it does (said when it fails). */
  cleanups: [string, () => Promise<unknown>][];
}

export function createRelayRun(options: RelayOptions): RelayRun {
  const runId = randomBytes(4).toString('hex');
  const logDir = path.join(os.tmpdir(), `durable-sagas-relay-bench-${runId}`);
  fs.mkdirSync(logDir, { recursive: true });
  const began = performance.now();
  const abort = new AbortController();
  const run: RelayRun = {
    options,
    runId,
    logDir,
    signal: abort.signal,
    progress: (line) =>
      process.stderr.write(
        `[${((performance.now() - began) / 1000).toFixed(1).padStart(6)} s] ${line}\n`,
      ),
    cleanups: [],
  };
  handleInterruption({
    doing: 'stopping and cleaning up',
    cleanUp: () => abort.abort(),
    beforeForcedExit: () => {
      if (run.scratch)
        console.error(
          `forced exit: database ${new URL(run.scratch.url).pathname.slice(1)} is left behind`,
        );
    },
  });
  // Last resort (a forced exit, an uncaught error): the broker we started does not outlive us.
  process.once('exit', () => {
    const pid = run.broker?.pid();
    if (pid === undefined) return;
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  });
  return run;
}

/** Our processes by name, for the CPU table: this one, and the private broker while it runs. */
const known = (run: RelayRun): KnownPids => {
  const pids: KnownPids = new Map([[process.pid, 'bench (relay, load, consumers)']]);
  const pid = run.broker?.pid();
  if (pid !== undefined) pids.set(pid, 'kafka (private broker)');
  return pids;
};

/** A Prisma client on the scratch database, disconnected at the end. */
export function trackPrisma(run: RelayRun, poolMax: number, name: string): PrismaClient {
  const prisma = createPrismaClient({ url: run.scratch!.url, poolMax });
  run.cleanups.push([`disconnect the ${name} Prisma client`, () => prisma.$disconnect()]);
  return prisma;
}

/** The scratch database (migrated) and the private broker, side by side; whichever came up is removed at the end. */
async function startServers(run: RelayRun): Promise<void> {
  const start = performance.now();
  run.progress('setup: scratch database and private Kafka broker...');
  const [database, kafkaBroker] = await Promise.allSettled([
    createScratchDatabase(run.options.config.DATABASE_URL, 'bench_relay'),
    startKafkaBroker(),
  ]);
  if (database.status === 'fulfilled') {
    const scratch = (run.scratch = database.value);
    run.cleanups.push(['drop the scratch database', () => scratch.drop()]);
  }
  if (kafkaBroker.status === 'fulfilled') {
    const broker = (run.broker = kafkaBroker.value);
    run.cleanups.push(['remove the private broker', () => broker.destroy()]);
  }
  if (database.status === 'rejected') throw database.reason;
  if (kafkaBroker.status === 'rejected') throw kafkaBroker.reason;
  run.progress(
    `setup: database ${new URL(run.scratch!.url).pathname.slice(1)} migrated, broker ${run.broker!.brokers.join(',')} up, in ${((performance.now() - start) / 1000).toFixed(1)} s`,
  );
}

export async function setUp(run: RelayRun): Promise<PhaseContext> {
  await startServers(run);
  const { config, sizes } = run.options;
  const scratch = run.scratch!;
  const broker = run.broker!;
  const pool = new pg.Pool({ connectionString: scratch.url, max: 8 });
  pool.on('error', () => {}); // an idle client dropped with the database at the end
  run.cleanups.push(['close the bench pool', () => pool.end()]);
  const relayPrisma = trackPrisma(run, sizes.concurrency + 2, 'relay');
  const logFile = path.join(run.logDir, 'relay.log');
  return {
    pool,
    databaseUrl: scratch.url,
    relayPrisma,
    broker,
    kafka: createKafka(broker.brokers, 'relay-bench'),
    partitions: config.KAFKA_TOPIC_PARTITIONS,
    batchSize: sizes.batchSize,
    concurrency: sizes.concurrency,
    pollIntervalMs: config.RELAY_POLL_INTERVAL_MS,
    maxBackoffMs: config.RELAY_MAX_BACKOFF_MS,
    signal: run.signal,
    logger: pino({ level: 'info' }, pino.destination({ dest: logFile, sync: true })),
    progress: run.progress,
    cpuSnapshot: () => cpuSnapshot(known(run)),
  };
}

/** Undoes what the run set up, last first; says what it could not undo. */
export async function cleanUp(run: RelayRun): Promise<void> {
  for (const [what, cleanup] of run.cleanups.reverse()) {
    await cleanup().catch((error: unknown) =>
      console.error(`cleanup: could not ${what}: ${errorText(error)}`),
    );
  }
  run.progress('cleanup: done');
}
