import { ensureTopics } from '../../../activities/outbox/kafka.topics.js';
import { appendToOutbox, type DomainEvent } from '../../../activities/outbox/outbox.appender.js';
import type { PrismaClient } from '../../../prisma/client.js';
import type { DeliveryCheck } from '../../support/kafka-readback.js';
import { sleep } from '../../support/polling.js';
import { cpuSplit, type CpuSplit } from '../support/cpu.js';
import { summarize, type LatencySummary } from '../support/load.js';
import { atSteadyRate } from '../support/steady-rate.js';
import { lastSequence, liveEvent, unpublished, type OutboxState } from './outbox-load.js';
import {
  orAbort,
  ticker,
  topicsOf,
  verify,
  waitAtMost,
  type PhaseContext,
} from './phase-context.js';
import { startRelayLoop, type RunningLoop } from './relay-loop.js';
import type { RelayProfile } from './relay-profile.js';

/** 4. Kafka goes down under a steady flow of appendToOutbox transactions, and comes back. */

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

/** What the flow of inserts and the backlog look like so far. */
interface OutageFlow {
  insertMs: number[];
  insertErrors: number;
  backlog: number;
  backlogPeak: number;
  kafkaState: string;
}

/** Inserts at `rate` and samples the backlog until `stop()`, with a progress line a second. */
function startFlow(
  ctx: PhaseContext,
  phase: string,
  rate: number,
  insertPrisma: PrismaClient,
  progressLine: (flow: OutageFlow) => string,
) {
  const flow: OutageFlow = {
    insertMs: [],
    insertErrors: 0,
    backlog: 0,
    backlogPeak: 0,
    kafkaState: 'up',
  };
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
        flow.insertMs.push(performance.now() - start);
      } catch {
        flow.insertErrors++;
      }
    },
  });
  const stopSampler = ticker(250, async () => {
    flow.backlog = await unpublished(ctx.pool, phase);
    flow.backlogPeak = Math.max(flow.backlogPeak, flow.backlog);
  });
  const stopTicker = ticker(1_000, () => ctx.progress(progressLine(flow)));
  return {
    flow,
    /** Ends the inserts (those in flight finish). */
    async stopInserts() {
      stopInserts.abort();
      await inserts;
    },
    async stop() {
      stopInserts.abort();
      stopSampler();
      stopTicker();
      ctx.signal.removeEventListener('abort', stopOnAbort);
      await inserts;
    },
  };
}

/** Flow, then the broker stopped, down for `outageMs`, started again: when each step happened. */
async function brokerOutage(
  ctx: PhaseContext,
  flow: OutageFlow,
  outageMs: number,
  since: () => string,
) {
  await sleep(OUTAGE_LEAD_MS, ctx.signal);
  flow.kafkaState = 'stopping';
  const stopBegin = performance.now();
  await orAbort(ctx.broker.stop(), ctx.signal);
  const down = performance.now();
  flow.kafkaState = 'DOWN';
  ctx.progress(`outage ${since()}: broker stopped in ${((down - stopBegin) / 1000).toFixed(1)} s`);
  await sleep(outageMs, ctx.signal);
  flow.kafkaState = 'starting';
  const startBegin = performance.now();
  ctx.progress(`outage ${since()}: starting the broker again`);
  await orAbort(ctx.broker.start(), ctx.signal);
  const healthy = performance.now();
  flow.kafkaState = 'up';
  return { stopBegin, down, startBegin, healthy };
}

/** When every event committed before the broker was healthy again went out (undefined: not in time). */
async function recovery(
  ctx: PhaseContext,
  phase: string,
  loop: RunningLoop,
  { startBegin, healthy }: { startBegin: number; healthy: number },
  since: () => string,
): Promise<number | undefined> {
  const relayFailures = loop.profile.publishFailures;
  const upTo = await lastSequence(ctx.pool);
  ctx.progress(
    `outage ${since()}: broker healthy after ${((healthy - startBegin) / 1000).toFixed(1)} s; waiting for the backlog up to sequence ${upTo}`,
  );
  const drained = await waitAtMost(
    ctx,
    `outage ${since()}: backlog from the outage drained`,
    async () => (await unpublished(ctx.pool, phase, upTo)) === 0,
    RECOVERY_LIMIT_MS,
  );
  if (!drained) return undefined;
  const recovered = performance.now();
  ctx.progress(
    `outage ${since()}: backlog drained ${((recovered - healthy) / 1000).toFixed(1)} s after the broker was healthy (${loop.profile.publishFailures - relayFailures} failed publishes after healthy)`,
  );
  return recovered;
}

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
  const running = startFlow(
    ctx,
    phase,
    rate,
    insertPrisma,
    (f) =>
      `outage ${since()}: kafka ${f.kafkaState}, backlog ${f.backlog} (peak ${f.backlogPeak}), ${f.insertMs.length} committed, ${f.insertErrors} insert errors, ${loop.profile.published} published`,
  );
  const { flow } = running;
  try {
    const times = await brokerOutage(ctx, flow, outageMs, since);
    const recovered = await recovery(ctx, phase, loop, times, since);
    await sleep(OUTAGE_TAIL_MS, ctx.signal);
    await running.stopInserts();
    const cpu = cpuSplit(before, ctx.cpuSnapshot());
    ctx.progress(`outage ${since()}: flow stopped; waiting for the rest of the backlog`);
    const backlogEmpty = async () => (await unpublished(ctx.pool, phase)) === 0;
    await waitAtMost(ctx, 'backlog 0', backlogEmpty, RECOVERY_LIMIT_MS);
    ctx.progress(`outage ${since()}: reading the topics back...`);
    const { healthy } = times;
    return {
      rate,
      leadMs: OUTAGE_LEAD_MS,
      stopMs: times.down - times.stopBegin,
      downMs: times.startBegin - times.down,
      startMs: healthy - times.startBegin,
      relayBackMs: loop.profile.backAt === undefined ? undefined : loop.profile.backAt - healthy,
      recoveryMs: recovered === undefined ? undefined : recovered - healthy,
      backlogPeak: flow.backlogPeak,
      inserted: flow.insertMs.length,
      insertErrors: flow.insertErrors,
      insertMs: summarize(flow.insertMs),
      statusLog: loop.statusLog,
      profile: loop.profile,
      cpu,
      ...(await verify(ctx, phase, 'outage')),
    };
  } finally {
    await running.stop();
    await loop.stop();
  }
}
