import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type IHeaders } from 'kafkajs';

export interface ReadMessage {
  topic: string;
  partition: number;
  offset: number;
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

/** A patient client for tests reading topics (the code under test gets its own, impatient one). */
export const readerKafka = (brokers: string[]) =>
  new Kafka({
    clientId: 'topic-reader',
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3_000,
    retry: { retries: 8, initialRetryTime: 200, maxRetryTime: 2_000 },
  });

const headerText = (headers: IHeaders | undefined): Record<string, string> =>
  Object.fromEntries(
    Object.entries(headers ?? {}).flatMap(([name, value]) =>
      value === undefined ? [] : [[name, String(Array.isArray(value) ? value[0] : value)]],
    ),
  );

/** Each partition's high watermark: the offset the next message will get. */
export async function highWatermarks(kafka: Kafka, topics: string[]) {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const marks = new Map<string, number>();
    for (const topic of topics) {
      for (const { partition, high } of await admin.fetchTopicOffsets(topic)) {
        marks.set(`${topic}/${partition}`, Number(high));
      }
    }
    return marks;
  } finally {
    await admin.disconnect();
  }
}

/**
 * Everything the topics hold (at least up to their high watermarks when called), read by a new
 * consumer group from the beginning, in offset order per partition. Duplicates stay in.
 */
export async function readTopics(
  kafka: Kafka,
  topics: string[],
  timeoutMs = 60_000,
): Promise<ReadMessage[]> {
  const targets = [...(await highWatermarks(kafka, topics))].filter(([, high]) => high > 0);
  if (targets.length === 0) return [];
  const watcher = await watchTopics(kafka, topics);
  try {
    await watcher.until(
      `${topics.join(', ')} read to their high watermarks`,
      (messages) => {
        const next = new Map<string, number>();
        for (const m of messages) next.set(`${m.topic}/${m.partition}`, m.offset + 1);
        return targets.every(([partition, high]) => (next.get(partition) ?? 0) >= high);
      },
      timeoutMs,
    );
    return [...watcher.messages].sort(
      (a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition || a.offset - b.offset,
    );
  } finally {
    await watcher.stop();
  }
}

/** A consumer (new group, from the beginning) that keeps every message it receives. */
export async function watchTopics(kafka: Kafka, topics: string[]) {
  const messages: ReadMessage[] = [];
  const groupId = `topic-reader-${randomUUID()}`;
  // A short fetch long-poll, so disconnecting does not wait out the default 5 s one.
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ topic, partition, message }) => {
      messages.push({
        topic,
        partition,
        offset: Number(message.offset),
        key: message.key?.toString('utf8') ?? null,
        value: message.value,
        headers: headerText(message.headers),
      });
    },
  });
  return {
    messages,
    /** Resolves once `done(messages)` holds; rejects after `timeoutMs`. */
    async until(what: string, done: (received: ReadMessage[]) => boolean, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      while (!done(messages)) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    async stop() {
      await consumer.disconnect();
      const admin = kafka.admin();
      await admin.connect();
      await admin.deleteGroups([groupId]).catch(() => {});
      await admin.disconnect();
    },
  };
}

/** Whether the consumer group has committed every partition of `topics` up to its high watermark. */
export async function caughtUp(kafka: Kafka, groupId: string, topics: string[]): Promise<boolean> {
  const marks = await highWatermarks(kafka, topics);
  const admin = kafka.admin();
  await admin.connect();
  try {
    const committed = await admin.fetchOffsets({ groupId, topics });
    return committed.every(({ topic, partitions }) =>
      partitions.every(({ partition, offset }) => {
        const high = marks.get(`${topic}/${partition}`) ?? 0;
        return high === 0 || Number(offset) === high;
      }),
    );
  } finally {
    await admin.disconnect();
  }
}
