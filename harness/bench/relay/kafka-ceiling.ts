import { Partitioners, type Kafka, type TopicMessages } from 'kafkajs';
import { toKafkaMessage, topicFor } from '../../../activities/outbox/event-envelope.js';
import type { EventPublisher } from '../../../activities/outbox/event-publisher.port.js';
import type { OutboxRecord } from '../../../activities/outbox/event-publisher.port.js';

/** What the relay could reach if publishing cost nothing but Kafka. */

export function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The relay's batches as kafkajs sends them: one topic per aggregate type, messages in outbox order. */
export function kafkaBatches(
  records: OutboxRecord[],
  batchSize: number,
  topicPrefix: string,
): TopicMessages[][] {
  return chunks(records, batchSize).map((batch) => {
    const byTopic = new Map<string, TopicMessages>();
    for (const record of batch) {
      const topic = topicFor(topicPrefix, record.aggregateType);
      let entry = byTopic.get(topic);
      if (!entry) byTopic.set(topic, (entry = { topic, messages: [] }));
      entry.messages.push(toKafkaMessage(record));
    }
    return [...byTopic.values()];
  });
}

/** Runs `work` on every item, `lanes` at a time, each lane taking the next item when it is free. */
export async function inLanes<T>(
  items: T[],
  lanes: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: lanes }, lane));
}

export interface SendProgress {
  sent: number;
}

/** Raw kafkajs: pre-built batches, acks from all in-sync replicas, `lanes` sendBatch calls at once. */
export async function produceRaw(
  kafka: Kafka,
  batches: TopicMessages[][],
  lanes: number,
  progress: SendProgress,
): Promise<number> {
  const producer = kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    allowAutoTopicCreation: false,
  });
  await producer.connect();
  try {
    const start = performance.now();
    await inLanes(batches, lanes, async (topicMessages) => {
      await producer.sendBatch({ acks: -1, topicMessages });
      progress.sent += topicMessages.reduce((sum, t) => sum + t.messages.length, 0);
    });
    return performance.now() - start;
  } finally {
    await producer.disconnect();
  }
}

/** The relay's publisher without the database: envelope building and grouping included. */
export async function publishOnly(
  publisher: EventPublisher,
  records: OutboxRecord[],
  batchSize: number,
  lanes: number,
  progress: SendProgress,
): Promise<number> {
  const start = performance.now();
  await inLanes(chunks(records, batchSize), lanes, async (batch) => {
    await publisher.publish(batch);
    progress.sent += batch.length;
  });
  return performance.now() - start;
}
