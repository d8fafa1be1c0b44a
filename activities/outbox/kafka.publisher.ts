import net from 'node:net';
import { Partitioners, type Producer } from 'kafkajs';
import { createKafka } from './kafka.client.js';
import type { EventPublisher } from './event-publisher.port.js';
import { toKafkaMessage, topicFor } from './event-envelope.js';
import { ensureTopics } from './kafka.topics.js';
import type { OutboxRecord } from './event-publisher.port.js';

// Still importable from here for the workers, tests and harness that take it with the publisher.
export { createKafka };

export interface KafkaPublisherOptions {
  brokers: string[];
  clientId: string;
  topicPrefix: string;
  partitions: number;
}

export function createKafkaPublisher(options: KafkaPublisherOptions): EventPublisher {
  const kafka = createKafka(options.brokers, options.clientId);
  const knownTopics = new Set<string>();
  let producer: Producer | undefined;

  const connected = async (): Promise<Producer> => {
    if (producer) return producer;
    const fresh = kafka.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      allowAutoTopicCreation: false,
    });
    await fresh.connect();
    producer = fresh;
    return fresh;
  };

  // After any failure start from a new connection: kafkajs does not always recover a broken one.
  const reset = async () => {
    const broken = producer;
    producer = undefined;
    knownTopics.clear();
    await broken?.disconnect().catch(() => {});
  };

  return {
    async publish(events: OutboxRecord[]) {
      if (events.length === 0) return;
      const byTopic = new Map<string, ReturnType<typeof toKafkaMessage>[]>();
      for (const event of events) {
        const topic = topicFor(options.topicPrefix, event.aggregateType);
        const messages = byTopic.get(topic) ?? [];
        messages.push(toKafkaMessage(event));
        byTopic.set(topic, messages);
      }
      try {
        const missing = [...byTopic.keys()].filter((topic) => !knownTopics.has(topic));
        if (missing.length > 0) {
          await ensureTopics(kafka, missing, options.partitions);
          for (const topic of missing) knownTopics.add(topic);
        }
        await (
          await connected()
        ).sendBatch({
          acks: -1,
          topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
        });
      } catch (error) {
        await reset();
        throw error;
      }
    },

    isReachable: () => anyReachable(options.brokers),

    async close() {
      await reset();
    },
  };
}

async function anyReachable(brokers: string[]): Promise<boolean> {
  const attempts = brokers.map(
    (broker) =>
      new Promise<boolean>((resolve) => {
        const separator = broker.lastIndexOf(':');
        const socket = net.connect({
          host: broker.slice(0, separator),
          port: Number(broker.slice(separator + 1)),
        });
        const done = (ok: boolean) => {
          socket.destroy();
          resolve(ok);
        };
        socket.setTimeout(500, () => done(false));
        socket.once('connect', () => done(true));
        socket.once('error', () => done(false));
      }),
  );
  return (await Promise.all(attempts)).some(Boolean);
}
