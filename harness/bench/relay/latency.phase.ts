import { monitorEventLoopDelay } from 'node:perf_hooks';
import { ensureTopics } from '../../../activities/outbox/kafka.topics.js';
import { receiveLive, type DeliveryCheck } from '../../support/kafka-readback.js';
import { cpuSplit, type CpuSnapshot, type CpuSplit } from '../support/cpu.js';
import { summarize, type LatencySummary } from '../support/load.js';
import { atSteadyRate } from '../support/steady-rate.js';
import { insertLiveEvent, unpublished, type OutboxState } from './outbox-load.js';
import {
  orAbort,
  ticker,
  topicsOf,
  verify,
  waitAtMost,
  type PhaseContext,
} from './phase-context.js';
import { startRelayLoop } from './relay-loop.js';
import type { RelayProfile } from './relay-profile.js';

/** 3. Commit → consumed: single-event transactions at a steady rate, each timed into a consumer. */

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

/** The inserts so far; commit times only of those in the measured phase. */
interface LiveFlow {
  committedAt: Map<string, number>;
  inserted: number;
  insertErrors: number;
  /** performance.now() when the warm-up ended (Infinity before). */
  measureStart: number;
}

/** Inserts at `rate` for the warm-up and `durationMs` (or until Ctrl-C); what the measured part cost. */
async function commitAtRate(
  ctx: PhaseContext,
  phase: string,
  rate: number,
  durationMs: number,
  flow: LiveFlow,
) {
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  const stopInserts = new AbortController();
  const stopAtEnd = () => stopInserts.abort();
  ctx.signal.addEventListener('abort', stopAtEnd);
  let before: CpuSnapshot | undefined;
  const measureTimer = setTimeout(() => {
    flow.measureStart = performance.now();
    before = ctx.cpuSnapshot();
    loopDelay.enable();
  }, LATENCY_WARMUP_MS);
  const endTimer = setTimeout(stopAtEnd, LATENCY_WARMUP_MS + durationMs);
  try {
    await atSteadyRate({
      perSecond: rate,
      signal: stopInserts.signal,
      fire: async (n) => {
        const measured = performance.now() >= flow.measureStart;
        try {
          const id = await insertLiveEvent(ctx.pool, phase, n);
          if (measured) flow.committedAt.set(id, performance.now());
          flow.inserted++;
        } catch {
          flow.insertErrors++;
        }
      },
    });
    const measuredMs = Math.max(0, performance.now() - flow.measureStart);
    const cpu = cpuSplit(before ?? ctx.cpuSnapshot(), ctx.cpuSnapshot());
    loopDelay.disable();
    return {
      measuredMs,
      cpu,
      eventLoopDelayMs: { p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6 },
    };
  } finally {
    clearTimeout(measureTimer);
    clearTimeout(endTimer);
    ctx.signal.removeEventListener('abort', stopAtEnd);
    loopDelay.disable();
  }
}

function latencies(flow: LiveFlow, receivedAt: Map<string, number>) {
  const latencyMs: number[] = [];
  let notReceived = 0;
  for (const [id, at] of flow.committedAt) {
    const received = receivedAt.get(id);
    if (received === undefined) notReceived++;
    else latencyMs.push(received - at);
  }
  return { latencyMs: summarize(latencyMs), notReceived };
}

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
  const loop = startRelayLoop(ctx, 'latency', performance.now());
  const flow: LiveFlow = {
    committedAt: new Map(),
    inserted: 0,
    insertErrors: 0,
    measureStart: Infinity,
  };
  let last = 0;
  const stopTicker = ticker(1_000, () => {
    const phaseName = flow.measureStart === Infinity ? 'warm-up' : 'measuring';
    ctx.progress(
      `latency ${phaseName}: ${flow.inserted} committed (${flow.inserted - last}/s), ${receiver.receivedAt.size} consumed, ${flow.insertErrors} insert errors`,
    );
    last = flow.inserted;
  });
  try {
    const measured = await commitAtRate(ctx, phase, rate, durationMs, flow);
    const allReceived = async () =>
      [...flow.committedAt.keys()].every((id) => receiver.receivedAt.has(id));
    await waitAtMost(ctx, 'every event consumed', allReceived, RECEIVE_WAIT_MS);
    const { latencyMs, notReceived } = latencies(flow, receiver.receivedAt);
    const backlogEmpty = async () => (await unpublished(ctx.pool, phase)) === 0;
    await waitAtMost(ctx, 'backlog 0', backlogEmpty, 30_000);
    return {
      rate,
      measuredMs: measured.measuredMs,
      warmupMs: LATENCY_WARMUP_MS,
      inserted: flow.inserted,
      measured: flow.committedAt.size,
      insertErrors: flow.insertErrors,
      notReceived,
      latencyMs,
      consumerMaxWaitMs: CONSUMER_MAX_WAIT_MS,
      eventLoopDelayMs: measured.eventLoopDelayMs,
      profile: loop.profile,
      cpu: measured.cpu,
      ...(await verify(ctx, phase, 'latency')),
    };
  } finally {
    stopTicker();
    await loop.stop();
    await receiver.stop();
  }
}
