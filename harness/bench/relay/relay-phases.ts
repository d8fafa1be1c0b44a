import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Kafka } from 'kafkajs';
import type pg from 'pg';
import type { Logger } from 'pino';
import { topicFor } from '../../../activities/outbox/event-envelope.js';
import { ensureTopics } from '../../../activities/outbox/kafka.topics.js';
import { createKafkaPublisher } from '../../../activities/outbox/kafka.publisher.js';
import { createOutboxLogRepository } from '../../../activities/outbox/event-log.repository.js';
import { createOutboxRelay } from '../../../activities/outbox/relay.drain.js';
import { appendToOutbox, type DomainEvent } from '../../../activities/outbox/outbox.appender.js';
import { listenForOutboxCommits } from '../../../activities/outbox/relay.wakeups.js';
import { runRelayLoop, type RelayStatus } from '../../../activities/outbox/relay.loop.js';
import type { PrismaClient } from '../../../prisma/client.js';
import type { KafkaBroker } from '../../support/private-kafka.js';
import { cpuSplit, type CpuSnapshot, type CpuSplit } from '../support/cpu.js';
import { kafkaBatches, produceRaw, publishOnly, type SendProgress } from './kafka-ceiling.js';
import { checkDeliveries, readBack, receiveLive, type DeliveryCheck } from '../../support/kafka-readback.js';
import {
  insertLiveEvent,
  lastSequence,
  liveEvent,
  outboxState,
  readOutboxRecords,
  sequencesOf,
  unpublished,
  type OutboxState,
} from './outbox-load.js';
import { summarize, type LatencySummary } from '../support/load.js';
import {
  emptyProfile,
  profiledLog,
  profiledPrisma,
  profiledPublisher,
  type RelayProfile,
} from './relay-profile.js';
import { atSteadyRate } from '../support/steady-rate.js';

export interface PhaseContext {
  /** Bench-side SQL on the scratch database (prefill, inserts, checks). */
  pool: pg.Pool;
  databaseUrl: string;
  /** The relay's own client, as a worker would hold it. */
  relayPrisma: PrismaClient;
  broker: KafkaBroker;
  /** For admin calls, consumers and the raw producer. */
  kafka: Kafka;
  partitions: number;
  batchSize: number;
  concurrency: number;
  pollIntervalMs: number;
  maxBackoffMs: number;
  signal: AbortSignal;
  logger: Logger;
  progress: (line: string) => void;
  cpuSnapshot: () => CpuSnapshot;
}

export class Interrupted extends Error {
  override readonly name = 'Interrupted';
}

const READ_BACK_TIMEOUT_MS = 120_000;
const AGGREGATE_TYPES = ['order', 'booking'];

const topicsOf = (prefix: string) => AGGREGATE_TYPES.map((type) => topicFor(prefix, type));

/** Rejects with Interrupted once `signal` aborts; `work` goes on in the background, unobserved. */
function orAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  void work.catch(() => {});
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Interrupted('interrupted'));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

const pause = (ms: number, signal: AbortSignal) =>
  orAbort(new Promise((resolve) => setTimeout(resolve, ms)), signal);

function ticker(ms: number, tick: () => void | Promise<void>): () => void {
  const timer = setInterval(() => void Promise.resolve(tick()).catch(() => {}), ms);
  return () => clearInterval(timer);
}

/** Polls `check` until it holds (true) or `timeoutMs` passed (false, with a progress line). */
async function until(
  ctx: PhaseContext,
  what: string,
  check: () => Promise<boolean>,
  timeoutMs: number,
  intervalMs = 100,
): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline) {
      ctx.progress(`${what}: not within ${timeoutMs / 1000} s; going on`);
      return false;
    }
    await pause(intervalMs, ctx.signal);
  }
  return true;
}

function createBenchRelay(ctx: PhaseContext, topicPrefix: string) {
  const profile = emptyProfile();
  const publisher = profiledPublisher(
    createKafkaPublisher({
      brokers: ctx.broker.brokers,
      clientId: `relay-bench-${topicPrefix}`,
      topicPrefix,
      partitions: ctx.partitions,
    }),
    profile,
  );
  const relay = createOutboxRelay({
    prisma: profiledPrisma(ctx.relayPrisma, profile),
    publisher,
    log: profiledLog(createOutboxLogRepository(), profile),
    batchSize: ctx.batchSize,
    concurrency: ctx.concurrency,
  });
  return { relay, publisher, profile };
}

async function verify(ctx: PhaseContext, phase: string, topicPrefix: string) {
  const state = await outboxState(ctx.pool, phase);
  const deliveries = await orAbort(
    readBack(ctx.kafka, topicsOf(topicPrefix), READ_BACK_TIMEOUT_MS),
    ctx.signal,
  );
  return { state, delivery: checkDeliveries(deliveries, await sequencesOf(ctx.pool, phase)) };
}

const perSecond = (count: number, ms: number) => (ms > 0 ? (count * 1000) / ms : 0);

// ── 1. ceiling ───────────────────────────────────────────────────────────────
export interface Throughput {
  events: number;
  ms: number;
  perSecond: number;
  cpu: CpuSplit;
}

export interface CeilingResult {
  raw: Throughput;
  /** The relay's Kafka publisher alone, without the database. */
  publisher: Throughput;
  valueBytes: number;
  payloadBytes: number;
}

function sendTicker(ctx: PhaseContext, label: string, total: number, progress: SendProgress) {
  let last = 0;
  return ticker(1_000, () => {
    ctx.progress(
      `${label}: ${progress.sent}/${total} sent (${progress.sent - last}/s in the last second)`,
    );
    last = progress.sent;
  });
}

export async function runCeiling(ctx: PhaseContext, phase: string): Promise<CeilingResult> {
  const records = await readOutboxRecords(ctx.pool, phase);
  const batches = kafkaBatches(records, ctx.batchSize, 'ceiling');
  const messages = batches.flatMap((batch) => batch.flatMap((t) => t.messages));
  const valueBytes =
    messages.reduce((sum, m) => sum + Buffer.byteLength(m.value as string), 0) / messages.length;
  const payloadBytes =
    records.reduce((sum, r) => sum + Buffer.byteLength(JSON.stringify(r.payload)), 0) /
    records.length;
  await ensureTopics(ctx.kafka, [...topicsOf('ceiling'), ...topicsOf('publisher')], ctx.partitions);

  const measure = async (label: string, send: (progress: SendProgress) => Promise<number>) => {
    const progress: SendProgress = { sent: 0 };
    const stopTicker = sendTicker(ctx, label, records.length, progress);
    const before = ctx.cpuSnapshot();
    try {
      const ms = await orAbort(send(progress), ctx.signal);
      const cpu = cpuSplit(before, ctx.cpuSnapshot());
      ctx.progress(`${label}: ${records.length} in ${(ms / 1000).toFixed(2)} s`);
      return { events: records.length, ms, perSecond: perSecond(records.length, ms), cpu };
    } finally {
      stopTicker();
    }
  };

  const raw = await measure('ceiling (raw kafkajs)', (progress) =>
    produceRaw(ctx.kafka, batches, ctx.concurrency, progress),
  );
  const publisher = createKafkaPublisher({
    brokers: ctx.broker.brokers,
    clientId: 'relay-bench-publisher',
    topicPrefix: 'publisher',
    partitions: ctx.partitions,
  });
  try {
    const publisherOnly = await measure('publisher (no database)', (progress) =>
      publishOnly(publisher, records, ctx.batchSize, ctx.concurrency, progress),
    );
    return { raw, publisher: publisherOnly, valueBytes, payloadBytes };
  } finally {
    await publisher.close();
  }
}

// ── 2. drain ─────────────────────────────────────────────────────────────────
export interface DrainResult extends Throughput {
  /** drain() calls until the backlog was 0. */
  drains: number;
  profile: RelayProfile;
  state: OutboxState;
  delivery: DeliveryCheck;
}

/** Publishes the phase's prefilled rows to topics of their own (`<phase>.order`, ...). */
export async function runDrain(ctx: PhaseContext, phase: string): Promise<DrainResult> {
  const events = await unpublished(ctx.pool, phase);
  await ensureTopics(ctx.kafka, topicsOf(phase), ctx.partitions);
  const { relay, publisher, profile } = createBenchRelay(ctx, phase);
  let last = 0;
  const stopTicker = ticker(1_000, () => {
    ctx.progress(
      `relay drain: ${profile.published}/${events} published (${profile.published - last}/s in the last second)`,
    );
    last = profile.published;
  });
  const before = ctx.cpuSnapshot();
  const start = performance.now();
  let drains = 0;
  try {
    // A lane stops at its first empty claim, which may leave events another lane skipped.
    do {
      drains++;
      await orAbort(relay.drain(), ctx.signal);
    } while ((await unpublished(ctx.pool, phase)) > 0 && drains < 1_000);
  } finally {
    stopTicker();
    await publisher.close();
  }
  const ms = performance.now() - start;
  const cpu = cpuSplit(before, ctx.cpuSnapshot());
  ctx.progress(`relay drain: ${events} in ${(ms / 1000).toFixed(2)} s, ${drains} drain() call(s)`);
  ctx.progress('relay drain: reading the topics back...');
  return {
    events,
    ms,
    perSecond: perSecond(events, ms),
    cpu,
    drains,
    profile,
    ...(await verify(ctx, phase, phase)),
  };
}

// ── relay loop, as the relay activity runs it ───────────────────────────────
interface RunningLoop {
  profile: RelayProfile;
  statusLog: string[];
  stop(): Promise<void>;
}

function startRelayLoop(ctx: PhaseContext, topicPrefix: string, t0: number): RunningLoop {
  const { relay, publisher, profile } = createBenchRelay(ctx, topicPrefix);
  const wakeups = listenForOutboxCommits(ctx.databaseUrl, ctx.logger);
  const stop = new AbortController();
  const statusLog: string[] = [];
  let previous: RelayStatus | undefined;
  const note = (line: string) => {
    const stamped = `+${((performance.now() - t0) / 1000).toFixed(1)} s  ${line}`;
    statusLog.push(stamped);
    ctx.progress(`relay: ${stamped}`);
  };
  const loop = runRelayLoop({
    relay,
    publisher,
    wakeups,
    signal: stop.signal,
    pollIntervalMs: ctx.pollIntervalMs,
    maxBackoffMs: ctx.maxBackoffMs,
    logger: ctx.logger,
    onStatus: (status) => {
      if (status.state === 'backing-off' && status.attempt !== previous?.attempt) {
        const waitMs = Date.parse(status.nextAttemptAt ?? '') - Date.now();
        note(
          `attempt ${status.attempt} failed (${status.lastError?.slice(0, 90)}); next in ${(waitMs / 1000).toFixed(1)} s`,
        );
      } else if (status.state === 'publishing' && previous?.state === 'backing-off') {
        note('trying again');
      } else if (status.state === 'idle' && previous?.failingSince) {
        note('published again: backlog drained');
      }
      previous = status;
    },
  });
  return {
    profile,
    statusLog,
    async stop() {
      stop.abort();
      try {
        await loop;
      } finally {
        await wakeups.close();
        await publisher.close();
      }
    },
  };
}

// ── 3. latency ───────────────────────────────────────────────────────────────
export interface LatencyResult {
  rate: number;
  measuredMs: number;
  warmupMs: number;
  inserted: number;
  measured: number;
  insertErrors: number;
  /** Measured events not consumed within the wait after the last insert. */
  notReceived: number;
  latencyMs: LatencySummary | undefined;
  consumerMaxWaitMs: number;
  eventLoopDelayMs: { p99: number; max: number };
  profile: RelayProfile;
  cpu: CpuSplit;
  state: OutboxState;
  delivery: DeliveryCheck;
}

const LATENCY_WARMUP_MS = 2_000;
const CONSUMER_MAX_WAIT_MS = 10;
const RECEIVE_WAIT_MS = 30_000;

export async function runLatency(
  ctx: PhaseContext,
  phase: string,
  rate: number,
  durationMs: number,
): Promise<LatencyResult> {
  await ensureTopics(ctx.kafka, topicsOf('latency'), ctx.partitions);
  const receiver = await orAbort(
    receiveLive(ctx.kafka, topicsOf('latency'), CONSUMER_MAX_WAIT_MS),
    ctx.signal,
  );
  const t0 = performance.now();
  const loop = startRelayLoop(ctx, 'latency', t0);
  const committedAt = new Map<string, number>();
  let insertErrors = 0;
  let inserted = 0;
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  const stopInserts = new AbortController();
  const stopAtEnd = () => stopInserts.abort();
  ctx.signal.addEventListener('abort', stopAtEnd);
  let measureStart = Infinity;
  let before: CpuSnapshot | undefined;
  const measureTimer = setTimeout(() => {
    measureStart = performance.now();
    before = ctx.cpuSnapshot();
    loopDelay.enable();
  }, LATENCY_WARMUP_MS);
  const endTimer = setTimeout(stopAtEnd, LATENCY_WARMUP_MS + durationMs);
  let last = 0;
  const stopTicker = ticker(1_000, () => {
    const phaseName = measureStart === Infinity ? 'warm-up' : 'measuring';
    ctx.progress(
      `latency ${phaseName}: ${inserted} committed (${inserted - last}/s), ${receiver.receivedAt.size} consumed, ${insertErrors} insert errors`,
    );
    last = inserted;
  });
  try {
    await atSteadyRate({
      perSecond: rate,
      signal: stopInserts.signal,
      fire: async (n) => {
        const measured = performance.now() >= measureStart;
        try {
          const id = await insertLiveEvent(ctx.pool, phase, n);
          if (measured) committedAt.set(id, performance.now());
          inserted++;
        } catch {
          insertErrors++;
        }
      },
    });
    const measuredMs = Math.max(0, performance.now() - measureStart);
    const cpu = cpuSplit(before ?? ctx.cpuSnapshot(), ctx.cpuSnapshot());
    loopDelay.disable();
    const allReceived = async () =>
      [...committedAt.keys()].every((id) => receiver.receivedAt.has(id));
    await until(ctx, 'every event consumed', allReceived, RECEIVE_WAIT_MS);
    const latencies: number[] = [];
    let notReceived = 0;
    for (const [id, at] of committedAt) {
      const received = receiver.receivedAt.get(id);
      if (received === undefined) notReceived++;
      else latencies.push(received - at);
    }
    await until(ctx, 'backlog 0', async () => (await unpublished(ctx.pool, phase)) === 0, 30_000);
    return {
      rate,
      measuredMs,
      warmupMs: LATENCY_WARMUP_MS,
      inserted,
      measured: committedAt.size,
      insertErrors,
      notReceived,
      latencyMs: summarize(latencies),
      consumerMaxWaitMs: CONSUMER_MAX_WAIT_MS,
      eventLoopDelayMs: { p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6 },
      profile: loop.profile,
      cpu,
      ...(await verify(ctx, phase, 'latency')),
    };
  } finally {
    clearTimeout(measureTimer);
    clearTimeout(endTimer);
    stopTicker();
    ctx.signal.removeEventListener('abort', stopAtEnd);
    loopDelay.disable();
    await loop.stop();
    await receiver.stop();
  }
}

// ── 4. outage ────────────────────────────────────────────────────────────────
export interface OutageResult {
  rate: number;
  /** Steady flow before the broker is stopped. */
  leadMs: number;
  /** From SIGTERM until the broker process was gone. */
  stopMs: number;
  /** From the broker gone until it was started again. */
  downMs: number;
  /** From starting it until it answered (describeCluster). */
  startMs: number;
  /** From healthy until the relay's first successful publish after the outage (negative: before). */
  relayBackMs: number | undefined;
  /** From healthy until every event committed before then was published. */
  recoveryMs: number | undefined;
  backlogPeak: number;
  inserted: number;
  insertErrors: number;
  insertMs: LatencySummary | undefined;
  statusLog: string[];
  profile: RelayProfile;
  cpu: CpuSplit;
  state: OutboxState;
  delivery: DeliveryCheck;
}

const OUTAGE_LEAD_MS = 5_000;
const OUTAGE_TAIL_MS = 3_000;
const RECOVERY_LIMIT_MS = 300_000;

export async function runOutage(
  ctx: PhaseContext,
  phase: string,
  rate: number,
  outageMs: number,
  insertPrisma: PrismaClient,
): Promise<OutageResult> {
  await ensureTopics(ctx.kafka, topicsOf('outage'), ctx.partitions);
  const t0 = performance.now();
  const since = () => `+${((performance.now() - t0) / 1000).toFixed(1)} s`;
  const loop = startRelayLoop(ctx, 'outage', t0);
  const before = ctx.cpuSnapshot();
  const insertMs: number[] = [];
  let insertErrors = 0;
  let backlog = 0;
  let backlogPeak = 0;
  let kafkaState = 'up';
  const stopInserts = new AbortController();
  const stopOnAbort = () => stopInserts.abort();
  ctx.signal.addEventListener('abort', stopOnAbort);
  const inserts = atSteadyRate({
    perSecond: rate,
    signal: stopInserts.signal,
    fire: async (n) => {
      const { correlationId, ...live } = liveEvent(phase, n);
      // The prefill's synthetic payload, not a catalogue one: the relay never reads payloads.
      const event = live as unknown as DomainEvent;
      const start = performance.now();
      try {
        await insertPrisma.$transaction((tx) => appendToOutbox(tx, correlationId, event));
        insertMs.push(performance.now() - start);
      } catch {
        insertErrors++;
      }
    },
  });
  const stopSampler = ticker(250, async () => {
    backlog = await unpublished(ctx.pool, phase);
    backlogPeak = Math.max(backlogPeak, backlog);
  });
  const stopTicker = ticker(1_000, () =>
    ctx.progress(
      `outage ${since()}: kafka ${kafkaState}, backlog ${backlog} (peak ${backlogPeak}), ${insertMs.length} committed, ${insertErrors} insert errors, ${loop.profile.published} published`,
    ),
  );
  try {
    await pause(OUTAGE_LEAD_MS, ctx.signal);
    kafkaState = 'stopping';
    const stopBegin = performance.now();
    await orAbort(ctx.broker.stop(), ctx.signal);
    const down = performance.now();
    kafkaState = 'DOWN';
    ctx.progress(
      `outage ${since()}: broker stopped in ${((down - stopBegin) / 1000).toFixed(1)} s`,
    );
    await pause(outageMs, ctx.signal);
    kafkaState = 'starting';
    const startBegin = performance.now();
    ctx.progress(`outage ${since()}: starting the broker again`);
    await orAbort(ctx.broker.start(), ctx.signal);
    const healthy = performance.now();
    kafkaState = 'up';
    const relayFailures = loop.profile.publishFailures;
    const upTo = await lastSequence(ctx.pool);
    ctx.progress(
      `outage ${since()}: broker healthy after ${((healthy - startBegin) / 1000).toFixed(1)} s; waiting for the backlog up to sequence ${upTo}`,
    );
    let recovered: number | undefined;
    const drained = await until(
      ctx,
      `outage ${since()}: backlog from the outage drained`,
      async () => (await unpublished(ctx.pool, phase, upTo)) === 0,
      RECOVERY_LIMIT_MS,
    );
    if (drained) {
      recovered = performance.now();
      ctx.progress(
        `outage ${since()}: backlog drained ${((recovered - healthy) / 1000).toFixed(1)} s after the broker was healthy (${loop.profile.publishFailures - relayFailures} failed publishes after healthy)`,
      );
    }
    await pause(OUTAGE_TAIL_MS, ctx.signal);
    stopInserts.abort();
    await inserts;
    const cpu = cpuSplit(before, ctx.cpuSnapshot());
    ctx.progress(`outage ${since()}: flow stopped; waiting for the rest of the backlog`);
    await until(
      ctx,
      'backlog 0',
      async () => (await unpublished(ctx.pool, phase)) === 0,
      RECOVERY_LIMIT_MS,
    );
    ctx.progress(`outage ${since()}: reading the topics back...`);
    return {
      rate,
      leadMs: OUTAGE_LEAD_MS,
      stopMs: down - stopBegin,
      downMs: startBegin - down,
      startMs: healthy - startBegin,
      relayBackMs: loop.profile.backAt === undefined ? undefined : loop.profile.backAt - healthy,
      recoveryMs: recovered === undefined ? undefined : recovered - healthy,
      backlogPeak,
      inserted: insertMs.length,
      insertErrors,
      insertMs: summarize(insertMs),
      statusLog: loop.statusLog,
      profile: loop.profile,
      cpu,
      ...(await verify(ctx, phase, 'outage')),
    };
  } finally {
    stopInserts.abort();
    stopSampler();
    stopTicker();
    ctx.signal.removeEventListener('abort', stopOnAbort);
    await inserts;
    await loop.stop();
  }
}
