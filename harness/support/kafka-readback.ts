import { randomUUID } from 'node:crypto';
import type { Consumer, IHeaders, Kafka } from 'kafkajs';
import { EVENT_HEADERS } from '../../activities/outbox/event-envelope.js';

/** One message as a consumer saw it. */
export interface Delivery {
  topic: string;
  partition: number;
  offset: bigint;
  eventId: string | undefined;
  key: string;
}

const header = (headers: IHeaders | undefined, name: string) => {
  const value = headers?.[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.toString();
};

function consumerOf(kafka: Kafka, maxWaitTimeInMs: number): Consumer {
  return kafka.consumer({
    groupId: `relay-bench-${randomUUID()}`,
    maxWaitTimeInMs,
    maxBytes: 64 * 1024 * 1024,
    maxBytesPerPartition: 16 * 1024 * 1024,
  });
}

async function joined(consumer: Consumer): Promise<void> {
  await new Promise<void>((resolve) => {
    const remove = consumer.on(consumer.events.GROUP_JOIN, () => {
      remove();
      resolve();
    });
  });
}

/** Every message of `topics`, read from the beginning up to the end offsets they have now. */
export async function readBack(
  kafka: Kafka,
  topics: string[],
  timeoutMs: number,
): Promise<Delivery[]> {
  const admin = kafka.admin();
  await admin.connect();
  const remaining = new Map<string, bigint>();
  try {
    for (const topic of topics)
      for (const { partition, high } of await admin.fetchTopicOffsets(topic))
        if (BigInt(high) > 0n) remaining.set(`${topic}/${partition}`, BigInt(high));
  } finally {
    await admin.disconnect();
  }
  const deliveries: Delivery[] = [];
  if (remaining.size === 0) return deliveries;
  const consumer = consumerOf(kafka, 100);
  await consumer.connect();
  try {
    let done: () => void = () => {};
    const finished = new Promise<void>((resolve) => (done = resolve));
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({
      eachBatch: async ({ batch }) => {
        for (const message of batch.messages)
          deliveries.push({
            topic: batch.topic,
            partition: batch.partition,
            offset: BigInt(message.offset),
            eventId: header(message.headers, EVENT_HEADERS.eventId),
            key: message.key?.toString() ?? '',
          });
        const part = `${batch.topic}/${batch.partition}`;
        const end = remaining.get(part);
        if (end !== undefined && BigInt(batch.lastOffset()) + 1n >= end) remaining.delete(part);
        if (remaining.size === 0) done();
      },
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`read back ${deliveries.length} messages, then stalled`)),
        timeoutMs,
      );
    });
    await Promise.race([finished, timeout]).finally(() => clearTimeout(timer));
  } finally {
    await consumer.disconnect();
  }
  return deliveries;
}

export interface LiveReceiver {
  /** Event id → performance.now() of its first receipt. */
  receivedAt: Map<string, number>;
  stop(): Promise<void>;
}

/**
 * A consumer that notes when each event arrives. Its short fetch wait bounds what it adds to the
 * measured latency; resolves once it has joined its group.
 */
export async function receiveLive(
  kafka: Kafka,
  topics: string[],
  maxWaitTimeInMs: number,
): Promise<LiveReceiver> {
  const receivedAt = new Map<string, number>();
  const consumer = consumerOf(kafka, maxWaitTimeInMs);
  await consumer.connect();
  try {
    await consumer.subscribe({ topics, fromBeginning: true });
    const join = joined(consumer);
    await consumer.run({
      eachBatch: async ({ batch }) => {
        const at = performance.now();
        for (const message of batch.messages) {
          const id = header(message.headers, EVENT_HEADERS.eventId);
          if (id !== undefined && !receivedAt.has(id)) receivedAt.set(id, at);
        }
      },
    });
    await join;
  } catch (error) {
    await consumer.disconnect();
    throw error;
  }
  return { receivedAt, stop: () => consumer.disconnect() };
}

export interface DeliveryCheck {
  expected: number;
  /** Distinct expected events found in Kafka. */
  received: number;
  missing: number;
  /** Extra copies of an event at another offset (at-least-once: a batch published again). */
  duplicates: number;
  /** Messages whose event id is not one of the expected ones. */
  unknown: number;
  /** First copies that came after a later event of their aggregate. */
  outOfOrder: number;
  example?: string;
}

/** Compares what Kafka holds with the outbox: nothing missing, each aggregate in sequence order. */
export function checkDeliveries(
  deliveries: Delivery[],
  sequences: Map<string, bigint>,
): DeliveryCheck {
  const ordered = [...deliveries].sort((a, b) =>
    a.topic !== b.topic
      ? a.topic.localeCompare(b.topic)
      : a.partition - b.partition || (a.offset < b.offset ? -1 : a.offset > b.offset ? 1 : 0),
  );
  const seenOffsets = new Set<string>();
  const seen = new Set<string>();
  const last = new Map<string, bigint>();
  const check: DeliveryCheck = {
    expected: sequences.size,
    received: 0,
    missing: 0,
    duplicates: 0,
    unknown: 0,
    outOfOrder: 0,
  };
  for (const d of ordered) {
    const at = `${d.topic}/${d.partition}/${d.offset}`;
    if (seenOffsets.has(at)) continue; // the consumer read it twice; Kafka holds it once
    seenOffsets.add(at);
    const sequence = d.eventId === undefined ? undefined : sequences.get(d.eventId);
    if (sequence === undefined) {
      check.unknown++;
      continue;
    }
    if (seen.has(d.eventId!)) {
      check.duplicates++;
      continue;
    }
    seen.add(d.eventId!);
    const aggregate = `${d.topic}/${d.key}`;
    const previous = last.get(aggregate);
    if (previous !== undefined && sequence < previous) {
      check.outOfOrder++;
      check.example ??= `${aggregate}: sequence ${sequence} after ${previous} (${at})`;
    }
    last.set(aggregate, sequence);
  }
  check.received = seen.size;
  check.missing = sequences.size - seen.size;
  return check;
}
