import type { Kafka } from 'kafkajs';
import type pg from 'pg';
import type { Logger } from 'pino';
import { topicFor } from '../../../activities/outbox/event-envelope.js';
import { createOutboxLogRepository } from '../../../activities/outbox/event-log.repository.js';
import { createKafkaPublisher } from '../../../activities/outbox/kafka.publisher.js';
import { createOutboxRelay } from '../../../activities/outbox/relay.drain.js';
import type { PrismaClient } from '../../../prisma/client.js';
import { checkDeliveries, readBack } from '../../support/kafka-readback.js';
import type { KafkaBroker } from '../../support/private-kafka.js';
import type { CpuSnapshot } from '../support/cpu.js';
import { pollAtMost } from '../support/wait.js';
import { outboxState, sequencesOf } from './outbox-load.js';
import { emptyProfile, profiledLog, profiledPrisma, profiledPublisher } from './relay-profile.js';

/** What every phase works with: the scratch database, the private broker, the relay's settings. */
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

export const topicsOf = (prefix: string) => AGGREGATE_TYPES.map((type) => topicFor(prefix, type));

export const perSecond = (count: number, ms: number) => (ms > 0 ? (count * 1000) / ms : 0);

/** Rejects with Interrupted once `signal` aborts; `work` goes on in the background, unobserved. */
export function orAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  void work.catch(() => {});
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Interrupted('interrupted'));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** Runs `tick` every `ms` (a failing tick is skipped); returns the stop. */
export function ticker(ms: number, tick: () => void | Promise<void>): () => void {
  const timer = setInterval(() => void Promise.resolve(tick()).catch(() => {}), ms);
  return () => clearInterval(timer);
}

/** Polls `check` until it holds (true) or `timeoutMs` passed (false, with a progress line). */
export async function waitAtMost(
  ctx: PhaseContext,
  what: string,
  check: () => Promise<boolean>,
  timeoutMs: number,
): Promise<boolean> {
  const held = await pollAtMost(what, check, { timeoutMs, pollMs: 100, signal: ctx.signal });
  if (!held) ctx.progress(`${what}: not within ${timeoutMs / 1000} s; going on`);
  return held;
}

/** The product's relay (createOutboxRelay) on the scratch database, its steps timed. */
export function createBenchRelay(ctx: PhaseContext, topicPrefix: string) {
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

/** The phase's rows in the outbox, and its topics read back against them. */
export async function verify(ctx: PhaseContext, phase: string, topicPrefix: string) {
  const state = await outboxState(ctx.pool, phase);
  const deliveries = await orAbort(
    readBack(ctx.kafka, topicsOf(topicPrefix), READ_BACK_TIMEOUT_MS),
    ctx.signal,
  );
  return { state, delivery: checkDeliveries(deliveries, await sequencesOf(ctx.pool, phase)) };
}
