import { createKafkaPublisher } from '../../../activities/outbox/kafka.publisher.js';
import { ensureTopics } from '../../../activities/outbox/kafka.topics.js';
import { cpuSplit, type CpuSplit } from '../support/cpu.js';
import { kafkaBatches, produceRaw, publishOnly, type SendProgress } from './kafka-ceiling.js';
import { readOutboxRecords } from './outbox-load.js';
import { orAbort, perSecond, ticker, topicsOf, type PhaseContext } from './phase-context.js';

/** 1. What Kafka takes without the relay: raw kafkajs, and the relay's publisher alone. */

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

/** Times one way of sending `events`, with its CPU and a progress line a second. */
async function measure(
  ctx: PhaseContext,
  label: string,
  events: number,
  send: (progress: SendProgress) => Promise<number>,
): Promise<Throughput> {
  const progress: SendProgress = { sent: 0 };
  const stopTicker = sendTicker(ctx, label, events, progress);
  const before = ctx.cpuSnapshot();
  try {
    const ms = await orAbort(send(progress), ctx.signal);
    const cpu = cpuSplit(before, ctx.cpuSnapshot());
    ctx.progress(`${label}: ${events} in ${(ms / 1000).toFixed(2)} s`);
    return { events, ms, perSecond: perSecond(events, ms), cpu };
  } finally {
    stopTicker();
  }
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

  const raw = await measure(ctx, 'ceiling (raw kafkajs)', records.length, (progress) =>
    produceRaw(ctx.kafka, batches, ctx.concurrency, progress),
  );
  const publisher = createKafkaPublisher({
    brokers: ctx.broker.brokers,
    clientId: 'relay-bench-publisher',
    topicPrefix: 'publisher',
    partitions: ctx.partitions,
  });
  try {
    const publisherOnly = await measure(ctx, 'publisher (no database)', records.length, (p) =>
      publishOnly(publisher, records, ctx.batchSize, ctx.concurrency, p),
    );
    return { raw, publisher: publisherOnly, valueBytes, payloadBytes };
  } finally {
    await publisher.close();
  }
}
