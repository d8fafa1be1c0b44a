import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { EVENT_HEADERS } from '../../activities/outbox/event-envelope.js';
import { holds, pollUntil } from '../support/polling.js';

/** Each partition's high watermark: the offset its next message gets. Empty when the topic is missing. */
export type Watermarks = Map<number, number>;

/** A patient client: the demo reads topics after the broker came back, and may wait for it. */
export const tallyKafka = (brokers: string[]) =>
  new Kafka({
    clientId: 'kafka-outage-tally',
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3_000,
    retry: { retries: 8, initialRetryTime: 200, maxRetryTime: 2_000 },
  });

export async function highWatermarks(kafka: Kafka, topic: string): Promise<Watermarks> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    if (!(await admin.listTopics()).includes(topic)) return new Map();
    const offsets = await admin.fetchTopicOffsets(topic);
    return new Map(offsets.map(({ partition, high }) => [partition, Number(high)]));
  } finally {
    await admin.disconnect();
  }
}

/**
 * How many messages between `from` and the topic's current end carry each of `eventIds` (in the
 * `event-id` header): 1 per event when each was published once, more when a publish was retried.
 * Reads only that range, with a throwaway consumer group it deletes afterwards.
 */
export async function tallyEventMessages(
  kafka: Kafka,
  topic: string,
  from: Watermarks,
  eventIds: Set<string>,
  timeoutMs = 30_000,
): Promise<Map<string, number>> {
  const tally = new Map<string, number>();
  const to = await highWatermarks(kafka, topic);
  const pending = new Set(
    [...to].filter(([partition, end]) => end > (from.get(partition) ?? 0)).map(([p]) => p),
  );
  if (pending.size === 0) return tally;

  const groupId = `kafka-outage-tally-${randomUUID()}`;
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        const offset = Number(message.offset);
        const start = from.get(partition) ?? 0;
        const end = to.get(partition) ?? 0;
        if (offset < start || offset >= end) return;
        const eventId = message.headers?.[EVENT_HEADERS.eventId]?.toString();
        if (eventId && eventIds.has(eventId)) tally.set(eventId, (tally.get(eventId) ?? 0) + 1);
        if (offset === end - 1) pending.delete(partition);
      },
    });
    for (const [partition, end] of to) {
      consumer.seek({ topic, partition, offset: String(Math.min(from.get(partition) ?? 0, end)) });
    }
    await pollUntil(
      `${topic} to be read back`,
      holds(async () => pending.size === 0),
      {
        timeoutMs,
        pollMs: 50,
        fail: () => new Error(`reading ${topic} back took longer than ${timeoutMs / 1000} s`),
      },
    );
    return tally;
  } finally {
    await consumer.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteGroups([groupId]).catch(() => {});
    await admin.disconnect();
  }
}
